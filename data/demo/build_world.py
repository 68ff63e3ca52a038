#!/usr/bin/env python3
"""Builds data/demo/world.jsonl, the hcx demo world, in the interchange format,
version 1 (the project's interchange.md specification).

This script is the source of world.jsonl: edit it here, then run

    python3 data/demo/build_world.py

from anywhere; it writes world.jsonl beside itself. Output is deterministic.

Organisation names, ODS codes, NHS regions and network codes are read from the
reference data in data/nhs/ (real, NHS ODS data under OGL v3). Offers,
strategies and opportunities are illustrative fiction written for the demo.
"""

import csv
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.dirname(HERE)
OUT = os.path.join(HERE, "world.jsonl")


def read_csv(*parts):
    with open(os.path.join(DATA, *parts), newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


TRUSTS = {r["ods_code"]: r for r in read_csv("nhs", "nhs_trusts.csv")}
NETWORKS = read_csv("nhs", "ahsn.csv")
NETWORK_REGION = {r["acronym_current"]: r["nhs_region_primary"] for r in NETWORKS}

# ---------------------------------------------------------------------------
# Organisations
# ---------------------------------------------------------------------------

# NHS trusts in the demo world: ods_code -> (network, aliases, website).
# The network is chosen by ICS geography within the trust's NHS region.
NHS_TRUSTS = [
    # London
    ("RP4", "UCLP", ["GOSH", "Great Ormond Street Hospital"], "https://www.gosh.nhs.uk"),
    ("RPY", "ICHP", ["Royal Marsden"], "https://www.royalmarsden.nhs.uk"),
    ("RP6", "UCLP", ["Moorfields", "Moorfields Eye Hospital"], "https://www.moorfields.nhs.uk"),
    ("RYJ", "ICHP", ["Imperial College Healthcare", "ICHT"], "https://www.imperial.nhs.uk"),
    ("RAL", "UCLP", ["Royal Free London", "Royal Free"], "https://www.royalfree.nhs.uk"),
    ("G6V2S", "UCLP", ["Tavistock and Portman NHS Foundation Trust", "Tavistock and Portman",
                       "The Tavistock and Portman", "RNK"], None),
    ("RJ1", "HIN-SL", ["Guy's and St Thomas'", "GSTT", "Evelina London"], None),
    ("RJZ", "HIN-SL", ["King's College Hospital", "KCH"], None),
    ("RRV", "UCLP", ["UCLH"], None),
    ("R1H", "UCLP", ["Barts Health"], None),
    ("RV5", "HIN-SL", ["SLaM", "South London and Maudsley"], None),
    ("RQM", "ICHP", ["Chelsea and Westminster"], None),
    ("RAN", "ICHP", ["RNOH", "Royal National Orthopaedic Hospital"], None),
    ("RRU", "HIN-SL", ["LAS", "London Ambulance Service"], None),
    ("RWK", "UCLP", ["ELFT", "East London NHS Foundation Trust"], None),
    # North East and Yorkshire
    ("RR8", "HI-YH", ["LTHT"], "https://www.leedsth.nhs.uk"),
    ("RHQ", "HI-YH", ["Sheffield Teaching Hospitals", "STH"], None),
    ("RCU", "HI-YH", ["Sheffield Children's"], None),
    ("RTD", "HI-NENC", ["Newcastle Hospitals"], None),
    ("RTF", "HI-NENC", ["Northumbria Healthcare"], None),
    ("RX8", "HI-YH", ["YAS", "Yorkshire Ambulance Service"], None),
    ("RGD", "HI-YH", ["LYPFT"], None),
    ("RX4", "HI-NENC", ["CNTW"], None),
    # North West
    ("RBV", "HI-Man", ["The Christie", "Christie"], "https://www.christie.nhs.uk"),
    ("R0A", "HI-Man", ["MFT", "Manchester University Hospitals"], None),
    ("RBS", "HI-NWC", ["Alder Hey"], None),
    ("RBQ", "HI-NWC", ["LHCH", "Liverpool Heart and Chest"], None),
    ("REN", "HI-NWC", ["Clatterbridge"], None),
    ("RET", "HI-NWC", ["The Walton Centre"], None),
    ("RW4", "HI-NWC", ["Mersey Care"], None),
    ("RX7", "HI-NWC", ["NWAS", "North West Ambulance Service"], None),
    ("RXV", "HI-Man", ["GMMH"], None),
    ("REP", "HI-NWC", ["Liverpool Women's"], None),
    # Midlands
    ("RRK", "HI-WM", ["UHB"], None),
    ("RQ3", "HI-WM", ["Birmingham Women's and Children's"], None),
    ("RX1", "HI-EM", ["NUH"], None),
    ("RWE", "HI-EM", ["UHL", "Leicester Diabetes Centre"], None),
    ("RYA", "HI-WM", ["WMAS", "West Midlands Ambulance Service"], None),
    ("RHA", "HI-EM", ["Nottinghamshire Healthcare"], None),
    ("RL1", "HI-WM", ["RJAH"], None),
    # East of England
    ("RGT", "HI-East", ["CUH", "Addenbrooke's"], None),
    ("RGM", "HI-East", ["Royal Papworth"], None),
    ("RM1", "HI-East", ["NNUH"], None),
    # South East
    ("RTH", "HI-OTV", ["OUH"], None),
    ("RHM", "HI-Wessex", ["UHS"], None),
    ("RNU", "HI-OTV", ["Oxford Health"], None),
    ("RYE", "HI-OTV", ["SCAS", "South Central Ambulance Service"], None),
    ("RPC", "HI-KSS", ["QVH", "Queen Victoria Hospital"], None),
    ("RX2", "HI-KSS", ["Sussex Partnership"], None),
    # South West
    ("RH8", "HI-SW", ["Royal Devon"], None),
    ("RA7", "HI-West", ["Bristol NHS FT"], None),
    ("RYF", "HI-SW", ["SWASFT", "South Western Ambulance Service"], None),
]


def org(id, name, kind, sector, country, **opt):
    rec = {"record": "organisation", "id": id, "name": name, "kind": kind,
           "sector": sector, "country": country}
    for key in ("ods_code", "region", "network", "aliases", "website", "city"):
        if opt.get(key):
            rec[key] = opt[key]
    return rec


def organisations():
    out = []

    # The agency and national bodies.
    out.append(org("HCUK", "Healthcare UK", "agency", "government", "GB",
                   aliases=["HCUK"], city="London"))
    out.append(org("DBT", "Department for Business and Trade", "partner", "government", "GB",
                   aliases=["DBT", "Department for International Trade", "DIT",
                            "UK Trade and Investment", "UKTI"],
                   website="https://www.gov.uk/government/organisations/department-for-business-and-trade",
                   city="London"))
    out.append(org("NHSE", "NHS England", "partner", "nhs", "GB",
                   aliases=["NHS England and NHS Improvement", "NHSE/I"],
                   website="https://www.england.nhs.uk", city="London"))
    out.append(org("NHSE-WTE", "NHS England Workforce, Training and Education", "partner", "nhs", "GB",
                   aliases=["Health Education England", "HEE", "NHS England WT&E"], city="Leeds"))
    out.append(org("NICE", "National Institute for Health and Care Excellence", "partner",
                   "government", "GB", aliases=["NICE"], website="https://www.nice.org.uk",
                   city="London"))
    out.append(org("ABHI", "Association of British HealthTech Industries", "partner", "private", "GB",
                   aliases=["ABHI"], website="https://www.abhi.org.uk", city="London"))
    out.append(org("UKIHMA", "UK International Healthcare Management Association", "partner",
                   "private", "GB", aliases=["UK IHMA"], city="London"))

    # Networks: the 15 Health Innovation Networks, then the NHS Northumbria
    # International Alliance.
    for r in NETWORKS:
        code = r["acronym_current"]
        aliases = [r["ahsn_name_2021"], r["acronym_2021"]]
        if r["hin_name_2023"] != r["hin_name_current"]:
            aliases.insert(0, r["hin_name_2023"])
        out.append(org(code, r["hin_name_current"], "network", "nhs", "GB",
                       region=r["nhs_region_primary"], network=code, aliases=aliases))
    out.append(org("NHS-NIA", "NHS Northumbria International Alliance", "network", "nhs", "GB",
                   region="North East and Yorkshire", aliases=["NIA"]))

    # Embassy and high commission trade teams.
    for code, name, city in POSTS:
        out.append(org("POST-" + code, name, "post", "government", code, city=city))

    # NHS trusts, with names and regions from data/nhs/nhs_trusts.csv.
    for ods, network, aliases, website in NHS_TRUSTS:
        t = TRUSTS[ods]
        if NETWORK_REGION[network] != t["nhs_region"]:
            sys.exit(f"{ods}: network {network} is not in region {t['nhs_region']}")
        out.append(org(ods, t["name"], "provider", "nhs", "GB", ods_code=ods,
                       region=t["nhs_region"], network=network, aliases=aliases,
                       website=website, city=t["town"]))

    # UK private providers.
    out.append(org("HCA-UK", "HCA Healthcare UK", "provider", "private", "GB",
                   region="London", aliases=["HCA UK"],
                   website="https://www.hcahealthcare.co.uk", city="London"))
    out.append(org("SPIRE", "Spire Healthcare", "provider", "private", "GB",
                   aliases=["Spire Healthcare Group"],
                   website="https://www.spirehealthcare.com", city="London"))
    out.append(org("CIRCLE", "Circle Health Group", "provider", "private", "GB",
                   aliases=["Circle Health", "BMI Healthcare"],
                   website="https://www.circlehealthgroup.co.uk", city="London"))

    # Universities.
    out.append(org("KCL", "King's College London", "partner", "university", "GB",
                   region="London", network="HIN-SL", aliases=["King's", "KCL"],
                   website="https://www.kcl.ac.uk", city="London"))
    out.append(org("UOL", "University of Leeds", "partner", "university", "GB",
                   region="North East and Yorkshire", network="HI-YH", aliases=["Leeds University"],
                   website="https://www.leeds.ac.uk", city="Leeds"))

    # Overseas buyers.
    for id, name, sector, country, city, aliases, website in BUYERS:
        out.append(org(id, name, "buyer", sector, country, city=city, aliases=aliases,
                       website=website))
    return out


POSTS = [
    ("JO", "British Embassy Amman trade team", "Amman"),
    ("AE", "British Embassy Abu Dhabi trade team", "Abu Dhabi"),
    ("SA", "British Embassy Riyadh trade team", "Riyadh"),
    ("KW", "British Embassy Kuwait trade team", "Kuwait City"),
    ("QA", "British Embassy Doha trade team", "Doha"),
    ("OM", "British Embassy Muscat trade team", "Muscat"),
    ("CN", "British Embassy Beijing trade team", "Beijing"),
    ("IN", "British High Commission New Delhi trade team", "New Delhi"),
    ("MY", "British High Commission Kuala Lumpur trade team", "Kuala Lumpur"),
    ("LY", "British Embassy Tripoli trade team", "Tripoli"),
    ("EG", "British Embassy Cairo trade team", "Cairo"),
    ("KE", "British High Commission Nairobi trade team", "Nairobi"),
    ("GH", "British High Commission Accra trade team", "Accra"),
    ("VN", "British Embassy Hanoi trade team", "Hanoi"),
    ("BR", "British Embassy Brasília trade team", "Brasília"),
]

# id, name, sector, country, city, aliases, website
BUYERS = [
    ("KHCF", "King Hussein Cancer Foundation", "charity", "JO", "Amman",
     ["KHCF", "King Hussein Cancer Center", "KHCC"], None),
    ("KW-MOH", "Ministry of Health, State of Kuwait", "government", "KW", "Kuwait City",
     ["Kuwait Ministry of Health"], None),
    ("AE-DOH", "Department of Health - Abu Dhabi", "government", "AE", "Abu Dhabi",
     ["DoH Abu Dhabi", "Abu Dhabi Department of Health"], "https://www.doh.gov.ae"),
    ("AE-DHA", "Dubai Health Authority", "government", "AE", "Dubai", ["DHA"],
     "https://www.dha.gov.ae"),
    ("AE-SEHA", "Abu Dhabi Health Services Company", "government", "AE", "Abu Dhabi",
     ["SEHA"], None),
    ("SA-MOH", "Ministry of Health, Kingdom of Saudi Arabia", "government", "SA", "Riyadh",
     ["Saudi Ministry of Health", "MOH Saudi Arabia"], "https://www.moh.gov.sa"),
    ("SA-HHC", "Health Holding Company", "government", "SA", "Riyadh",
     ["Saudi Health Holding Company"], None),
    ("SA-HMG", "Dr. Sulaiman Al Habib Medical Group", "private", "SA", "Riyadh",
     ["HMG", "Al Habib Medical Group"], None),
    ("QA-HMC", "Hamad Medical Corporation", "government", "QA", "Doha", ["HMC"],
     "https://www.hamad.qa"),
    ("QA-SIDRA", "Sidra Medicine", "charity", "QA", "Doha", ["Sidra"], None),
    ("OM-MOH", "Ministry of Health, Sultanate of Oman", "government", "OM", "Muscat",
     ["Oman Ministry of Health"], None),
    ("CN-NHC", "National Health Commission of the People's Republic of China", "government",
     "CN", "Beijing", ["NHC", "China National Health Commission"], None),
    ("CN-UFH", "United Family Healthcare", "private", "CN", "Beijing",
     ["UFH", "Beijing United Family Hospital"], None),
    ("IN-MOHFW", "Ministry of Health and Family Welfare, Government of India", "government",
     "IN", "New Delhi", ["MoHFW"], "https://www.mohfw.gov.in"),
    ("IN-APOLLO", "Apollo Hospitals Enterprise Limited", "private", "IN", "Chennai",
     ["Apollo Hospitals"], None),
    ("MY-MOH", "Ministry of Health Malaysia", "government", "MY", "Putrajaya",
     ["Kementerian Kesihatan Malaysia", "KKM"], "https://www.moh.gov.my"),
    ("LY-MOH", "Ministry of Health, Libya", "government", "LY", "Tripoli",
     ["Libyan Ministry of Health"], None),
    ("EG-MOHP", "Ministry of Health and Population, Arab Republic of Egypt", "government",
     "EG", "Cairo", ["MOHP Egypt"], None),
    ("KE-MOH", "Ministry of Health, Republic of Kenya", "government", "KE", "Nairobi",
     ["Kenya Ministry of Health"], None),
    ("GH-KBTH", "Korle Bu Teaching Hospital", "government", "GH", "Accra", ["KBTH", "Korle Bu"],
     None),
    ("VN-MOH", "Ministry of Health, Viet Nam", "government", "VN", "Hanoi",
     ["Vietnam Ministry of Health", "Bộ Y tế"], None),
    ("VN-VINMEC", "Vinmec Healthcare System", "private", "VN", "Hanoi",
     ["Vinmec", "Vinmec International Hospital"], None),
    ("BR-EINSTEIN", "Hospital Israelita Albert Einstein", "charity", "BR", "São Paulo",
     ["Einstein", "Sociedade Beneficente Israelita Brasileira Albert Einstein"], None),
    ("IE-HSE", "Health Service Executive", "government", "IE", "Dublin", ["HSE"],
     "https://www.hse.ie"),
    ("WHO-EMRO", "World Health Organization Regional Office for the Eastern Mediterranean",
     "multilateral", "EG", "Cairo", ["WHO EMRO"], None),
]

# ---------------------------------------------------------------------------
# Offers
# ---------------------------------------------------------------------------


def offer(provider, slug, title, description, service_lines, specialties, delivery_modes,
          languages=("en",), capacity=None, experience=(), price=None):
    rec = {"record": "offer", "id": f"{provider}-{slug}", "provider": provider,
           "title": title, "description": description,
           "service_lines": list(service_lines)}
    if specialties is not None:
        rec["specialties"] = list(specialties)
    rec["delivery_modes"] = list(delivery_modes)
    if languages:
        rec["languages"] = list(languages)
    if capacity is not None:
        rec["capacity_days_per_year"] = capacity
    if experience:
        rec["countries_of_experience"] = list(experience)
    if price is not None:
        rec["price_gbp"] = {"min": price[0], "max": price[1]}
    return rec


EDU, CON, ADV, OPS, PART, DIG, RES = ("education_training", "consultancy", "clinical_advice",
                                      "service_operation", "partnership", "digital", "research")
INC, REM, UKB = "in_country", "remote", "uk_based"

OFFERS = [
    # Leeds Teaching Hospitals
    offer("RR8", "onc-edu", "Oncology nursing education programme",
          "Accredited chemotherapy and palliative care training for nurses, delivered in country and online.",
          [EDU], ["370", "800", "315"], [INC, REM], ["en"], 120, ["JO", "IE"], (50000, 400000)),
    offer("RR8", "cancer-twin", "Cancer centre twinning partnership",
          "Long-term twinning of a cancer centre with the Leeds Cancer Centre under a memorandum of understanding: "
          "joint multidisciplinary team meetings, staff exchanges, shared protocols and audit.",
          [PART, ADV], ["370", "800", "303", "260"], [INC, REM, UKB], ["en", "ar"], 200, ["JO"],
          (250000, 1500000)),
    offer("RR8", "transplant-adv", "Liver and kidney transplant programme advice",
          "Advice on setting up or expanding adult liver and kidney transplant services: donor pathways, "
          "theatre and critical care readiness, outcome monitoring.",
          [CON, ADV], ["102", "306", "361"], [INC, REM], ["en"], 60, ["SA", "KW"], (120000, 900000)),
    # Great Ormond Street
    offer("RP4", "paed-advice", "Paediatric specialist clinical advice and second opinions",
          "Remote and UK-based specialist opinions for complex children's cases from named consultants, "
          "with case review meetings for referring hospitals.",
          [ADV], ["420", "321", "260", "242", "421"], [REM, UKB], ["en", "ar"], 150, ["KW", "AE", "QA"],
          (100000, 900000)),
    offer("RP4", "paed-cardiac", "Children's heart surgery programme development",
          "Help to build a congenital heart surgery service for children: service model, surgical and "
          "intensive care mentoring, proctored lists and outcome audit.",
          [CON, EDU, ADV], ["221", "321", "331", "242"], [INC, REM], ["en", "ar"], 90, ["KW", "SA"],
          (300000, 2000000)),
    offer("RP4", "picu-edu", "Paediatric intensive care nursing education",
          "Modular education for paediatric and neonatal intensive care nurses, with simulation training "
          "delivered in country and placements in London.",
          [EDU], ["242", "422"], [INC, REM, UKB], ["en"], 100, ["KW", "AE"], (60000, 450000)),
    # Royal Marsden
    offer("RPY", "screen", "In-country screening clinics before referral",
          "Consultant-led clinics abroad that review cancer patients' records and confirm clinical suitability "
          "and funding before referral to London.",
          [ADV], ["370", "800", "103"], [INC, REM], ["en", "ar"], 60, ["KW", "AE", "QA"], (40000, 250000)),
    offer("RPY", "onc-consult", "Cancer centre design and clinical governance consultancy",
          "Consultancy for governments and hospital groups planning comprehensive cancer centres: service "
          "mix, multidisciplinary teams, chemotherapy safety and governance.",
          [CON], ["370", "800", "503", "308"], [INC, REM], ["en"], 80, ["AE", "SA"], (150000, 1200000)),
    offer("RPY", "onc-school", "Cancer nursing and allied professional courses",
          "Short courses and accredited modules in cancer nursing, systemic anti-cancer therapy and "
          "palliative care, online or in London.",
          [EDU], ["370", "800", "315"], [REM, UKB], ["en"], 200, ["AE", "MY", "IN"], (20000, 300000)),
    # Moorfields
    offer("RP6", "eye-operate", "Eye hospital operation as minority partner",
          "Co-running an eye hospital or clinic abroad as minority operator with a local owner, keeping "
          "control of recruitment, clinical standards and use of the name.",
          [OPS, CON], ["130", "216", "460", "461"], [INC], ["en", "ar"], 300, ["AE"], (1000000, 8000000)),
    offer("RP6", "dr-screen", "Diabetic eye screening programme design",
          "Design of population diabetic retinopathy screening: grading centres, referral pathways, "
          "image quality assurance and remote grading support.",
          [CON, DIG], ["130", "307", "461"], [INC, REM], ["en"], 90, ["AE", "MY"], (80000, 600000)),
    offer("RP6", "ophth-edu", "Ophthalmic nursing, orthoptics and optometry education",
          "Courses for ophthalmic nurses, orthoptists and optometrists, from foundation to advanced practice.",
          [EDU], ["130", "655", "662"], [INC, REM, UKB], ["en"], 120, ["AE"], (30000, 250000)),
    # Imperial College Healthcare
    offer("RYJ", "diabetes-centre", "Diabetes centre model and operation support",
          "Set up and support of specialist diabetes centres: multidisciplinary clinics, diabetic foot, "
          "dietetics, patient education and registries.",
          [OPS, CON], ["307", "302", "920", "654", "653"], [INC, REM], ["en", "ar"], 250, ["AE"],
          (500000, 5000000)),
    offer("RYJ", "diabetes-edu", "Diabetes specialist education for clinicians",
          "Education for doctors, nurses and dietitians in diabetes and obesity care, including children's "
          "diabetes and structured patient education.",
          [EDU], ["307", "920", "654", "263"], [INC, REM], ["en"], 140, ["AE", "KW"], (40000, 350000)),
    offer("RYJ", "tele-stroke", "Tele-stroke and remote neurology support",
          "Remote hyperacute stroke assessment and imaging review for partner hospitals, with training for "
          "local stroke teams.",
          [DIG, ADV], ["328", "400", "812"], [REM], ["en"], 70, ["AE"], (150000, 800000)),
    # The Christie
    offer("RBV", "onc-edu", "Oncology education programmes",
          "Clinical oncology, medical oncology and nuclear medicine education from The Christie School of "
          "Oncology: online courses, in-country workshops and observerships.",
          [EDU], ["370", "800", "315", "371"], [INC, REM, UKB], ["en"], 180, ["IE", "CN"], (30000, 500000)),
    offer("RBV", "partnership", "Long-term cancer centre partnership",
          "A multi-year partnership with a teaching hospital: shared protocols, clinical trials access, "
          "second opinions and staff exchange.",
          [PART, ADV], ["370", "800", "303", "308"], [INC, REM], ["en"], 120, ["IE"], (200000, 2000000)),
    offer("RBV", "proton-adv", "Proton beam therapy clinical advice",
          "Advice on patient selection, treatment planning and referral pathways for proton beam therapy.",
          [ADV, CON], ["800"], [REM, UKB], ["en"], 40, ["IE"], (50000, 300000)),
    # North London NHS Foundation Trust (Tavistock and Portman)
    offer("G6V2S", "tne", "Transnational psychotherapy and family therapy education",
          "Tavistock and Portman postgraduate courses in child and adolescent psychotherapy, family therapy "
          "and infant mental health, taught with a local partner university.",
          [EDU], ["711", "713", "656"], [INC, REM], ["en", "zh"], 160, ["CN"], (40000, 600000)),
    offer("G6V2S", "mh-consult", "Community mental health service design",
          "Consultancy on community mental health teams, perinatal mental health and services for children "
          "and young people.",
          [CON], ["710", "711", "724"], [INC, REM], ["en"], 60, ["CN", "IE"], (60000, 400000)),
    # Royal Free London
    offer("RAL", "renal", "Kidney transplant and renal service development",
          "Support to develop dialysis, kidney transplant and liver services, with clinical pathways and "
          "workforce planning.",
          [CON, ADV], ["361", "102", "306"], [INC, REM], ["en"], 80, ["KW", "AE"], (100000, 900000)),
    offer("RAL", "hcid", "High-consequence infectious disease preparedness training",
          "Training for infection, intensive care and emergency teams in isolating and treating high-"
          "consequence infectious diseases, drawing on a high-level isolation unit.",
          [EDU, CON], ["350", "352", "192"], [INC, REM, UKB], ["en"], 70, ["SA", "GH"], (40000, 300000)),
    offer("RAL", "amyloid", "Amyloidosis diagnostic second opinions",
          "Specialist diagnostic review and treatment advice for patients with suspected amyloidosis.",
          [ADV], ["333", "320"], [REM, UKB], ["en"], 30, ["KW"], (20000, 150000)),
    # Guy's and St Thomas'
    offer("RJ1", "evelina-cardiac", "Children's cardiac services advice and training",
          "Clinical advice and team training in fetal and paediatric cardiology and congenital heart surgery.",
          [ADV, EDU], ["321", "331", "221", "505"], [INC, REM, UKB], ["en"], 90, ["SA"], (80000, 700000)),
    offer("RJ1", "mgmt", "Hospital management and clinical governance consultancy",
          "Advice for hospital boards and executives on governance, quality and safety systems, and "
          "operational performance.",
          [CON], [], [INC, REM], ["en"], 100, ["AE", "SA"], (100000, 1000000)),
    # King's College Hospital
    offer("RJZ", "liver", "Liver transplant and hepatology clinical advice",
          "Adult and paediatric liver disease and transplant advice, with training for hepatology and "
          "transplant teams.",
          [ADV, EDU], ["306", "105", "250"], [INC, REM, UKB], ["en", "ar"], 90, ["AE"], (100000, 900000)),
    # UCLH
    offer("RRV", "haem", "Haematology and bone marrow transplant programme development",
          "Advice on setting up haematology and stem cell transplant services, accreditation readiness and "
          "training.",
          [CON, ADV], ["303", "308", "370"], [INC, REM], ["en"], 70, ["SA", "KW"], (90000, 800000)),
    # Barts Health
    offer("R1H", "trauma", "Major trauma system design and training",
          "Design of trauma networks and major trauma centres, with trauma team and emergency surgery "
          "training.",
          [CON, EDU], ["115", "180", "192"], [INC, REM], ["en"], 90, ["SA", "QA"], (80000, 700000)),
    # South London and Maudsley
    offer("RV5", "mh-edu", "Mental health workforce training",
          "Training in psychological therapies, eating disorders and addiction for mental health teams.",
          [EDU], ["710", "656", "720", "721"], [INC, REM], ["en"], 120, ["CN", "AE"], (30000, 300000)),
    # Chelsea and Westminster
    offer("RQM", "burns", "Burns care training for adults and children",
          "Education for burns surgeons, nurses and therapists, with advice on burns unit design.",
          [EDU, CON], ["161", "220", "160"], [INC, UKB], ["en"], 50, ["AE"], (30000, 250000)),
    # Royal National Orthopaedic Hospital
    offer("RAN", "ortho", "Orthopaedic and spinal surgery training and advice",
          "Surgical training, complex case advice and rehabilitation pathways in orthopaedics, spinal surgery "
          "and prosthetics.",
          [EDU, ADV], ["110", "108", "657", "314"], [INC, REM, UKB], ["en"], 60, ["KW"], (40000, 400000)),
    # London Ambulance Service
    offer("RRU", "prehosp", "Pre-hospital care and emergency dispatch training",
          "Training for paramedics and emergency call handlers, and advice on clinical triage in dispatch "
          "centres.",
          [EDU, CON], ["180"], [INC, REM], ["en"], 80, ["AE"], (30000, 300000)),
    # East London NHS Foundation Trust
    offer("RWK", "qi", "Quality improvement programme for mental health and community services",
          "Quality improvement training and coaching for frontline and leadership teams in mental health, "
          "learning disability and community services.",
          [CON, EDU], ["710", "700"], [INC, REM], ["en"], 80, [], (40000, 350000)),
    # Sheffield Teaching Hospitals
    offer("RHQ", "diab-remote", "Remote diabetes and diabetic foot education",
          "Online courses and case-based teaching in diabetes, diabetic foot care and podiatry.",
          [EDU, DIG], ["307", "920", "653"], [REM], ["en"], 60, ["MY"], (20000, 150000)),
    # Sheffield Children's
    offer("RCU", "paed-surg", "Paediatric surgery and orthopaedics training",
          "Training and visiting surgical teams in paediatric general surgery and children's orthopaedics.",
          [EDU], ["171", "214", "420"], [INC, UKB], ["en"], 40, ["GH"], (30000, 200000)),
    # Newcastle
    offer("RTD", "cardiothoracic", "Heart and lung transplant clinical advice",
          "Advice on heart and lung transplant programmes for adults and children, including mechanical "
          "circulatory support.",
          [ADV, CON], ["174", "170", "212"], [INC, REM], ["en"], 50, ["KW"], (80000, 600000)),
    # Northumbria Healthcare
    offer("RTF", "mgmt", "Hospital operations and patient experience consultancy",
          "Advice on hospital flow, real-time patient experience measurement and operational performance.",
          [CON], [], [INC, REM], ["en"], 80, ["SA"], (50000, 500000)),
    offer("RTF", "emerg-care", "Specialist emergency care hospital design",
          "Lessons from running a specialist emergency care hospital: layout, consultant-led front door, "
          "acute medicine and ambulance handover.",
          [CON], ["180", "326"], [INC, REM], ["en"], 50, [], (60000, 450000)),
    # Yorkshire Ambulance Service
    offer("RX8", "prehosp", "Pre-hospital care and paramedic training",
          "Paramedic education, clinical skills and mass casualty exercises delivered in country.",
          [EDU], ["180"], [INC], ["en"], 70, [], (25000, 200000)),
    # Leeds and York Partnership
    offer("RGD", "mh", "Adult mental health and eating disorders training",
          "Training for adult mental health, psychiatric intensive care and eating disorders teams.",
          [EDU], ["710", "720", "723"], [INC, REM], ["en"], 50, [], (20000, 180000)),
    # Cumbria, Northumberland, Tyne and Wear
    offer("RX4", "forensic", "Secure and forensic mental health service design",
          "Consultancy on secure mental health units, forensic pathways and psychiatric intensive care.",
          [CON], ["712", "723", "710"], [INC, REM], ["en"], 50, ["IE"], (50000, 400000)),
    # Manchester University
    offer("R0A", "genomics", "Genomic medicine and clinical genetics education",
          "Education in clinical genetics, rare disease diagnosis and genomic testing pathways.",
          [EDU, RES], ["311", "333"], [REM, UKB], ["en"], 50, ["IN"], (30000, 300000)),
    # Alder Hey
    offer("RBS", "paed-digital", "Children's hospital design and digital innovation",
          "Advice on children's hospital design, paediatric emergency and intensive care, and digital "
          "tools for families.",
          [CON, DIG], ["420", "242", "270"], [INC, REM], ["en"], 60, ["CN"], (60000, 500000)),
    # Liverpool Heart and Chest
    offer("RBQ", "cardiac", "Cardiac and thoracic surgery education and proctoring",
          "Surgical proctoring, cardiac catheter laboratory training and cardiothoracic critical care "
          "education.",
          [EDU, ADV], ["170", "172", "173", "320"], [INC, UKB], ["en"], 60, ["SA"], (50000, 450000)),
    # Clatterbridge
    offer("REN", "radiotherapy", "Clinical oncology and radiotherapy training",
          "Radiotherapy planning, physics and clinical oncology training, including ocular proton therapy.",
          [EDU, ADV], ["800", "370"], [INC, REM, UKB], ["en"], 70, ["IE", "KE"], (30000, 300000)),
    # Walton Centre
    offer("RET", "neuro", "Neurosciences training and advice",
          "Training in neurosurgery, neurology, clinical neurophysiology and pain management.",
          [EDU, ADV], ["150", "400", "191", "401"], [INC, REM], ["en"], 50, ["SA"], (30000, 300000)),
    # Mersey Care
    offer("RW4", "suicide-prev", "Suicide prevention and safer mental health care programme",
          "Consultancy and training for mental health services adopting suicide prevention and just culture "
          "approaches.",
          [CON, EDU], ["710", "722", "712"], [INC, REM], ["en"], 60, ["IE", "AE"], (40000, 350000)),
    # North West Ambulance Service
    offer("RX7", "clinical-hub", "Emergency operations and clinical hub design",
          "Design of emergency operations centres with clinical triage hubs and remote clinical assessment.",
          [CON, DIG], ["180"], [INC, REM], ["en"], 40, [], (40000, 300000)),
    # Greater Manchester Mental Health
    offer("RXV", "addiction", "Addiction and dual diagnosis training",
          "Training for teams treating addiction alongside mental illness.",
          [EDU], ["721", "726", "710"], [INC, REM], ["en"], 40, [], (20000, 150000)),
    # Liverpool Women's
    offer("REP", "maternity", "Maternity, neonatal and fertility service advice",
          "Advice and training for maternity, fetal medicine, neonatal and fertility services.",
          [CON, EDU], ["501", "502", "560", "422", "505"], [INC, REM], ["en"], 60, ["AE", "QA"], (40000, 400000)),
    # University Hospitals Birmingham
    offer("RRK", "digital-ehr", "Clinical decision support and electronic records advice",
          "Advice on hospital electronic prescribing, early warning scores and clinical decision support.",
          [DIG, CON], ["300", "326", "192"], [INC, REM], ["en"], 50, ["AE", "QA"], (80000, 600000)),
    # Birmingham Women's and Children's
    offer("RQ3", "women-children", "Women's and children's services training",
          "Training for paediatric, paediatric surgery, obstetric and fetal medicine teams.",
          [EDU], ["420", "171", "501", "505"], [INC, REM, UKB], ["en"], 60, ["SA", "KW"], (30000, 300000)),
    # Nottingham University Hospitals
    offer("RX1", "neonatal", "Neonatal intensive care education",
          "Education and advice for neonatal intensive and special care units.",
          [EDU, ADV], ["422", "424"], [INC, REM], ["en"], 50, ["MY"], (30000, 250000)),
    # University Hospitals of Leicester
    offer("RWE", "diabetes-ed", "Structured diabetes education and prevention programmes",
          "Licensing and training for structured education programmes for people with or at risk of type 2 "
          "diabetes, adapted to local language and culture.",
          [EDU, DIG], ["307", "920", "302"], [INC, REM], ["en"], 150, ["IN", "MY", "AE"], (30000, 400000)),
    # West Midlands Ambulance Service
    offer("RYA", "prehosp", "Ambulance service development consultancy",
          "Advice on ambulance fleet, response standards, dispatch and paramedic education.",
          [CON, EDU], ["180"], [INC, REM], ["en"], 50, ["SA"], (40000, 350000)),
    # Nottinghamshire Healthcare
    offer("RHA", "forensic", "Forensic mental health education",
          "Education for staff in high and medium secure forensic mental health services.",
          [EDU], ["712", "710"], [INC, REM], ["en"], 30, [], (20000, 150000)),
    # Robert Jones and Agnes Hunt
    offer("RL1", "spinal-injuries", "Spinal injuries and orthopaedic rehabilitation advice",
          "Advice on spinal injuries units and orthopaedic rehabilitation services.",
          [ADV, CON], ["323", "110", "108"], [INC, REM], ["en"], 30, ["KW"], (30000, 200000)),
    # Cambridge University Hospitals
    offer("RGT", "neurocritical", "Neurocritical care and major trauma education",
          "Education for intensive care, neurosurgery and trauma teams.",
          [EDU], ["192", "150", "115"], [INC, REM, UKB], ["en"], 50, ["CN"], (30000, 300000)),
    # Royal Papworth
    offer("RGM", "cardiothoracic", "Cardiothoracic, transplant and respiratory advice",
          "Advice and training in cardiothoracic surgery, heart and lung transplant, extracorporeal "
          "support and respiratory medicine.",
          [ADV, EDU], ["170", "174", "340", "192"], [INC, REM, UKB], ["en"], 60, ["KW"], (60000, 500000)),
    # Norfolk and Norwich
    offer("RM1", "elderly", "Elderly care and orthogeriatric service design",
          "Service design for frail older people, hip fracture care and orthogeriatrics.",
          [CON], ["430", "431", "110"], [INC, REM], ["en"], 30, [], (30000, 200000)),
    # Oxford University Hospitals
    offer("RTH", "research", "Clinical trials and infectious disease research partnership",
          "Research partnerships in infectious diseases, vaccines and tropical medicine, with trial "
          "site development.",
          [RES, PART], ["350", "352", "834"], [INC, REM], ["en"], 80, ["KE", "VN"], (100000, 1500000)),
    # University Hospital Southampton
    offer("RHM", "critical-care", "Critical care and respiratory education",
          "Intensive care and respiratory education, including surge capacity planning learned in the "
          "COVID-19 pandemic.",
          [EDU, CON], ["192", "340"], [INC, REM], ["en"], 60, ["SA", "IN"], (30000, 300000)),
    # Oxford Health
    offer("RNU", "digital-mh", "Digital mental health and psychological therapies",
          "Digital and remote psychological therapy programmes with supervision for local therapists.",
          [DIG, EDU], ["710", "656"], [REM], ["en"], 60, ["CN"], (40000, 350000)),
    # South Central Ambulance Service
    offer("RYE", "prehosp", "Pre-hospital and air ambulance training",
          "Training for pre-hospital critical care, air ambulance and remote clinical assessment.",
          [EDU], ["180"], [INC, REM], ["en"], 30, [], (20000, 150000)),
    # Queen Victoria Hospital
    offer("RPC", "burns-plastics", "Burns, plastic and maxillofacial surgery training",
          "Surgical training and service advice in burns, reconstructive plastic and maxillofacial surgery.",
          [EDU, ADV], ["161", "160", "145"], [INC, UKB], ["en"], 40, ["LY", "KW"], (30000, 250000)),
    # Sussex Partnership
    offer("RX2", "camhs", "Child, adolescent and perinatal mental health training",
          "Training for child and adolescent mental health and perinatal mental health teams.",
          [EDU], ["711", "724"], [INC, REM], ["en"], 40, [], (20000, 150000)),
    # Royal Devon
    offer("RH8", "genetic-diabetes", "Genetic diabetes diagnosis and advice",
          "Genetic testing and specialist advice for neonatal and monogenic diabetes, with education for "
          "diabetes teams.",
          [ADV, RES], ["311", "307", "263"], [REM, UKB], ["en"], 40, ["IN", "SA"], (20000, 200000)),
    # Bristol NHS Foundation Trust
    offer("RA7", "paed-neuro-cardiac", "Children's heart and neurosurgery advice",
          "Clinical advice and team training in paediatric cardiology, cardiac surgery and neurosurgery.",
          [ADV, EDU], ["321", "221", "218"], [INC, REM], ["en"], 40, ["KW"], (40000, 350000)),
    # South Western Ambulance Service
    offer("RYF", "rural-prehosp", "Rural pre-hospital care and clinical hub",
          "Advice on ambulance services for rural and remote areas, clinical hubs and community first "
          "responders.",
          [CON, EDU], ["180"], [INC, REM], ["en"], 30, ["OM"], (25000, 200000)),
    # Private providers
    offer("HCA-UK", "cancer-cardiac", "Cancer and cardiac clinical advice for private hospitals",
          "Consultant advice, second opinions and pathway design in cancer and cardiac care for private "
          "hospital groups.",
          [ADV, CON], ["370", "320", "172"], [INC, REM, UKB], ["en", "ar"], 150, ["AE", "KW", "QA"],
          (100000, 1500000)),
    offer("SPIRE", "elective-hub", "Elective surgery centre set-up",
          "Advice on planning and commissioning elective orthopaedic and general surgery centres.",
          [CON], ["110", "100"], [INC, REM], ["en"], 60, ["IE"], (80000, 700000)),
    offer("CIRCLE", "mgmt", "Hospital management and operational turnaround",
          "Management consultancy for private and public hospitals: operating model, theatre productivity "
          "and clinical leadership.",
          [CON, OPS], [], [INC], ["en"], 120, ["AE"], (200000, 3000000)),
    # Universities
    offer("KCL", "nursing-edu", "Nursing and midwifery leadership education",
          "Postgraduate nursing and midwifery leadership programmes and research training from the Florence "
          "Nightingale Faculty.",
          [EDU, RES], ["560", "192"], [INC, REM, UKB], ["en"], 120, ["SA", "CN"], (50000, 600000)),
    offer("UOL", "health-informatics", "Health informatics and medical education partnership",
          "Postgraduate health informatics, medical education and applied health research, delivered with "
          "a local university.",
          [EDU, RES], None, [INC, REM], ["en"], 100, ["MY"], (50000, 500000)),
]

# ---------------------------------------------------------------------------
# Strategies
# ---------------------------------------------------------------------------


def strategy(provider, risk, domestic, motives, target=(), excluded=(), min_gbp=None,
             law=("GB",)):
    rec = {"record": "strategy", "id": f"{provider}-strategy", "provider": provider}
    if target:
        rec["target_countries"] = list(target)
    if excluded:
        rec["excluded_countries"] = list(excluded)
    rec["risk_appetite"] = risk
    rec["domestic_status"] = domestic
    if min_gbp is not None:
        rec["min_contract_gbp"] = min_gbp
    if law:
        rec["accepted_law"] = list(law)
    rec["motives"] = list(motives)
    return rec


R, REP_, RL, RR, REACH, PH = ("revenue", "reputation", "research_learning",
                              "recruitment_retention", "reach", "philanthropy")

STRATEGIES = [
    strategy("RR8", "low", "green", [R, REP_, RL], ["JO", "SA", "AE"], ["RU"], 25000),
    strategy("RP4", "medium", "green", [R, REP_, RL, REACH], ["KW", "AE", "QA", "SA"], ["RU", "BY"],
             100000, ["GB", "AE"]),
    strategy("RPY", "low", "green", [R, REP_, RL], ["KW", "AE", "QA"], ["RU"], 50000),
    strategy("RP6", "medium", "green", [R, REP_, REACH], ["AE", "SA", "QA", "MY"], ["RU"], 100000,
             ["GB", "AE"]),
    strategy("RYJ", "medium", "green", [R, REP_, RL], ["AE", "KW", "IN"], ["RU", "BY"], 75000,
             ["GB", "AE"]),
    strategy("RBV", "medium", "green", [R, REP_, PH, RL], ["IE", "CN", "IN"], ["RU"], 30000),
    strategy("G6V2S", "low", "green", [R, REACH, RL], ["CN", "MY"], ["RU", "SA"], 20000),
    strategy("RAL", "medium", "green", [R, REP_, RR], ["KW", "AE", "GH"], ["RU", "BY"], 50000,
             ["GB", "AE"]),
    strategy("RJ1", "medium", "green", [R, REP_, RL], ["SA", "AE"], ["RU"], 100000, ["GB", "AE"]),
    strategy("RJZ", "medium", "green", [R, REP_], ["AE"], ["RU"], 100000, ["GB", "AE"]),
    strategy("RRV", "low", "green", [R, RL], ["SA", "KW"], ["RU", "CN"], 75000),
    strategy("R1H", "low", "green", [R, RR, REP_], ["SA", "QA"], ["RU"], 50000),
    strategy("RV5", "low", "amber", [R, RL], ["CN", "AE"], ["RU"], 25000),
    strategy("RQM", "low", "green", [R, REP_], [], ["RU"], 30000),
    strategy("RAN", "medium", "green", [R, REP_], ["KW", "SA"], ["RU"], 40000),
    strategy("RRU", "low", "green", [REP_, RR, R], ["AE"], ["RU", "CN"], 25000),
    strategy("RWK", "low", "green", [REACH, PH, RL], [], ["RU", "SA"], 15000),
    strategy("RHQ", "low", "green", [R, RL], [], ["RU"], 15000),
    strategy("RTD", "low", "green", [R, REP_, RL], [], ["RU"], 50000),
    strategy("RTF", "high", "green", [R, REP_, REACH], ["SA", "AE", "KW"], ["RU"], 20000,
             ["GB", "AE"]),
    strategy("RX8", "low", "green", [RR, R], [], ["RU", "CN", "SA"], 20000),
    strategy("RBS", "medium", "amber", [R, REP_, RL], ["CN", "AE"], ["RU"], 40000),
    strategy("RBQ", "medium", "green", [R, REP_], ["SA", "KW"], ["RU"], 50000),
    strategy("REN", "low", "green", [R, RL], [], ["RU"], 25000),
    strategy("R0A", "medium", "amber", [R, RL], ["IN", "CN"], ["RU"], 50000),
    strategy("RRK", "medium", "amber", [R, REP_], ["AE", "SA"], ["RU"], 100000, ["GB", "AE"]),
    strategy("RWE", "medium", "amber", [R, REACH, RL, PH], ["IN", "MY", "AE"], ["RU"], 20000),
    strategy("RX7", "low", "amber", [RR], [], ["RU", "CN", "SA"], 20000),
    strategy("RHA", "low", "red", [RL], [], ["RU", "CN", "SA"], None),
    strategy("RGM", "medium", "green", [R, REP_, RL], ["KW", "SA"], ["RU"], 50000),
    strategy("RM1", "low", "red", [R], [], ["RU"], None),
    strategy("RTH", "high", "green", [RL, REP_, PH, REACH], ["KE", "VN", "GH"], ["RU", "BY"], 50000),
    strategy("RHM", "low", "green", [R, RL], [], ["RU"], 25000),
    strategy("RYE", "low", "red", [RR], [], ["RU", "CN"], None),
    strategy("RH8", "low", "green", [RL, PH, REACH], ["IN", "SA"], ["RU"], None),
    strategy("RA7", "low", "green", [R, REP_], [], ["RU"], 25000),
    strategy("HCA-UK", "high", "green", [R, REACH], ["AE", "KW", "QA", "SA"], [], 250000,
             ["GB", "AE"]),
]

# ---------------------------------------------------------------------------
# Opportunities
# ---------------------------------------------------------------------------

BUYER_COUNTRY = {b[0]: b[3] for b in BUYERS}


def opp(id, buyer, title, description, source, status, service_lines=None, specialties=None,
        delivery_modes=None, languages=None, value=None, due=None, starts=None, months=None,
        requirements=None):
    rec = {"record": "opportunity", "id": id, "buyer": buyer, "country": BUYER_COUNTRY[buyer],
           "title": title, "description": description}
    if service_lines is not None:
        rec["service_lines"] = list(service_lines)
    if specialties is not None:
        rec["specialties"] = list(specialties)
    if delivery_modes is not None:
        rec["delivery_modes"] = list(delivery_modes)
    if languages is not None:
        rec["languages"] = list(languages)
    if value is not None:
        rec["value"] = {"amount": value[0], "currency": value[1]}
    if due:
        rec["response_due"] = due
    if starts:
        rec["starts"] = starts
    if months:
        rec["duration_months"] = months
    rec["source"] = source
    rec["status"] = status
    if requirements is not None:
        rec["requirements"] = requirements
    return rec


def req(n, title, service_line, specialties, modes, days):
    return {"id": f"R{n}", "title": title, "service_line": service_line,
            "specialties": list(specialties), "delivery_modes": list(modes), "days": days}


SA_HOSPITAL_PARTS = [
    req(1, "Paediatric and neonatal intensive care nurse training", EDU, ["242", "422"], [INC], 400),
    req(2, "Children's heart surgery service development", ADV, ["221", "321", "331"], [INC, REM], 300),
    req(3, "Maternity and fetal medicine pathway design", CON, ["501", "505", "560"], [INC], 180),
    req(4, "Children's cancer clinical advice and second opinions", ADV, ["260", "253"], [REM], 150),
    req(5, "Hospital commissioning and management advice", CON, [], [INC, REM], 250),
    req(6, "Diabetes services for children and pregnant women", CON, ["263", "307", "920"], [INC, REM], 120),
    req(7, "Remote specialist opinions and imaging review", DIG, ["420", "812"], [REM], 100),
]

OPPORTUNITIES = [
    # Jordan
    opp("KHCF-2027-01", "KHCF", "Paediatric oncology service development",
        "The foundation seeks a UK partner to train staff and advise on a new children's cancer unit at the "
        "King Hussein Cancer Center in Amman, covering nursing, chemotherapy safety and palliative care.",
        "post", "published", [CON, EDU], ["370", "260"], [INC, REM], ["ar", "en"],
        (1200000, "JOD"), "2027-03-31", "2027-06-01", 36),
    opp("KHCF-2026-02", "KHCF", "Adult cancer centre twinning",
        "Renewal of a long-term twinning arrangement for adult cancer care: joint case conferences, staff "
        "exchanges, shared treatment protocols and audit.",
        "direct", "closed", [PART, ADV], ["370", "800", "303"], [INC, REM, UKB], ["ar", "en"],
        (850000, "JOD"), "2026-09-30", "2027-01-01", 60),
    opp("KHCF-2027-03", "KHCF", "Bone marrow transplant programme clinical advice",
        "Clinical advice and training to expand the adult and paediatric bone marrow transplant programme.",
        "agency", "published", [ADV, EDU], ["308", "303", "253"], [INC, REM], ["en"],
        (900000, "USD"), "2027-05-15", "2027-09-01", 24),
    # Kuwait
    opp("KW-MOH-2026-01", "KW-MOH", "Paediatric specialist clinical advice",
        "The ministry wants named UK paediatric specialists to review complex children's cases remotely and "
        "receive a small number of patients in the UK when treatment is not available in Kuwait.",
        "direct", "published", [ADV], ["420", "321", "242", "421"], [REM, UKB], ["ar", "en"],
        (650000, "KWD"), "2026-12-15", "2027-03-01", 36),
    opp("KW-MOH-2026-02", "KW-MOH", "Help for a new eye hospital",
        "Message from the embassy trade team: the ministry is building a new eye hospital and would like "
        "a British eye hospital to advise on how to run it, train local eye doctors and nurses, and "
        "possibly help manage it for the first few years. They also asked about checking the eyes of "
        "people with diabetes, which is a big problem in Kuwait.",
        "post", "published", due="2027-02-28"),
    opp("KW-MOH-2027-03", "KW-MOH", "Radiotherapy physics and clinical oncology training",
        "Training for radiotherapy physicists, dosimetrists and clinical oncologists at the Kuwait Cancer "
        "Control Center.",
        "trade_mission", "draft", [EDU], ["800"], [INC, UKB], ["en"], (400000, "KWD"),
        "2027-06-30", "2027-10-01", 24),
    # United Arab Emirates
    opp("AE-DOH-2026-01", "AE-DOH", "Diabetes prevention and care programme",
        "Design of an emirate-wide diabetes prevention and care pathway, with education for primary care "
        "clinicians, dietitians and diabetes educators.",
        "agency", "published", [CON, EDU], ["307", "920", "302", "654"], [INC, REM], ["ar", "en"],
        (5500000, "AED"), "2026-11-30", "2027-02-01", 36),
    opp("AE-DOH-2027-02", "AE-DOH", "Obesity and metabolic surgery service review",
        "Review of obesity services, bariatric surgery outcomes and weight management for adults and "
        "teenagers.",
        "post", "pending_review", [CON, ADV], ["109", "307", "252"], [INC, REM], ["en"],
        (2200000, "AED"), "2027-04-30", "2027-07-01", 18),
    opp("AE-DHA-2026-01", "AE-DHA", "Community mental health service model",
        "Design of community mental health services for adults and young people, with training for "
        "psychiatrists, psychologists and nurses.",
        "post", "published", [CON, EDU], ["710", "711", "656"], [INC, REM], ["ar", "en"],
        (3000000, "AED"), "2026-12-31", "2027-04-01", 24),
    opp("AE-DHA-2027-02", "AE-DHA", "Diabetic eye screening programme",
        "A population programme to screen people with diabetes for eye disease, with remote grading and "
        "referral to ophthalmology.",
        "trade_mission", "published", [CON, DIG], ["130", "307", "461"], [INC, REM], ["en"],
        (4000000, "AED"), "2027-03-31", "2027-09-01", 36),
    opp("AE-SEHA-2026-01", "AE-SEHA", "Adult and paediatric intensive care education",
        "Accredited education for intensive care nurses and doctors across SEHA hospitals.",
        "tender", "published", [EDU], ["192", "242"], [INC, REM], ["en"], (2800000, "AED"),
        "2026-11-15", "2027-01-15", 24),
    # Saudi Arabia
    opp("SA-MOH-2027-01", "SA-MOH", "Women's and children's specialist hospital programme",
        "The ministry is commissioning a new women's and children's specialist hospital and seeks a UK "
        "consortium to train staff, develop children's heart surgery, maternity and children's cancer "
        "services, and advise on commissioning and management during the first five years.",
        "agency", "published", [EDU, ADV, CON, DIG],
        ["242", "422", "221", "321", "331", "501", "505", "560", "260", "253", "263", "307", "920", "420", "812"],
        [INC, REM], ["ar", "en"], (150000000, "SAR"), "2027-06-30", "2028-01-01", 60,
        requirements=SA_HOSPITAL_PARTS),
    opp("SA-MOH-2026-02", "SA-MOH", "Diabetes centres of excellence",
        "Support to establish regional diabetes centres: clinical model, diabetic foot and eye services, "
        "education and registry.",
        "trade_mission", "published", [OPS, CON, EDU], ["307", "302", "920", "653", "130"], [INC],
        ["ar", "en"], (45000000, "SAR"), "2026-12-31", "2027-06-01", 48),
    opp("SA-MOH-2026-03", "SA-MOH", "Waiting lists for children's heart operations",
        "Forwarded by the embassy trade team: a health cluster in the Eastern Province has a long waiting "
        "list for children's heart surgery and asks whether a UK children's hospital could send a visiting "
        "team to operate with local surgeons, train the children's ICU nurses and help them reach the point "
        "where they can do these operations alone.",
        "post", "published", due="2027-01-31"),
    opp("SA-HHC-2027-01", "SA-HHC", "Health cluster management consultancy",
        "Advice to health cluster executive teams on governance, performance management and patient flow.",
        "tender", "published", [CON], [], [INC, REM], ["en"], (12000000, "SAR"), "2027-02-15",
        "2027-05-01", 24),
    opp("SA-HMG-2026-01", "SA-HMG", "Oncology nurse training programme",
        "Training for oncology nurses in chemotherapy administration, safe handling and palliative care.",
        "direct", "published", [EDU], ["370", "315"], [INC, REM], ["en"], (3500000, "SAR"),
        "2026-12-01", "2027-03-01", 24),
    # Qatar
    opp("QA-HMC-2026-01", "QA-HMC", "Trauma and emergency medicine education",
        "Trauma team training, emergency medicine education and simulation for Hamad Trauma Center staff.",
        "tender", "published", [EDU], ["180", "115", "192"], [INC, UKB], ["en"], (6000000, "QAR"),
        "2026-12-20", "2027-04-01", 36),
    opp("QA-HMC-2027-02", "QA-HMC", "Tele-stroke network",
        "A remote stroke assessment service linking regional hospitals with a stroke centre, with training.",
        "delegation", "pending_review", [DIG, ADV, EDU], ["328", "400"], [REM, INC], ["en"],
        (3200000, "QAR"), "2027-05-31", "2027-10-01", 24),
    opp("QA-SIDRA-2026-01", "QA-SIDRA", "Paediatric rare disease and genetics research partnership",
        "Research collaboration on genetic diagnosis of rare diseases in children, including monogenic "
        "diabetes.",
        "direct", "published", [RES, ADV], ["311", "333", "263"], [REM], ["en"], (1500000, "QAR"),
        "2027-01-31", "2027-04-01", 36),
    # Oman
    opp("OM-MOH-2026-01", "OM-MOH", "National non-communicable disease screening programme",
        "Design of national screening for diabetes, high blood pressure and high cholesterol in primary "
        "care, with clinician education and digital records.",
        "post", "published", [CON, EDU, DIG], ["307", "320", "302"], [INC, REM], ["ar", "en"],
        (900000, "OMR"), "2027-01-15", "2027-05-01", 30),
    opp("OM-MOH-2027-02", "OM-MOH", "Ambulance service improvement",
        "Note from the trade team in Muscat: the ministry wants to improve its emergency ambulance "
        "service, especially in mountain and desert areas far from hospitals. Interested in training for "
        "paramedics, how emergency calls are answered and prioritised, and advice from a UK ambulance "
        "service that covers rural areas.",
        "post", "draft"),
    # China
    opp("CN-NHC-2026-01", "CN-NHC", "Child and adolescent mental health education",
        "Postgraduate education in child and adolescent psychotherapy and family therapy, delivered with "
        "Chinese universities.",
        "delegation", "published", [EDU], ["711", "713", "656"], [INC, REM], ["zh", "en"],
        (6000000, "CNY"), "2026-12-31", "2027-09-01", 36),
    opp("CN-NHC-2027-02", "CN-NHC", "Hospital leadership and quality improvement training",
        "Management and quality improvement training for county hospital directors and nursing leaders.",
        "trade_mission", "published", [EDU, CON], [], [INC, UKB], ["zh", "en"], (4500000, "CNY"),
        "2027-03-31", "2027-06-01", 24),
    opp("CN-NHC-2027-03", "CN-NHC", "Care for older people with memory problems",
        "A provincial health commission delegation visiting London asked for help with care for the "
        "growing number of older people with dementia and memory loss: memory clinics, training for "
        "nurses and carers, and keeping frail elderly people out of hospital.",
        "delegation", "published", due="2027-04-30"),
    opp("CN-UFH-2026-01", "CN-UFH", "Paediatric and neonatal intensive care training",
        "Training for paediatric and neonatal intensive care teams across the group's hospitals.",
        "direct", "published", [EDU], ["242", "422"], [INC, REM], ["en", "zh"], (3000000, "CNY"),
        "2026-11-30", "2027-03-01", 24),
    # India
    opp("IN-MOHFW-2026-01", "IN-MOHFW", "Digital diabetes and hypertension management",
        "Remote monitoring and structured education for people with diabetes and high blood pressure in "
        "primary care, at scale.",
        "agency", "published", [DIG, EDU], ["307", "920", "320"], [REM, INC], ["en", "hi"],
        (150000000, "INR"), "2027-01-31", "2027-06-01", 36),
    opp("IN-MOHFW-2027-02", "IN-MOHFW", "Critical care nursing education",
        "Education for critical care nurses in district hospitals.",
        "trade_mission", "pending_review", [EDU], ["192"], [INC, REM], ["en", "hi"],
        (80000000, "INR"), "2027-06-30", "2027-10-01", 24),
    opp("IN-APOLLO-2026-01", "IN-APOLLO", "Cancer centre partnership",
        "A long-term partnership for the group's cancer centres covering radiotherapy, proton therapy "
        "and medical oncology.",
        "direct", "published", [PART, ADV], ["800", "370"], [REM, INC], ["en"], (250000000, "INR"),
        "2027-02-28", "2027-07-01", 60),
    opp("IN-APOLLO-2027-02", "IN-APOLLO", "Diabetic foot and amputation prevention",
        "The hospital group says many of its patients with diabetes lose toes or legs because foot ulcers "
        "are found too late. It wants a UK team to help set up foot clinics, train podiatrists and nurses, "
        "and teach patients to look after their feet.",
        "trade_mission", "published"),
    # Malaysia
    opp("MY-MOH-2026-01", "MY-MOH", "Diabetic eye screening and ophthalmology services",
        "Expansion of diabetic retinopathy screening and ophthalmology capacity in public hospitals.",
        "post", "published", [CON, DIG], ["130", "307"], [INC, REM], ["en", "ms"],
        (8000000, "MYR"), "2027-01-31", "2027-05-01", 36),
    opp("MY-MOH-2027-02", "MY-MOH", "Mental health workforce training",
        "Training in psychological therapies for mental health staff in public hospitals and clinics.",
        "tender", "published", [EDU], ["710", "656"], [INC, REM], ["en", "ms"], (5000000, "MYR"),
        "2027-03-15", "2027-07-01", 24),
    # Libya
    opp("LY-MOH-2026-01", "LY-MOH", "Rebuilding hospital burns and intensive care services",
        "Forwarded from the trade team covering Libya: the ministry wants help to reopen a burns unit and "
        "the ICU at a large hospital damaged in the conflict, train nurses and doctors, and advise on "
        "equipment. Security and payment terms still need to be checked.",
        "post", "pending_review"),
    opp("LY-MOH-2027-02", "LY-MOH", "Kidney dialysis training",
        "Training for nurses and doctors in haemodialysis units.",
        "delegation", "withdrawn", [EDU], ["361"], [INC], ["ar", "en"], (5000000, "LYD"),
        "2027-03-31", "2027-06-01", 12),
    # Egypt
    opp("EG-MOHP-2026-01", "EG-MOHP", "Hospital accreditation readiness consultancy",
        "Consultancy to prepare public hospitals for accreditation under the universal health insurance "
        "system.",
        "tender", "published", [CON], [], [INC], ["ar", "en"], (60000000, "EGP"), "2026-12-15",
        "2027-03-01", 24),
    opp("EG-MOHP-2027-02", "EG-MOHP", "Children with kidney failure",
        "The ministry asked the embassy whether a British children's hospital could help its doctors "
        "treat children whose kidneys have failed, including starting a kidney transplant programme for "
        "children and training nurses who run dialysis for young children.",
        "post", "published", due="2027-05-31"),
    opp("WHO-EMRO-2026-01", "WHO-EMRO", "Mental health and psychosocial support training",
        "Training of trainers in mental health and psychosocial support for primary care staff in the "
        "region.",
        "agency", "published", [EDU], ["710", "711"], [REM, INC], ["ar", "en"], (750000, "USD"),
        "2026-11-30", "2027-02-01", 18),
    # Kenya
    opp("KE-MOH-2026-01", "KE-MOH", "Cancer care training",
        "Oncology training for doctors, nurses and pharmacists in county referral hospitals.",
        "post", "published", [EDU], ["370", "800", "315"], [INC, REM], ["en", "sw"],
        (600000, "GBP"), "2027-01-31", "2027-05-01", 36),
    # Ghana
    opp("GH-KBTH-2026-01", "GH-KBTH", "Children's heart surgery and intensive care",
        "A delegation from Korle Bu asked for help with children's heart surgery: visiting surgical teams, "
        "training for the ICU and theatre nurses, and advice on keeping children safe after their "
        "operations. Funding may come partly from donors.",
        "delegation", "published", due="2027-03-31"),
    # Viet Nam
    opp("VN-MOH-2027-01", "VN-MOH", "Emergency medicine and pre-hospital care training",
        "Training for emergency departments and ambulance crews in major cities.",
        "trade_mission", "published", [EDU], ["180", "115"], [INC, REM], ["vi", "en"],
        (20000000000, "VND"), "2027-04-30", "2027-09-01", 24),
    opp("VN-VINMEC-2026-01", "VN-VINMEC", "Stem cell transplant clinical advice",
        "Clinical advice on stem cell and bone marrow transplant services.",
        "direct", "withdrawn", [ADV], ["308", "303"], [REM], ["en"], (12000000000, "VND"),
        "2026-10-31", "2027-01-01", 24),
    # Brazil
    opp("BR-EINSTEIN-2027-01", "BR-EINSTEIN", "Virtual wards and remote monitoring research",
        "Joint research and implementation of virtual wards and remote monitoring for long-term conditions.",
        "agency", "draft", [RES, DIG], ["300", "307", "340"], [REM], ["pt", "en"],
        (3000000, "BRL"), "2027-08-31", "2028-01-15", 36),
    # Ireland
    opp("IE-HSE-2026-01", "IE-HSE", "Cancer centre partnership with a teaching hospital",
        "Partnership between a UK cancer centre and an Irish teaching hospital for radiotherapy and "
        "medical oncology.",
        "direct", "closed", [PART, ADV], ["370", "800"], [INC, REM], ["en"], (2500000, "EUR"),
        "2026-09-15", "2026-12-01", 48),
]


def main():
    records = organisations() + OFFERS + STRATEGIES + OPPORTUNITIES
    with open(OUT, "w", encoding="utf-8", newline="\n") as f:
        for rec in records:
            f.write(json.dumps(rec, ensure_ascii=False, separators=(",", ":")) + "\n")
    print(f"wrote {len(records)} records to {OUT}")


if __name__ == "__main__":
    main()
