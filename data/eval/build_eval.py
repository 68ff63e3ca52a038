#!/usr/bin/env python3
"""Source of `match_eval.jsonl`, the labelled matchmaking evaluation set.

The opportunities, the grades (0-3) and the "why" sentences below are written by
hand against the demo world's fictional offers and strategies
(`data/demo/world.jsonl`). Only the `blocked` lists are computed, by the hard
rules as README.md states them; the script refuses to write the file when a
provider graded 1 or more is blocked, or when a provider named in
`blocked_relevant` (a relevant provider the grader expects a rule to keep out)
is not blocked by that very rule.

Edit this script, not the output, then run

    python3 data/eval/build_eval.py && python3 data/eval/check.py

The output is deterministic. Standard library only.
"""

import csv
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE.parent
WORLD = DATA / "demo" / "world.jsonl"
OUT = HERE / "match_eval.jsonl"

AMBER_MAX_GBP = 250_000  # "small": worth less than this in pounds...
AMBER_MAX_DAYS = 60  # ...or needing fewer staff days than this in total
RULES = ("excluded_country", "domestic_red", "domestic_amber", "below_min_contract", "no_capacity")


def gbp_rates():
    """Units of each currency per pound: ECB latest fixing, plus the USD pegs."""
    rates = {}
    with open(DATA / "fx" / "fx_rates_latest.csv", newline="") as f:
        for row in csv.DictReader(f):
            rates[row["currency"]] = float(row["units_per_gbp"])
    with open(DATA / "fx" / "usd_pegs.csv", newline="") as f:
        for row in csv.DictReader(f):
            rates[row["currency"]] = float(row["units_per_usd"]) * rates["USD"]
    return rates


def load_world():
    orgs, offers, strategies = {}, {}, {}
    with open(WORLD) as f:
        for line in f:
            r = json.loads(line)
            if r["record"] == "organisation":
                orgs[r["id"]] = r
            elif r["record"] == "offer":
                offers.setdefault(r["provider"], []).append(r)
            elif r["record"] == "strategy":
                strategies[r["provider"]] = r
    return orgs, offers, strategies


def value_gbp(opp, rates):
    v = opp.get("value")
    if not v or v["currency"] not in rates:
        return None  # no value, or a currency without a pound rate (KWD, LYD, EGP, VND, ...)
    return v["amount"] / rates[v["currency"]]


def blocked_by(opp, provider, offers, strategy, rates):
    """The first hard rule (in the issue's order) that keeps `provider` out, or None."""
    gbp = value_gbp(opp, rates)
    reqs = opp.get("requirements") or []
    total_days = sum(r["days"] for r in reqs) if reqs else None
    # Capacity is stated a year; a part's days are spread over the work's
    # duration (never less than a year), rounded up.
    months = max(opp.get("duration_months") or 12, 12)
    part_days = -(-min(r["days"] for r in reqs) * 12 // months) if reqs else None
    modes = opp.get("delivery_modes") or []
    if strategy:
        if opp["country"] in strategy.get("excluded_countries", []):
            return "excluded_country"
        status = strategy.get("domestic_status")
        if status == "red":
            return "domestic_red"
        if status == "amber":
            remote = bool(modes) and all(m == "remote" for m in modes)
            small = (gbp is not None and gbp < AMBER_MAX_GBP) or (
                total_days is not None and total_days < AMBER_MAX_DAYS
            )
            if not (remote or small):
                return "domestic_amber"
        minimum = strategy.get("min_contract_gbp")
        if minimum is not None and gbp is not None and gbp < minimum:
            return "below_min_contract"
    if part_days is not None and all(
        o.get("capacity_days_per_year") is not None and o["capacity_days_per_year"] < part_days
        for o in offers
    ):
        return "no_capacity"
    return None


# ---------------------------------------------------------------------------
# The opportunities. Free-text ones carry only what an email, a letter or a
# notice would give: buyer, country, title, description, a reply date, source.
# ---------------------------------------------------------------------------


def free(n, buyer, country, title, description, due, source, grades, why, blocked_relevant=None):
    return {
        "opportunity": {
            "record": "opportunity",
            "id": f"EVAL-{n:02d}",
            "buyer": buyer,
            "country": country,
            "title": title,
            "description": description,
            "response_due": due,
            "source": source,
            "status": "published",
        },
        "free_text": True,
        "grades": grades,
        "why": why,
        "blocked_relevant": blocked_relevant or {},
    }


def structured(n, buyer, country, title, description, service_lines, specialties, modes, languages,
               value, due, starts, months, source, grades, why, blocked_relevant=None,
               requirements=None):
    opp = {
        "record": "opportunity",
        "id": f"EVAL-{n:02d}",
        "buyer": buyer,
        "country": country,
        "title": title,
        "description": description,
        "service_lines": service_lines,
        "specialties": specialties,
        "delivery_modes": modes,
        "languages": languages,
        "value": {"amount": value[0], "currency": value[1]},
        "response_due": due,
        "starts": starts,
        "duration_months": months,
        "source": source,
        "status": "published",
    }
    if requirements:
        opp["requirements"] = [
            {"id": rid, "title": t, "service_line": sl, "specialties": sp, "delivery_modes": dm, "days": d}
            for rid, t, sl, sp, dm, d in requirements
        ]
    return {
        "opportunity": opp,
        "free_text": False,
        "grades": grades,
        "why": why,
        "blocked_relevant": blocked_relevant or {},
    }


ITEMS = [
    # ------------------------------------------------------------ free text
    free(1, "KW-MOH", "KW", "Children's heart surgery for Kuwait",
         "Email from the British Embassy Kuwait trade team: the Ministry of Health would like a British "
         "children's hospital to help its cardiac centre operate on more babies and children with heart "
         "problems in Kuwait instead of sending them abroad. They are thinking of visiting surgeons operating "
         "alongside the local team, training for the nurses in the children's intensive care unit, and regular "
         "case reviews by video.",
         "2027-03-31", "post",
         {"RP4": 3, "RJ1": 3, "RA7": 3, "RTD": 1, "RBQ": 1, "RGM": 1, "HCA-UK": 1, "RQ3": 1, "RX1": 1},
         "Great Ormond Street, Evelina (Guy's and St Thomas') and Bristol each offer children's heart surgery "
         "advice and team training in country and by video; adult cardiac, heart transplant and general "
         "paediatric or neonatal offers are marginal. Alder Hey is amber and this work has no known size.",
         {"RBS": "domestic_amber"}),
    free(2, "VN-VINMEC", "VN", "Pediatric cardiac surgery program: UK partner sought",
         "Vinmec is expanding its pediatric cardiac surgery program at its Hanoi and Ho Chi Minh City "
         "hospitals and is looking for a UK center that can mentor its surgeons and cardiologists, train "
         "pediatric ICU nurses, and help set up an outcomes audit for congenital heart operations.",
         "2027-05-31", "direct",
         {"RP4": 3, "RJ1": 3, "RA7": 3, "RTD": 1, "RBQ": 1, "RGM": 1, "HCA-UK": 1, "RQ3": 1, "RX1": 1},
         "American spelling of EVAL-01's need: the three children's heart offers (GOSH, Evelina, Bristol) are "
         "exact; adult cardiac, transplant and general paediatric offers are marginal; Alder Hey is amber.",
         {"RBS": "domestic_amber"}),
    free(3, "AE-DHA", "AE", "Operator wanted for a new eye hospital in Dubai",
         "The Dubai Health Authority and a local investor are building a specialist eye hospital and want a "
         "well-known British eye hospital to run it with them for the first years, keep clinical standards "
         "high, and train local eye doctors, eye nurses, orthoptists and optometrists.",
         "2027-04-15", "post",
         {"RP6": 3, "CIRCLE": 1, "RJ1": 1, "RTF": 1},
         "Only Moorfields offers to co-run an eye hospital abroad (and ophthalmic education); general hospital "
         "management and operation offers are marginal without the specialty."),
    free(4, "MY-MOH", "MY", "Diabetes self-management education programme",
         "The Ministry of Health Malaysia wants to help people with type 2 diabetes, and people at high risk "
         "of it, to look after themselves: group education sessions in Malay, Chinese and Tamil at health "
         "clinics, online learning, and training for the nurses, dietitians and diabetes educators who will "
         "run the sessions.",
         "2027-06-30", "post",
         {"RYJ": 3, "RHQ": 2, "RH8": 1, "RP6": 1},
         "Imperial's diabetes education (structured patient education, dietitians) fits exactly; Sheffield's "
         "online diabetes teaching is close; Leicester, the best fit on paper, is amber and the size of the "
         "work is unknown.",
         {"RWE": "domestic_amber"}),
    free(5, "IN-APOLLO", "IN", "UK cancer center partner for tumor boards and proton therapy",
         "Apollo Hospitals is looking for a leading UK cancer center to join its tumor boards by video, give "
         "second opinions on complex cancer cases, and train its radiation oncologists and physicists for its "
         "proton therapy center in Chennai.",
         "2027-04-30", "direct",
         {"RBV": 3, "RR8": 3, "REN": 3, "HCA-UK": 2, "RPY": 2, "RRV": 1},
         "The Christie (partnership, proton advice), Leeds (cancer twinning with joint MDTs) and Clatterbridge "
         "(radiotherapy and proton training) deliver it; HCA's cancer second opinions and the Royal Marsden's "
         "cancer offers are close; UCLH haematology is marginal."),
    free(6, "SA-MOH", "SA", "Talking therapies and suicide prevention",
         "Note from the embassy trade team in Riyadh: the Ministry of Health wants to expand community mental "
         "health care. It is asking for training of psychologists and mental health nurses in talking "
         "therapies such as CBT, and advice on a national suicide prevention programme for hospitals and "
         "primary care.",
         "2027-02-28", "post",
         {"RW4": 3, "RNU": 2, "RGD": 2, "RXV": 1, "RX4": 1, "RX2": 1},
         "Mersey Care's suicide prevention programme is exact; Oxford Health's psychological therapies and "
         "Leeds and York's adult mental health training are close. Tavistock and Portman and East London "
         "exclude Saudi Arabia and South London and Maudsley is amber.",
         {"G6V2S": "excluded_country", "RWK": "excluded_country", "RV5": "domestic_amber"}),
    free(7, "CN-UFH", "CN", "Setting up a private ambulance and emergency dispatch service",
         "United Family Healthcare plans its own ambulance service for its hospitals in Beijing and Shanghai "
         "and asks for UK help: training paramedics, setting up a dispatch centre where clinicians assess "
         "callers by phone, and response standards.",
         "2027-03-15", "direct",
         {"RYA": 3, "RYF": 2, "R1H": 1, "RTF": 1},
         "West Midlands Ambulance Service's development consultancy is exact and South Western's clinical hub "
         "advice is close; London, North West and Yorkshire ambulance services exclude China and South "
         "Central is red.",
         {"RRU": "excluded_country", "RX7": "excluded_country", "RX8": "excluded_country",
          "RYE": "excluded_country"}),
    free(8, "GH-KBTH", "GH", "Kidney transplant and dialysis support",
         "Korle Bu Teaching Hospital wants to start a regular kidney transplant programme. Many patients with "
         "kidney failure wait years on dialysis. It asks for a British team to advise on the transplant "
         "service and to train its renal nurses and doctors.",
         "2027-05-15", "delegation",
         {"RAL": 3, "RR8": 3, "RJZ": 1},
         "The Royal Free (renal and transplant development, targets Ghana) and Leeds (kidney transplant "
         "advice) deliver it; King's liver transplant advice is marginal."),
    free(9, "EG-MOHP", "EG", "Chemotherapy and palliative care training for nurses",
         "Egypt's Ministry of Health and Population asks, through the embassy in Cairo, for a training "
         "programme for nurses in its new cancer centres: giving chemotherapy safely and caring for "
         "patients at the end of life, as online courses with some workshops in Egypt.",
         "2027-03-31", "post",
         {"RR8": 3, "RBV": 3, "RPY": 3, "REN": 2, "KCL": 1, "HCA-UK": 1},
         "Three oncology nursing education offers (Leeds, The Christie, Royal Marsden online) are exact; "
         "Clatterbridge teaches clinical oncology and radiotherapy rather than nursing; nursing leadership "
         "and private cancer advice are marginal."),
    free(10, "OM-MOH", "OM", "Safer births: midwives, obstetricians and newborn care",
         "The Omani Ministry of Health wants to bring down the number of mothers and newborn babies who die "
         "around childbirth. It is asking for training for midwives and obstetricians, help to improve care "
         "of sick and premature newborns, and advice on a national maternity care pathway.",
         "2027-04-30", "post",
         {"REP": 3, "RQ3": 3, "RX1": 2, "RP4": 2, "KCL": 2, "RJ1": 1, "RX2": 1},
         "Liverpool Women's (maternity and neonatal advice and training) and Birmingham Women's and "
         "Children's (obstetric training) fit; neonatal intensive care education and midwifery leadership "
         "cover a part; fetal cardiology and perinatal mental health are marginal."),
    free(11, "IN-MOHFW", "IN", "Telemedicine for stroke in district hospitals",
         "India's Ministry of Health and Family Welfare wants district hospitals linked by telemedicine to "
         "stroke specialists, who would look at brain scans and advise on clot-busting treatment, plus "
         "training for the local doctors and nurses who look after stroke patients.",
         "2027-05-31", "agency",
         {"RYJ": 3, "RET": 2, "RGT": 1, "UOL": 1},
         "Imperial's tele-stroke service is exact; the Walton Centre's neurology training and advice is "
         "close; neurocritical care education and health informatics are marginal; Birmingham's digital "
         "advice is out (amber).",
         {"RRK": "domestic_amber"}),
    free(12, "LY-MOH", "LY", "Burns unit for a Tripoli hospital",
         "The Libyan Ministry of Health reports many patients, including children, with severe burns from "
         "explosions and fires. It asks for British burns surgeons to train local surgeons and nurses and to "
         "advise on setting up a proper burns unit.",
         "2027-06-30", "post",
         {"RQM": 3, "RPC": 3, "RHM": 1, "R1H": 1},
         "Chelsea and Westminster (burns training and unit design, adults and children) and Queen Victoria "
         "(burns and plastics training, Libya experience) deliver it; critical care and trauma are marginal."),
    free(13, "CN-NHC", "CN", "Mental health of teenagers and young people",
         "Following a delegation to London, provincial health commissions ask for training of Chinese "
         "psychiatrists and psychologists in treating depression and anxiety in adolescents and in family "
         "therapy, and for advice on setting up community and school-based services for young people.",
         "2027-05-31", "delegation",
         {"G6V2S": 3, "RX2": 3, "RNU": 2, "RWK": 1, "RGD": 1, "RW4": 1},
         "Tavistock and Portman (child psychotherapy and family therapy, China) and Sussex Partnership "
         "(child and adolescent mental health training) are exact; Oxford Health's psychological therapies "
         "are close; South London and Maudsley is amber.",
         {"RV5": "domestic_amber"}),
    free(14, "AE-DOH", "AE", "Turnaround of two public hospitals",
         "The Abu Dhabi Department of Health wants a British hospital management team to turn round the "
         "performance of two public hospitals: long waits, poor use of operating theatres, patients stuck in "
         "beds, and weak governance.",
         "2027-03-31", "agency",
         {"CIRCLE": 3, "RJ1": 3, "RTF": 3, "RWK": 1, "SPIRE": 1},
         "Three hospital management offers (Circle turnaround, Guy's and St Thomas' governance, Northumbria "
         "operations and flow) fit; quality improvement coaching and elective centre advice are marginal; "
         "Birmingham's digital advice is amber.",
         {"RRK": "domestic_amber"}),
    free(15, "KE-MOH", "KE", "Road traffic injuries: building a trauma system",
         "Kenya's Ministry of Health wants to cut deaths from road crashes along the main highways: "
         "designating trauma centres, faster ambulance response, and training for emergency and surgical "
         "teams in county hospitals.",
         "2027-04-30", "post",
         {"R1H": 3, "RGT": 2, "RYA": 2, "RRU": 2, "RYF": 2, "RX8": 2, "RTF": 1, "RAN": 1},
         "Barts' trauma system design and training is exact; trauma education and ambulance services cover "
         "parts; orthopaedics and emergency hospital design are marginal. North West Ambulance is amber and "
         "South Central red.",
         {"RX7": "domestic_amber", "RYE": "domestic_red"}),
    free(16, "KHCF", "JO", "Caring for children with cancer",
         "The King Hussein Cancer Center in Amman asks for help in caring for children with cancer: training "
         "its nurses to give chemotherapy to children safely, end-of-life care for children and their "
         "families, and a link with a British children's cancer team for difficult cases.",
         "2027-02-28", "post",
         {"RR8": 3, "RP4": 3, "RBV": 2, "RPY": 2, "REN": 1, "RRV": 1},
         "Leeds (oncology nurse education and a twinning that covers children's cancer, Jordan experience) "
         "and Great Ormond Street (second opinions incl. paediatric oncology) fit; adult oncology education "
         "is close; radiotherapy and haematology are marginal."),
    free(17, "SA-HMG", "SA", "Spinal surgery and spinal injuries partner",
         "Dr. Sulaiman Al Habib Medical Group wants a British orthopaedic hospital to train its surgeons in "
         "complex spine operations, review difficult cases, and help build rehabilitation for patients "
         "paralysed after spinal injury.",
         "2027-03-31", "direct",
         {"RAN": 3, "RL1": 3, "RET": 2, "SPIRE": 1},
         "The Royal National Orthopaedic Hospital (spinal surgery training and advice) and Robert Jones and "
         "Agnes Hunt (spinal injuries and rehabilitation) deliver it; the Walton Centre's neurosurgery "
         "training is closely related (spines are also operated on by neurosurgeons); elective centre advice "
         "is marginal."),
    free(18, "IE-HSE", "IE", "Perinatal mental health services",
         "The HSE wants specialist perinatal mental health care in every maternity network, for women during "
         "pregnancy and in the year after birth, with training for midwives, public health nurses and mental "
         "health staff.",
         "2027-01-31", "direct",
         {"G6V2S": 3, "RX2": 3, "REP": 1, "KCL": 1, "RGD": 1, "RNU": 1},
         "Tavistock and Portman's community mental health consultancy (perinatal, Ireland experience) and "
         "Sussex Partnership's perinatal training fit; maternity and general mental health offers are "
         "marginal; South London and Maudsley is amber.",
         {"RV5": "domestic_amber"}),
    free(19, "QA-SIDRA", "QA", "Premature babies: NICU nursing and outreach",
         "Sidra Medicine wants to strengthen care of premature and sick newborns: training for nurses in its "
         "neonatal intensive care unit (NICU) and advice on supporting the special care baby units in "
         "smaller hospitals.",
         "2027-04-30", "direct",
         {"RX1": 3, "RP4": 3, "REP": 3, "RQ3": 1, "KCL": 1},
         "Nottingham's neonatal education, Great Ormond Street's neonatal and paediatric intensive care "
         "nursing education and Liverpool Women's neonatal advice fit; general paediatric training and nursing "
         "leadership are marginal; Alder Hey is amber.",
         {"RBS": "domestic_amber"}),
    free(20, "QA-HMC", "QA", "ICU nurses: training after a bed expansion",
         "Hamad Medical Corporation has opened many new ICU beds since COVID and needs help to train ICU "
         "nurses and junior doctors in intensive care, and to plan for surges in demand.",
         "2027-03-31", "tender",
         {"RHM": 3, "RGT": 3, "RGM": 2, "KCL": 2, "RP4": 2, "RAL": 1, "R1H": 1, "RBQ": 1, "RX1": 1},
         "\"ICU\" means critical care: Southampton (critical care education, surge planning) and Cambridge "
         "(education for intensive care teams) are exact; cardiothoracic critical care, nursing education "
         "with intensive care and paediatric intensive care education are close; Alder Hey and Birmingham "
         "are amber.",
         {"RBS": "domestic_amber", "RRK": "domestic_amber"}),
    # ------------------------------------------------------------ structured
    structured(21, "AE-DOH", "AE", "Diabetes centres: model of care and operation",
               "Set-up and co-operation of two diabetes centres in Al Ain and Al Dhafra: multidisciplinary "
               "clinics, diabetic foot service, dietetics and structured education for clinicians and patients.",
               ["service_operation", "consultancy", "education_training"], ["307", "302", "920", "653"],
               ["in_country", "remote"], ["ar", "en"], (12_000_000, "AED"),
               "2027-04-30", "2027-10-01", 48, "agency",
               {"RYJ": 3, "RHQ": 2, "RH8": 1, "RP6": 1},
               "Imperial's diabetes centre model and operation is exact; Sheffield's remote diabetes and foot "
               "education covers the education part; genetic diabetes and diabetic eye screening are marginal. "
               "Leicester is amber and the work (about £2.4m) is neither small nor remote.",
               {"RWE": "domestic_amber"}),
    structured(22, "KW-MOH", "KW", "Remote second opinions for children with rare diseases",
               "Named UK specialists to review, by video and shared records, children with suspected rare and "
               "genetic diseases referred by Kuwaiti paediatricians.",
               ["clinical_advice"], ["420", "333", "311"], ["remote"], ["ar", "en"], (60_000, "KWD"),
               "2027-02-15", "2027-05-01", 24, "direct",
               {"RP4": 3, "R0A": 2, "RH8": 2, "RAL": 1, "RBS": 1},
               "Great Ormond Street's remote specialist opinions are exact; Manchester's genomics education "
               "(amber, but the work is remote only) and Royal Devon's genetic diabetes advice are close. The "
               "value is in dinars with no pound rate, so no minimum contract applies."),
    structured(23, "SA-MOH", "SA", "Regional trauma network for the Eastern Province",
               "A consortium to design a regional trauma network with a major trauma centre, train trauma "
               "teams, and train paramedics and emergency dispatchers.",
               ["consultancy", "education_training"], ["115", "180", "192"], ["in_country", "remote"],
               ["ar", "en"], (30_000_000, "SAR"),
               "2027-05-31", "2027-11-01", 36, "agency",
               {"R1H": 3, "RRU": 3, "RYA": 3, "RGT": 3, "RHM": 2, "RTF": 1, "RAN": 1, "KCL": 1, "RYF": 1},
               "Bundle: Barts (network design, trauma training), Cambridge (trauma team education), London and "
               "West Midlands ambulance (paramedic training) each deliver a part. Over three years the smallest "
               "part (45 days) is 15 days a year, so South Western's 30 a year could take paramedic training, "
               "though it has no trauma work; Yorkshire and North West exclude Saudi Arabia; South Central is "
               "red.",
               {"RX8": "excluded_country", "RX7": "excluded_country", "RYE": "domestic_red"},
               requirements=[
                   ("R1", "Trauma network and major trauma centre design", "consultancy", ["115", "180"],
                    ["in_country", "remote"], 90),
                   ("R2", "Trauma team training", "education_training", ["115", "192"], ["in_country"], 80),
                   ("R3", "Paramedic and dispatcher training", "education_training", ["180"],
                    ["in_country"], 45),
               ]),
    structured(24, "CN-NHC", "CN", "Oncology and palliative care education for county hospitals",
               "Accredited courses in medical and clinical oncology, chemotherapy nursing and palliative care "
               "for doctors and nurses from county hospitals, taught online and in short workshops in China.",
               ["education_training"], ["370", "800", "315"], ["in_country", "remote"], ["zh", "en"],
               (2_000_000, "CNY"),
               "2027-03-31", "2027-09-01", 24, "delegation",
               {"RBV": 3, "RR8": 3, "RPY": 3, "REN": 3, "KCL": 1},
               "Four oncology education offers are exact (The Christie targets China). The value, about "
               "£224,000, is below HCA's £250,000 minimum; UCLH excludes China.",
               {"HCA-UK": "below_min_contract", "RRV": "excluded_country"}),
    structured(25, "AE-SEHA", "AE", "Remote supervision for psychological therapists",
               "Weekly online clinical supervision and skills training in CBT and other psychological "
               "therapies for SEHA's psychologists and counsellors.",
               ["education_training", "digital"], ["710", "656"], ["remote"], ["en"], (150_000, "AED"),
               "2027-01-31", "2027-04-01", 12, "tender",
               {"RV5": 3, "RNU": 3, "G6V2S": 2, "RGD": 2, "RW4": 1, "RXV": 1, "RWK": 1, "RX2": 1},
               "South London and Maudsley is amber but the work is small (about £30,000) and remote, so it "
               "stays in with Oxford Health's digital psychological therapies; psychotherapy education and "
               "adult mental health training are close. Providers with minimums above £30,000 are out."),
    structured(26, "SA-HHC", "SA", "Patient flow and bed management review",
               "A six-month review of patient flow, bed management and discharge in one health cluster's three "
               "hospitals, with recommendations and coaching for managers.",
               ["consultancy"], [], ["in_country", "remote"], ["en"], (500_000, "SAR"),
               "2027-02-28", "2027-05-01", 6, "tender",
               {"RTF": 3, "CIRCLE": 3},
               "Northumbria (hospital flow, Saudi experience) and Circle (operating model) deliver it. About "
               "£99,500 is below Guy's and St Thomas' and Birmingham's £100,000 minimum; East London excludes "
               "Saudi Arabia.",
               {"RJ1": "below_min_contract", "RRK": "below_min_contract", "RWK": "excluded_country"}),
    structured(27, "QA-HMC", "QA", "Kidney transplant programme expansion",
               "Advice to expand living and deceased donor kidney transplantation and the dialysis network, "
               "with clinical pathways and workforce planning.",
               ["consultancy", "clinical_advice"], ["361", "102"], ["in_country", "remote"], ["ar", "en"],
               (8_000_000, "QAR"),
               "2027-04-30", "2027-09-01", 36, "post",
               {"RAL": 3, "RR8": 3, "RJZ": 1},
               "The Royal Free and Leeds both offer kidney transplant and renal service development; King's "
               "liver transplant advice is marginal."),
    structured(28, "IN-MOHFW", "IN", "Digital structured education for type 2 diabetes",
               "App- and video-based structured education for people with type 2 diabetes, and online "
               "training of primary care nurses to support them, in English and Hindi.",
               ["digital", "education_training"], ["307", "920"], ["remote"], ["en", "hi"],
               (50_000_000, "INR"),
               "2027-05-31", "2027-10-01", 36, "agency",
               {"RWE": 3, "RHQ": 3, "RYJ": 3, "RH8": 1, "RP6": 1, "RRK": 1},
               "Leicester is amber but the work is remote only, so it is in, with Sheffield's remote diabetes "
               "education and Imperial's diabetes education (remote); genetic diabetes, diabetic eye screening "
               "and decision support are marginal."),
    structured(29, "MY-MOH", "MY", "Paediatric cardiology case review and echocardiography training",
               "Monthly remote review of complex children's heart cases and two in-country echocardiography "
               "courses for paediatricians at the national heart centre.",
               ["clinical_advice", "education_training"], ["321", "331"], ["in_country", "remote"],
               ["en", "ms"], (350_000, "MYR"),
               "2027-02-28", "2027-06-01", 12, "post",
               {"RA7": 3, "RBQ": 1, "RTD": 1, "RQ3": 1, "RBS": 1},
               "About £64,000: Great Ormond Street and Guy's and St Thomas' (minimum £100,000) and HCA (minimum "
               "£250,000) are out, leaving Bristol's children's heart advice and training; adult cardiac and "
               "general paediatric offers are marginal.",
               {"RP4": "below_min_contract", "RJ1": "below_min_contract", "HCA-UK": "below_min_contract"}),
    structured(30, "WHO-EMRO", "EG", "Preparedness for high-consequence infectious diseases",
               "Training of infection, emergency and intensive care teams in the region to isolate and treat "
               "patients with high-consequence infectious diseases, and advice on isolation units.",
               ["education_training", "consultancy"], ["350", "192"], ["in_country", "remote"], ["ar", "en"],
               (400_000, "USD"),
               "2027-03-31", "2027-07-01", 18, "agency",
               {"RAL": 3, "RTH": 2, "RHM": 2, "RGT": 1, "KCL": 1},
               "The Royal Free's high-consequence infectious disease training is exact; Oxford's infectious "
               "disease research partnership and Southampton's critical care education are close."),
    structured(31, "BR-EINSTEIN", "BR", "Rare disease genomics: research and education",
               "Joint research on genomic diagnosis of rare diseases and a clinical genetics education "
               "programme for Einstein's physicians and genetic counsellors.",
               ["research", "education_training"], ["311", "333"], ["remote", "uk_based"], ["pt", "en"],
               (1_000_000, "BRL"),
               "2027-06-30", "2028-01-15", 36, "direct",
               {"R0A": 3, "RH8": 2, "RAL": 1},
               "Manchester's genomic medicine education and research is exact and, although amber, takes it "
               "because it is small (about £137,000); Royal Devon's genetic diagnosis research is close."),
    structured(32, "OM-MOH", "OM", "Rural ambulance service development",
               "Advice on response standards, clinical triage and community first responders for ambulance "
               "services in mountain and desert areas, with paramedic training.",
               ["consultancy", "education_training"], ["180"], ["in_country", "remote"], ["ar", "en"],
               (150_000, "OMR"),
               "2027-03-15", "2027-07-01", 18, "post",
               {"RRU": 3, "RX8": 2, "RYA": 2, "R1H": 1},
               "The work needs 65 staff days over 18 months, 44 a year: South Western (rural, Oman experience, "
               "30 days a year) lacks capacity; West Midlands (50) can just take it, beside London Ambulance "
               "(80); Yorkshire trains paramedics in country only. North West is amber and the work (about "
               "£291,000, 65 days) is not small.",
               {"RYF": "no_capacity", "RX7": "domestic_amber", "RYE": "domestic_red"},
               requirements=[
                   ("R1", "Ambulance service development and paramedic training", "consultancy", ["180"],
                    ["in_country", "remote"], 65),
               ]),
    structured(33, "KHCF", "JO", "Cancer centre twinning for adult and children's services",
               "A five-year twinning with a UK cancer centre: joint multidisciplinary team meetings, second "
               "opinions, staff exchanges and shared protocols for adult and children's cancers.",
               ["partnership", "clinical_advice"], ["370", "800", "260"], ["in_country", "remote", "uk_based"],
               ["ar", "en"], (1_500_000, "JOD"),
               "2027-06-30", "2028-01-01", 60, "direct",
               {"RR8": 3, "RBV": 3, "RPY": 2, "HCA-UK": 2, "REN": 2, "RP4": 2, "RRV": 1},
               "Leeds (cancer twinning, Jordan) and The Christie (cancer centre partnership) are exact; cancer "
               "clinical advice from the Royal Marsden, HCA, Clatterbridge and Great Ormond Street (children's "
               "oncology opinions) is close."),
    structured(34, "KW-MOH", "KW", "Short course in paediatric emergency and intensive care",
               "A short programme for a new children's hospital: simulation training for paediatric intensive "
               "care nurses and advice on the layout and processes of the children's emergency department.",
               ["education_training", "consultancy"], ["242", "270"], ["in_country", "remote"], ["ar", "en"],
               (30_000, "KWD"),
               "2027-01-31", "2027-04-01", 6, "post",
               {"RP4": 3, "RBS": 3, "RX1": 1, "RHM": 1, "RGT": 1, "KCL": 1},
               "Great Ormond Street's intensive care nursing education and Alder Hey's children's hospital "
               "design (paediatric emergency) each deliver a part; Alder Hey is amber but the work is small "
               "(45 staff days). Adult and neonatal critical care offers are marginal.",
               requirements=[
                   ("R1", "Paediatric intensive care simulation training", "education_training", ["242"],
                    ["in_country"], 25),
                   ("R2", "Children's emergency department design advice", "consultancy", ["270"],
                    ["in_country", "remote"], 20),
               ]),
    structured(35, "CN-UFH", "CN", "Elective orthopaedic surgery centre",
               "Planning and commissioning advice for a day-case and short-stay elective orthopaedic and "
               "general surgery centre in Shanghai: theatre design, pathways and productivity.",
               ["consultancy"], ["110", "100"], ["in_country", "remote"], ["zh", "en"], (5_000_000, "CNY"),
               "2027-04-30", "2027-09-01", 12, "direct",
               {"SPIRE": 3, "CIRCLE": 2, "RAN": 2, "RL1": 2, "RCU": 1},
               "Spire's elective surgery centre advice is exact; Circle's theatre productivity consultancy and "
               "the orthopaedic advice of RNOH and RJAH are close; Norfolk and Norwich is red.",
               {"RM1": "domestic_red"}),
    structured(36, "AE-DHA", "AE", "Nursing and midwifery leadership programme",
               "A postgraduate leadership programme for senior nurses and midwives in Dubai's public hospitals, "
               "with modules in Dubai, online learning and a short placement in the UK.",
               ["education_training"], ["560"], ["in_country", "remote", "uk_based"], ["en"],
               (2_000_000, "AED"),
               "2027-02-28", "2027-09-01", 24, "tender",
               {"KCL": 3, "REP": 2, "RQ3": 1, "RWK": 1, "UOL": 1},
               "King's College London's nursing and midwifery leadership education is exact; Liverpool "
               "Women's midwifery training is close; obstetric training, quality improvement coaching and "
               "medical education are marginal."),
    structured(37, "GH-KBTH", "GH", "Remote cancer multidisciplinary team second opinions",
               "Video second opinions on complex cancer cases and radiotherapy plans for Korle Bu's oncology "
               "centre, monthly for one year.",
               ["clinical_advice"], ["370", "800"], ["remote"], ["en"], (40_000, "GBP"),
               "2027-01-31", "2027-03-01", 12, "delegation",
               {"RBV": 3, "RR8": 3, "REN": 3},
               "The Christie, Leeds and Clatterbridge give remote cancer clinical advice and take £40,000 "
               "work; the Royal Marsden (£50,000), UCLH (£75,000) and HCA (£250,000) minimums rule them out.",
               {"RPY": "below_min_contract", "HCA-UK": "below_min_contract", "RRV": "below_min_contract"}),
    structured(38, "VN-MOH", "VN", "Electronic prescribing and clinical decision support",
               "Advice to the Ministry's central hospitals on introducing electronic prescribing, early warning "
               "scores and clinical decision support, and training of clinical informatics staff.",
               ["digital", "consultancy"], [], ["in_country", "remote"], ["vi", "en"],
               (30_000_000_000, "VND"),
               "2027-05-31", "2027-10-01", 24, "trade_mission",
               {"UOL": 2, "RJ1": 1, "RTF": 1, "RYJ": 1},
               "Birmingham's electronic prescribing and decision support offer is exact but amber, and a value "
               "in dong has no pound rate, so the work is not known to be small; Leeds University's health "
               "informatics education is close; management and tele-stroke offers are marginal.",
               {"RRK": "domestic_amber", "RX7": "domestic_amber", "RBS": "domestic_amber"}),
    structured(39, "SA-MOH", "SA", "Remote supervision in child and adolescent mental health",
               "Online case supervision and training in psychological therapies for child and adolescent mental "
               "health teams in three regions.",
               ["education_training", "clinical_advice"], ["711", "656"], ["remote"], ["ar", "en"],
               (200_000, "SAR"),
               "2027-03-31", "2027-06-01", 12, "post",
               {"RX2": 3, "RNU": 2, "RV5": 2, "RGD": 1, "RW4": 1},
               "Tavistock and Portman would be exact but excludes Saudi Arabia; Sussex Partnership's child and "
               "adolescent training is exact; Oxford Health and South London and Maudsley (amber, but remote "
               "and about £40,000) are close.",
               {"G6V2S": "excluded_country", "RWK": "excluded_country"}),
    structured(40, "SA-HMG", "SA", "Adult cardiac surgery proctoring and cath lab training",
               "Proctored adult cardiac surgery lists and training for cardiac catheter laboratory teams in "
               "Riyadh.",
               ["education_training", "clinical_advice"], ["172", "320"], ["in_country"], ["en"],
               (3_000_000, "SAR"),
               "2027-02-28", "2027-05-01", 24, "direct",
               {"RBQ": 3, "HCA-UK": 2, "RGM": 2, "RTD": 1},
               "Liverpool Heart and Chest's surgical proctoring and cath lab training is exact; HCA's cardiac "
               "clinical advice and Royal Papworth's cardiothoracic advice and training are close; heart "
               "transplant advice is marginal."),
]


def main():
    orgs, offers, strategies = load_world()
    rates = gbp_rates()
    providers = sorted(p for p in offers if orgs[p]["kind"] in ("provider", "partner"))
    errors = []
    lines = []
    for item in ITEMS:
        opp = item["opportunity"]
        blocked = {}
        for p in providers:
            rule = blocked_by(opp, p, offers[p], strategies.get(p), rates)
            if rule:
                blocked[p] = rule
        for p, g in item["grades"].items():
            if p not in offers:
                errors.append(f"{opp['id']}: {p} has no offer")
            if g >= 1 and p in blocked:
                errors.append(f"{opp['id']}: {p} graded {g} but blocked ({blocked[p]})")
        for p, rule in item["blocked_relevant"].items():
            if blocked.get(p) != rule:
                errors.append(f"{opp['id']}: expected {p} blocked by {rule}, rules say {blocked.get(p)}")
        grades = dict(sorted(item["grades"].items(), key=lambda kv: (-kv[1], kv[0])))
        lines.append(json.dumps({
            "opportunity": opp,
            "free_text": item["free_text"],
            "grades": grades,
            "blocked": blocked,
            "why": item["why"],
        }, ensure_ascii=False))
    if errors:
        print("\n".join(errors), file=sys.stderr)
        sys.exit(1)
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {OUT.relative_to(DATA.parent)}: {len(lines)} opportunities")


if __name__ == "__main__":
    main()
