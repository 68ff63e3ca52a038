//! `hcx bench`: repeatable measurements on generated data (import throughput,
//! search latency, pages served under load, matchmaking), printed with the
//! machine they ran on.

use std::fmt::{self, Write as _};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::http::{HeaderValue, Request, StatusCode, Uri, header};
use http_body_util::{BodyExt, Empty};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

use hcx_domain::opportunity::Status;
use hcx_domain::reference::{Specialty, reference};
use hcx_domain::vocab::{ServiceLine, Source as OpportunitySource};
use hcx_domain::{CountryCode, ValueBand};
use hcx_search::OpportunityQuery;

use crate::services::import::Source;
use crate::services::{App, Caller};

/// Countries the generated opportunities come from, with their currency.
pub(crate) const MARKETS: [(&str, &str); 10] = [
    ("AE", "AED"),
    ("SA", "SAR"),
    ("KW", "KWD"),
    ("QA", "QAR"),
    ("JO", "JOD"),
    ("CN", "CNY"),
    ("IN", "INR"),
    ("MY", "MYR"),
    ("EG", "EGP"),
    ("KE", "KES"),
];

const NEEDS: [&str; 12] = [
    "diabetes prevention and care programme",
    "children's heart surgery service",
    "intensive care nursing education",
    "cancer centre partnership",
    "eye hospital operation",
    "mental health service redesign",
    "emergency medicine training",
    "digital outpatient clinics",
    "maternity safety improvement",
    "stroke pathway development",
    "renal dialysis network",
    "hospital management consultancy",
];

const PLACES: [&str; 8] = [
    "capital",
    "northern region",
    "coastal province",
    "new city",
    "university hospital",
    "military hospital",
    "ministry network",
    "private group",
];

/// A small deterministic generator, so every run measures the same data.
#[derive(Debug)]
pub(crate) struct Lcg(pub(crate) u64);

impl Lcg {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next() as usize) % items.len()]
    }
}

/// Interchange JSON Lines: one buyer per market, then `count` opportunities.
pub fn generate_world(count: usize) -> String {
    let mut rng = Lcg(2027);
    let specialties: Vec<&str> = reference()
        .specialties()
        .filter(|s| s.is_active())
        .map(|s| s.code.as_str())
        .collect();
    let mut out = String::with_capacity(count * 700);
    for (country, _) in MARKETS {
        let _ = writeln!(
            out,
            r#"{{"record":"organisation","id":"BUYER-{country}","name":"Ministry of Health {country}","kind":"buyer","sector":"government","country":"{country}"}}"#
        );
    }
    for i in 0..count {
        let (country, currency) = *rng.pick(&MARKETS);
        let need = rng.pick(&NEEDS);
        let place = rng.pick(&PLACES);
        let line = rng.pick(ServiceLine::ALL).as_str();
        let specialty = rng.pick(&specialties);
        let status =
            ["published", "published", "published", "draft", "closed"][(rng.next() % 5) as usize];
        let source = rng.pick(OpportunitySource::ALL).as_str();
        let amount = 50_000 + rng.next() % 20_000_000;
        let _ = writeln!(
            out,
            r#"{{"record":"opportunity","id":"GEN-{i:07}","buyer":"BUYER-{country}","country":"{country}","title":"{need} for the {place}","description":"The ministry seeks a UK partner for a {need} serving the {place}, including training of local staff, clinical governance and a plan for sustainability over {years} years.","service_lines":["{line}"],"specialties":["{specialty}"],"value":{{"amount":{amount},"currency":"{currency}"}},"response_due":"2027-0{month}-15","source":"{source}","status":"{status}"}}"#,
            years = 1 + rng.next() % 5,
            month = 1 + rng.next() % 9,
        );
    }
    out
}

/// Imports `count` generated opportunities into `app` and reports the throughput.
pub async fn import(app: &App, count: usize) -> anyhow::Result<String> {
    let text = generate_world(count);
    let records = text.lines().count();
    let started = Instant::now();
    let mut written_at = None;
    let report = app
        .import(
            &Caller::command_line(),
            &[Source {
                name: "generated.jsonl".into(),
                text,
            }],
            &mut |p| {
                if p == crate::services::import::Progress::Indexing {
                    written_at = Some(started.elapsed());
                }
            },
        )
        .await?;
    let total = started.elapsed();
    let written = written_at.unwrap_or(total);
    Ok(format!(
        "import of {records} records ({} created, {} unchanged) on {:?}\n  check + write: {:.2} s ({:.0} records/s)\n  with indexing: {:.2} s ({:.0} records/s)\n{}",
        report.summary.created,
        report.summary.unchanged,
        app.store.backend(),
        written.as_secs_f64(),
        records as f64 / written.as_secs_f64(),
        total.as_secs_f64(),
        records as f64 / total.as_secs_f64(),
        machine()
    ))
}

/// Times `queries` filtered searches through the app (the index, then the
/// page's records loaded from the store) over the opportunities already in it.
pub async fn search(app: &App, queries: usize) -> anyhow::Result<String> {
    let count = app
        .store
        .counts()
        .await?
        .opportunities_by_status
        .iter()
        .map(|(_, n)| n)
        .sum::<i64>();
    let mut rng = Lcg(7);
    let mut times: Vec<Duration> = Vec::with_capacity(queries);
    for _ in 0..queries {
        let words: Vec<&str> = rng.pick(&NEEDS).split(' ').collect();
        let (country, _) = rng.pick(&MARKETS);
        let query = OpportunityQuery {
            text: Some(words[..2].join(" ")),
            countries: vec![CountryCode::parse(country).map_err(anyhow::Error::msg)?],
            statuses: vec![Status::Published],
            value_bands: if rng.next().is_multiple_of(2) {
                vec![ValueBand::From1mTo10m]
            } else {
                vec![]
            },
            ..OpportunityQuery::default()
        };
        let started = Instant::now();
        let found = app
            .search_opportunities(&Caller::command_line(), query)
            .await?;
        times.push(started.elapsed());
        std::hint::black_box(found);
    }
    times.sort();
    let at = |q: f64| times[((times.len() as f64 * q) as usize).min(times.len() - 1)];
    Ok(format!(
        "search over {count} opportunities on {:?}, {queries} queries (text + country + status, half with a value band; 20 records loaded, all facets)\n  p50 {:.2} ms  p90 {:.2} ms  p99 {:.2} ms  max {:.2} ms\n{}",
        app.store.backend(),
        ms(at(0.50)),
        ms(at(0.90)),
        ms(at(0.99)),
        ms(times[times.len() - 1]),
        machine()
    ))
}

/// A clinical area as UK providers describe their work in it and as overseas
/// buyers ask for it: the treatment function codes it covers, its name, the
/// pieces of work an offer or a tender names, and the lay words of a need
/// written without any structured field (which the matcher must read).
struct Area {
    codes: &'static [&'static str],
    name: &'static str,
    work: &'static [&'static str],
    lay: &'static [&'static str],
}

/// The areas most international work falls in; offers outside them are drawn
/// from the whole treatment function list (see `Topic`).
const AREAS: [Area; 33] = [
    Area {
        codes: &["320", "675", "327"],
        name: "cardiology",
        work: &[
            "cardiac catheterisation laboratory set-up",
            "heart failure clinics",
            "echocardiography training",
            "primary angioplasty pathways for heart attack",
        ],
        lay: &[
            "heart disease services",
            "a cardiac centre",
            "heart attack care",
        ],
    },
    Area {
        codes: &["172", "170", "107"],
        name: "adult cardiac surgery",
        work: &[
            "coronary artery bypass and valve surgery",
            "cardiac theatre team training",
            "perfusion and post-operative cardiac intensive care",
        ],
        lay: &["open heart surgery", "a heart surgery programme"],
    },
    Area {
        codes: &["321", "221", "331"],
        name: "paediatric cardiology and congenital heart surgery",
        work: &[
            "congenital heart surgery mentoring",
            "paediatric echocardiography",
            "children's cardiac intensive care",
        ],
        lay: &["children's heart surgery", "a paediatric heart centre"],
    },
    Area {
        codes: &["370", "800", "503"],
        name: "cancer services",
        work: &[
            "chemotherapy nursing education",
            "radiotherapy planning and physics support",
            "multidisciplinary tumour boards",
            "a population cancer registry",
        ],
        lay: &["a cancer centre", "cancer treatment", "oncology services"],
    },
    Area {
        codes: &["260", "253"],
        name: "children's cancer services",
        work: &[
            "paediatric chemotherapy protocols",
            "leukaemia treatment and second opinions",
        ],
        lay: &["children's cancer care", "childhood leukaemia treatment"],
    },
    Area {
        codes: &["192", "190"],
        name: "adult critical care",
        work: &[
            "intensive care nurse training",
            "ventilation and sepsis protocols",
            "critical care outreach teams",
        ],
        lay: &["ICU", "intensive care", "an intensive care unit"],
    },
    Area {
        codes: &["422", "242", "420"],
        name: "neonatal and paediatric intensive care",
        work: &[
            "neonatal resuscitation training",
            "neonatal nursing education",
            "neonatal transport services",
        ],
        lay: &["newborn intensive care", "care of premature babies", "NICU"],
    },
    Area {
        codes: &["180", "115", "270"],
        name: "emergency medicine and major trauma",
        work: &[
            "emergency department triage redesign",
            "major trauma network design",
            "pre-hospital care training",
        ],
        lay: &["the emergency department", "A&E", "trauma care"],
    },
    Area {
        codes: &["130", "460", "662", "216"],
        name: "ophthalmology",
        work: &[
            "cataract surgery training",
            "diabetic retinopathy screening",
            "glaucoma clinics",
            "retinal imaging",
        ],
        lay: &["an eye hospital", "eye care", "blindness prevention"],
    },
    Area {
        codes: &["307", "302", "920", "263"],
        name: "diabetes and endocrinology",
        work: &[
            "a diabetes prevention programme",
            "structured diabetes education",
            "diabetic foot clinics",
            "insulin pump services",
        ],
        lay: &["diabetes", "diabetes care", "blood sugar control"],
    },
    Area {
        codes: &["361", "102", "259"],
        name: "renal medicine and transplantation",
        work: &[
            "haemodialysis unit set-up",
            "a kidney transplant programme",
            "peritoneal dialysis training",
        ],
        lay: &["dialysis", "kidney disease", "kidney transplants"],
    },
    Area {
        codes: &["328", "329", "400"],
        name: "stroke medicine",
        work: &[
            "hyperacute stroke unit design",
            "thrombolysis and thrombectomy pathways",
            "early supported discharge after stroke",
        ],
        lay: &["stroke care", "stroke services"],
    },
    Area {
        codes: &["710", "711", "722", "724"],
        name: "mental health",
        work: &[
            "community mental health team design",
            "crisis care pathways",
            "child and adolescent mental health services",
            "perinatal mental health",
        ],
        lay: &[
            "mental health",
            "a psychiatric hospital",
            "depression and anxiety services",
        ],
    },
    Area {
        codes: &["501", "560", "505"],
        name: "maternity services",
        work: &[
            "maternity safety improvement",
            "midwifery education",
            "fetal medicine and obstetric ultrasound",
        ],
        lay: &["maternity", "safer childbirth", "midwives"],
    },
    Area {
        codes: &["110", "111", "214"],
        name: "trauma and orthopaedics",
        work: &[
            "hip and knee replacement",
            "orthopaedic theatre efficiency",
            "fracture clinics",
        ],
        lay: &[
            "orthopaedic surgery",
            "joint replacement",
            "bone and joint care",
        ],
    },
    Area {
        codes: &["150", "400", "218", "421"],
        name: "neurosciences",
        work: &[
            "neurosurgical training",
            "epilepsy surgery",
            "neuro-critical care",
        ],
        lay: &["brain surgery", "neurology", "epilepsy"],
    },
    Area {
        codes: &["120", "840", "215"],
        name: "ear, nose and throat surgery and audiology",
        work: &[
            "a cochlear implant programme",
            "newborn hearing screening",
            "head and neck surgery",
        ],
        lay: &["hearing loss", "deafness", "ear surgery"],
    },
    Area {
        codes: &["812", "811", "371"],
        name: "imaging and interventional radiology",
        work: &[
            "teleradiology reporting",
            "interventional radiology training",
            "imaging network design",
            "nuclear medicine",
        ],
        lay: &["radiology", "x-rays and scans", "MRI"],
    },
    Area {
        codes: &["822", "834", "322"],
        name: "pathology and laboratory medicine",
        work: &[
            "laboratory accreditation",
            "antimicrobial stewardship",
            "blood transfusion services",
        ],
        lay: &["the laboratory", "blood tests"],
    },
    Area {
        codes: &["350", "352", "322"],
        name: "infectious diseases",
        work: &[
            "infection prevention and control",
            "tuberculosis programmes",
            "antimicrobial resistance surveillance",
        ],
        lay: &["infection control", "tuberculosis", "hospital infections"],
    },
    Area {
        codes: &["340", "342", "347"],
        name: "respiratory medicine",
        work: &[
            "pulmonary rehabilitation",
            "sleep studies",
            "asthma and COPD clinics",
        ],
        lay: &["lung disease", "asthma", "breathing problems"],
    },
    Area {
        codes: &["301", "306", "105"],
        name: "gastroenterology and hepatology",
        work: &[
            "endoscopy training",
            "liver disease clinics",
            "hepatitis C elimination",
        ],
        lay: &["liver disease", "endoscopy", "stomach and bowel problems"],
    },
    Area {
        codes: &["430", "727", "715"],
        name: "care of older people",
        work: &[
            "frailty pathways",
            "dementia assessment",
            "falls prevention",
        ],
        lay: &["elderly care", "dementia", "older people"],
    },
    Area {
        codes: &["315", "240"],
        name: "palliative care",
        work: &[
            "hospice development",
            "end-of-life care education",
            "pain control",
        ],
        lay: &["end of life care", "a hospice"],
    },
    Area {
        codes: &["314", "650", "651", "652"],
        name: "rehabilitation and therapies",
        work: &[
            "physiotherapy education",
            "spinal injury rehabilitation",
            "occupational therapy services",
        ],
        lay: &["rehabilitation", "physiotherapy"],
    },
    Area {
        codes: &["160", "161", "219"],
        name: "plastic surgery and burns",
        work: &[
            "burns unit design",
            "reconstructive surgery",
            "hand surgery",
        ],
        lay: &["burns", "reconstructive surgery"],
    },
    Area {
        codes: &["140", "143", "145", "450"],
        name: "dentistry and oral surgery",
        work: &[
            "a dental school partnership",
            "orthodontic training",
            "maxillofacial trauma surgery",
        ],
        lay: &["dentistry", "dental care"],
    },
    Area {
        codes: &["100", "104", "109", "106"],
        name: "general surgery",
        work: &[
            "laparoscopic surgery training",
            "bariatric surgery",
            "colorectal cancer surgery",
        ],
        lay: &["surgery", "keyhole surgery", "obesity surgery"],
    },
    Area {
        codes: &["101", "211"],
        name: "urology",
        work: &["robotic prostate surgery", "kidney stone treatment"],
        lay: &["prostate problems", "kidney stones"],
    },
    Area {
        codes: &["502", "503", "504"],
        name: "gynaecology",
        work: &[
            "gynaecological oncology",
            "fertility services",
            "cervical screening",
        ],
        lay: &["women's health", "gynaecology"],
    },
    Area {
        codes: &["311", "333", "335"],
        name: "clinical genomics",
        work: &[
            "genomic medicine service design",
            "newborn screening for rare disease",
        ],
        lay: &["genetics", "rare diseases"],
    },
    Area {
        codes: &["303", "308", "309"],
        name: "haematology",
        work: &[
            "bone marrow transplantation",
            "haemophilia care",
            "sickle cell and thalassaemia services",
        ],
        lay: &["blood disorders", "thalassaemia", "bone marrow transplants"],
    },
    Area {
        codes: &[],
        name: "hospital management",
        work: &[
            "hospital commissioning",
            "clinical governance",
            "workforce planning",
            "accreditation readiness",
            "electronic patient records",
        ],
        lay: &["hospital management", "running a new hospital"],
    },
];

/// What an offer is about: one of `AREAS`, or for the long tail any active
/// specialty, named as the Data Dictionary names it.
struct Topic {
    codes: Vec<&'static str>,
    name: String,
    work: Vec<String>,
}

impl Topic {
    fn of(area: &Area) -> Topic {
        Topic {
            codes: area.codes.to_vec(),
            name: area.name.to_owned(),
            work: area.work.iter().map(|w| (*w).to_owned()).collect(),
        }
    }

    fn of_specialty(s: &'static Specialty) -> Topic {
        let name = s.short_name().to_lowercase();
        Topic {
            codes: vec![s.code.as_str()],
            work: vec![
                format!("{name} pathway design"),
                format!("training for {name} teams"),
                format!("{name} audit and clinical governance"),
                format!("outpatient {name} clinics"),
            ],
            name,
        }
    }
}

/// How a provider's kind of work reads in an offer's title.
fn offer_title(line: ServiceLine, name: &str, rng: &mut Lcg) -> String {
    let forms: &[&str] = match line {
        ServiceLine::EducationTraining => &[
            "{} training programme",
            "Accredited {} education for nurses and doctors",
            "{} fellowships and workforce development",
        ],
        ServiceLine::Consultancy => &[
            "{} service design and advice",
            "Advisory support for new {} services",
        ],
        ServiceLine::ClinicalAdvice => &[
            "{} clinical advice and second opinions",
            "Specialist {} case reviews",
        ],
        ServiceLine::ServiceOperation => &["Managed {} service", "Running a {} unit overseas"],
        ServiceLine::Partnership => &["{} twinning partnership", "Long-term {} partnership"],
        ServiceLine::Digital => &[
            "Remote {} clinics and telemedicine",
            "{} digital pathways and remote monitoring",
        ],
        ServiceLine::Research => &["{} research collaboration", "Joint clinical trials in {}"],
    };
    sentence_case(&rng.pick(forms).replace("{}", name))
}

fn sentence_case(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}

/// Where the generated providers are: the towns and NHS regions of real trusts.
fn places() -> Vec<(&'static str, &'static str)> {
    reference()
        .trusts()
        .filter(|t| !t.town.is_empty())
        .map(|t| (t.town.as_str(), t.nhs_region.as_str()))
        .collect()
}

const NHS_KINDS: [&str; 8] = [
    "Teaching Hospitals",
    "University Hospitals",
    "Hospitals",
    "Children's Hospital",
    "Mental Health",
    "Community Healthcare",
    "Heart and Chest Hospital",
    "Eye Hospital",
];
const PRIVATE_KINDS: [&str; 5] = [
    "Specialist Hospital Ltd",
    "Clinic",
    "Healthcare Group",
    "Diagnostics Ltd",
    "Cancer Centre Ltd",
];
const FACULTIES: [&str; 4] = [
    "Medical School",
    "School of Nursing and Midwifery",
    "Faculty of Health Sciences",
    "Institute of Global Health",
];
/// Countries UK providers have worked in beyond the generated markets.
const ELSEWHERE: [&str; 12] = [
    "JO", "OM", "BH", "IQ", "NG", "GH", "PK", "BD", "HK", "SG", "TR", "IE",
];
/// Languages an offer may work in besides English.
const LANGUAGES: [&str; 9] = ["ar", "fr", "zh", "hi", "ur", "ms", "sw", "es", "pt"];
/// The language each of `MARKETS` (in its order) asks for beside English.
const MARKET_LANGUAGE: [&str; 10] = ["ar", "ar", "ar", "ar", "ar", "zh", "hi", "ms", "ar", "sw"];
const DELIVERY: [(&str, &str); 3] = [
    ("in_country", "delivered in country by visiting UK teams"),
    ("remote", "with remote supervision and online teaching"),
    ("uk_based", "with placements and observerships in the UK"),
];
const EXTRAS: [&str; 5] = [
    "clinical governance and audit",
    "a plan to hand the service over to local staff",
    "accredited certificates for those trained",
    "quality improvement coaching",
    "outcomes monitored against UK standards",
];
/// What a buyer writing freely asks the UK to do; some name a kind of work.
const ASKS: [&str; 6] = [
    "train our doctors and nurses",
    "visit and advise on setting up the service",
    "review difficult cases remotely",
    "help us run the unit for its first years",
    "design the patient pathway with our teams",
    "build a long-term partnership between our hospitals",
];

/// The id of the `i`th generated provider, and of the `i`th opportunity.
pub(crate) fn provider_id(i: usize) -> String {
    format!("PRV-{i:05}")
}

fn match_opportunity_id(i: usize) -> String {
    format!("NEED-{i:06}")
}

/// Whether the `i`th generated opportunity is written as free text only.
fn is_free_text(i: usize) -> bool {
    i % 2 == 1
}

impl Lcg {
    /// Up to `most` distinct items, at least one; `items` must be distinct
    /// and not empty.
    fn some<'a, T: PartialEq>(&mut self, items: &'a [T], most: usize) -> Vec<&'a T> {
        let want = 1 + (self.next() as usize) % most.min(items.len()).max(1);
        let mut chosen: Vec<&T> = Vec::with_capacity(want);
        while chosen.len() < want {
            let item = self.pick(items);
            if !chosen.contains(&item) {
                chosen.push(item);
            }
        }
        chosen
    }

    /// A whole number of pounds between `low` and `high`, evenly spread on a
    /// log scale (contract values span three orders of magnitude).
    fn pounds(&mut self, low: f64, high: f64) -> i64 {
        let u = (self.next() % 1_000_000) as f64 / 1_000_000.0;
        let raw = low * (high / low).powf(u);
        // Round to two significant figures, as prices are quoted.
        let scale = 10f64.powi(raw.log10().floor() as i32 - 1);
        ((raw / scale).round() * scale) as i64
    }
}

/// The generated matchmaking world: its interchange text and its
/// opportunities' ids (those at odd positions are free-text needs).
#[derive(Debug)]
pub struct MatchWorld {
    pub text: String,
    pub opportunities: Vec<String>,
}

/// Interchange JSON Lines for matchmaking: `providers` UK providers, most with
/// a strategy; `offers` offers spread over them (the larger providers hold
/// more); three buyers in each market; and `opportunities` needs, half with
/// structured fields (some in several parts) and half free text only.
pub fn generate_match_world(providers: usize, offers: usize, opportunities: usize) -> MatchWorld {
    use serde_json::{Value, json};
    fn push(out: &mut String, record: &Value) {
        let _ = writeln!(out, "{record}");
    }
    let mut rng = Lcg(2031);
    let specialties: Vec<&'static Specialty> = reference()
        .specialties()
        .filter(|s| s.is_active())
        .collect();
    let places = places();
    let mut out = String::with_capacity(providers * 600 + offers * 700 + opportunities * 800);

    // Providers, and their strategies: most have one; some rule markets
    // out, about 10% are amber and 3% red at home, many set a smallest contract.
    let mut sectors = Vec::with_capacity(providers);
    let mut focus = Vec::with_capacity(providers);
    for i in 0..providers {
        let (town, region) = *rng.pick(&places);
        let (sector, name) = match rng.next() % 20 {
            0..=11 => (
                "nhs",
                format!("{town} {} NHS Foundation Trust", rng.pick(&NHS_KINDS)),
            ),
            12..=16 => ("private", format!("{town} {}", rng.pick(&PRIVATE_KINDS))),
            _ => (
                "university",
                format!("University of {town} {}", rng.pick(&FACULTIES)),
            ),
        };
        let id = provider_id(i);
        push(
            &mut out,
            &json!({"record": "organisation", "id": id, "name": name, "kind": "provider",
                "sector": sector, "country": "GB", "city": town, "region": region}),
        );
        sectors.push(sector);
        focus.push(rng.next() as usize % AREAS.len());
        if rng.next() % 100 >= 85 {
            continue;
        }
        let markets: Vec<&str> = MARKETS.iter().map(|(c, _)| *c).collect();
        let targets: Vec<&str> = rng.some(&markets, 4).into_iter().copied().collect();
        let mut excluded: Vec<&str> = Vec::new();
        if rng.next() % 100 < 30 {
            // A market it does not target, so the rule bites on real needs.
            excluded.extend(
                rng.some(&markets, 2)
                    .into_iter()
                    .copied()
                    .filter(|c| !targets.contains(c)),
            );
            excluded.push("RU");
        }
        let status = match rng.next() % 100 {
            0..=2 => Some("red"),
            3..=12 => Some("amber"),
            13..=89 => Some("green"),
            _ => None,
        };
        let mut strategy = json!({"record": "strategy", "id": format!("{id}-strategy"),
            "provider": id, "target_countries": targets, "excluded_countries": excluded,
            "risk_appetite": *rng.pick(&["low", "medium", "high"]),
            "motives": rng.some(&["revenue", "reputation", "research_learning", "recruitment_retention", "reach"], 3)});
        if let Some(status) = status {
            strategy["domestic_status"] = json!(status);
        }
        if rng.next() % 100 < 60 {
            strategy["min_contract_gbp"] = json!(rng.pounds(10_000.0, 500_000.0));
        }
        push(&mut out, &strategy);
    }

    // Offers: every provider has one, the rest go mostly to the first
    // (larger) providers; a provider's offers mostly stay in its own area.
    let all_lines: Vec<ServiceLine> = ServiceLine::ALL.to_vec();
    for i in 0..offers {
        let owner = if i < providers {
            i
        } else {
            ((rng.next() as usize) % providers).min((rng.next() as usize) % providers)
        };
        let topic = match rng.next() % 100 {
            0..=54 => Topic::of(&AREAS[focus[owner]]),
            55..=79 => Topic::of(rng.pick(&AREAS)),
            _ => {
                let specialty = *rng.pick(&specialties);
                Topic::of_specialty(specialty)
            }
        };
        let lines = rng.some(&all_lines, 2);
        let mut modes: Vec<&(&str, &str)> = if *lines[0] == ServiceLine::Digital {
            vec![&DELIVERY[1]]
        } else {
            rng.some(&DELIVERY, 3)
        };
        modes.sort_by_key(|m| m.0);
        let work = rng.some(&topic.work, 2);
        let who = match sectors[owner] {
            "nhs" => "Our NHS trust",
            "private" => "Our specialist private hospital group",
            _ => "Our university's health faculty",
        };
        let description = format!(
            "{who} offers {}{}, {}, with {}.",
            work[0],
            work.get(1).map_or(String::new(), |w| format!(" and {w}")),
            modes[0].1,
            rng.pick(&EXTRAS)
        );
        let mut languages = vec!["en"];
        if rng.next() % 100 < 35 {
            languages.extend(rng.some(&LANGUAGES, 2).into_iter().copied());
        }
        let mut experience: Vec<&str> = Vec::new();
        for _ in 0..rng.next() % 4 {
            let country = if rng.next().is_multiple_of(2) {
                rng.pick(&MARKETS).0
            } else {
                rng.pick(&ELSEWHERE)
            };
            if !experience.contains(&country) {
                experience.push(country);
            }
        }
        let codes: Vec<&str> = if topic.codes.is_empty() {
            Vec::new()
        } else {
            rng.some(&topic.codes, 3).into_iter().copied().collect()
        };
        let min = rng.pounds(20_000.0, 1_000_000.0);
        let mut offer = json!({"record": "offer", "id": format!("{}-F{i:06}", provider_id(owner)),
            "provider": provider_id(owner), "title": offer_title(*lines[0], &topic.name, &mut rng),
            "description": description, "service_lines": lines.iter().map(|l| l.as_str()).collect::<Vec<_>>(),
            "specialties": codes, "delivery_modes": modes.iter().map(|m| m.0).collect::<Vec<_>>(),
            "languages": languages, "countries_of_experience": experience,
            "price_gbp": {"min": min, "max": min * (2 + (rng.next() % 9) as i64)}});
        if !rng.next().is_multiple_of(10) {
            offer["capacity_days_per_year"] = json!(20 + rng.next() % 400);
        }
        push(&mut out, &offer);
    }

    // Buyers: a ministry, a private hospital group and a university
    // hospital in each market.
    for (country, _) in MARKETS {
        let name = CountryCode::parse(country).map_or("", |c| c.name());
        for (suffix, sector, label) in [
            ("MOH", "government", format!("Ministry of Health, {name}")),
            ("PHG", "private", format!("{name} Private Hospitals Group")),
            (
                "UNI",
                "university",
                format!("University Hospital of {name}"),
            ),
        ] {
            push(
                &mut out,
                &json!({"record": "organisation", "id": format!("BUY-{country}-{suffix}"),
                    "name": label, "kind": "buyer", "sector": sector, "country": country}),
            );
        }
    }

    // Needs: even positions structured (a fifth of them in several parts),
    // odd ones free text, as an OCDS tender or a pasted email arrives.
    let mut ids = Vec::with_capacity(opportunities);
    for i in 0..opportunities {
        let market = (rng.next() as usize) % MARKETS.len();
        let (country, currency) = MARKETS[market];
        let country_name = CountryCode::parse(country).map_or("", |c| c.name());
        let (suffix, who) = *rng.pick(&[
            ("MOH", "The ministry"),
            ("MOH", "The ministry"),
            ("PHG", "The hospital group"),
            ("UNI", "The university hospital"),
        ]);
        let buyer = format!("BUY-{country}-{suffix}");
        let area = rng.pick(&AREAS);
        let place = rng.pick(&PLACES);
        let gbp = rng.pounds(20_000.0, 20_000_000.0) as f64;
        let amount = (gbp * reference().units_per_gbp(currency).unwrap_or(1.0)).round() as i64;
        let id = match_opportunity_id(i);
        let work = rng.some(area.work, 2);
        let lay = rng.pick(area.lay);
        let asks = rng.some(&ASKS, 2);
        let mut need = if is_free_text(i) {
            let (source, title, description) = if rng.next().is_multiple_of(2) {
                (
                    "post",
                    format!("Help needed with {lay} at the {place}"),
                    format!(
                        "Dear colleagues, the {place} in {country_name} is looking for help with {lay}, in particular {}. We would like UK specialists to {}{}.",
                        work[0],
                        asks[0],
                        asks.get(1)
                            .map_or(String::new(), |a| format!(" and to {a}"))
                    ),
                )
            } else {
                (
                    "tender",
                    format!("Tender for {} at the {place}", work[0]),
                    format!(
                        "The {place} invites bids from qualified international providers for {}{}. The successful bidder will {} and report to the hospital board.",
                        work[0],
                        work.get(1).map_or(String::new(), |w| format!(" and {w}")),
                        asks[0]
                    ),
                )
            };
            json!({"record": "opportunity", "id": id, "buyer": buyer, "country": country,
                "title": title, "description": description,
                "source": source, "status": "published"})
        } else {
            let codes: Vec<&str> = if area.codes.is_empty() {
                Vec::new()
            } else {
                rng.some(area.codes, 3).into_iter().copied().collect()
            };
            let lines = rng.some(&all_lines, 2);
            let modes = rng.some(&DELIVERY, 2);
            let mut need = json!({"record": "opportunity", "id": id, "buyer": buyer, "country": country,
                "title": sentence_case(&format!("{} programme for the {place}", area.name)),
                "description": format!(
                    "{who} seeks a UK partner for {}{} serving the {place}, including training of local staff, clinical governance and a plan for sustainability over {} years.",
                    work[0],
                    work.get(1).map_or(String::new(), |w| format!(" and {w}")),
                    2 + rng.next() % 4
                ),
                "service_lines": lines.iter().map(|l| l.as_str()).collect::<Vec<_>>(),
                "specialties": codes,
                "delivery_modes": modes.iter().map(|m| m.0).collect::<Vec<_>>(),
                "source": rng.pick(OpportunitySource::ALL).as_str(), "status": "published"});
            if rng.next().is_multiple_of(2) {
                need["languages"] = json!(["en", MARKET_LANGUAGE[market]]);
            }
            if rng.next().is_multiple_of(5) {
                let parts: Vec<Value> = (0..2 + rng.next() % 3)
                    .map(|n| {
                        let part = rng.pick(&AREAS);
                        let work = *rng.pick(part.work);
                        json!({"id": format!("R{}", n + 1),
                            "title": sentence_case(work),
                            "service_line": rng.pick(ServiceLine::ALL).as_str(),
                            "specialties": part.codes.iter().take(2).collect::<Vec<_>>(),
                            "delivery_modes": [rng.pick(&DELIVERY).0],
                            "days": 20 + rng.next() % 380})
                    })
                    .collect();
                need["requirements"] = json!(parts);
            }
            need
        };
        if !is_free_text(i) || rng.next().is_multiple_of(2) {
            need["value"] = json!({"amount": amount, "currency": currency});
        }
        need["response_due"] = json!(format!("2027-0{}-15", 1 + rng.next() % 9));
        push(&mut out, &need);
        ids.push(id);
    }
    MatchWorld {
        text: out,
        opportunities: ids,
    }
}

/// Imports a generated matchmaking world, then times the providers ranked for
/// one opportunity at a time, and for every opportunity with one task per core.
pub async fn matching(
    app: &App,
    providers: usize,
    offers: usize,
    opportunities: usize,
    queries: usize,
) -> anyhow::Result<String> {
    anyhow::ensure!(
        providers > 0 && opportunities > 0 && queries > 0,
        "a match benchmark needs providers, opportunities and queries"
    );
    let world = generate_match_world(providers, offers, opportunities);
    let records = world.text.lines().count();
    let started = Instant::now();
    app.import(
        &Caller::command_line(),
        &[Source {
            name: "generated-match.jsonl".into(),
            text: world.text,
        }],
        &mut |_| (),
    )
    .await?;
    let imported = started.elapsed();
    let cli = Caller::command_line();
    // The first match loads every offer, provider and strategy into memory.
    let started = Instant::now();
    app.match_opportunity(&cli, &world.opportunities[0], MATCH_TOP)
        .await?;
    let first = started.elapsed();

    // One opportunity at a time, as an adviser asks: structured and
    // free-text needs alike, picked the same way on every run.
    let mut rng = Lcg(19);
    let mut times: Vec<(Duration, bool)> = Vec::with_capacity(queries);
    let (mut excluded, mut shown, mut matched) = (0, 0, 0);
    for _ in 0..queries {
        let i = (rng.next() as usize) % opportunities;
        let asked = Instant::now();
        let report = app
            .match_opportunity(&cli, &world.opportunities[i], MATCH_TOP)
            .await?;
        times.push((asked.elapsed(), is_free_text(i)));
        excluded += report.excluded.len();
        shown += report.matches.len();
        matched += report.matched;
    }
    let all: Vec<Duration> = sorted(times.iter().map(|t| t.0));
    let structured = sorted(times.iter().filter(|t| !t.1).map(|t| t.0));
    let free_text = sorted(times.iter().filter(|t| t.1).map(|t| t.0));
    let one_at_a_time = queries as f64 / all.iter().sum::<Duration>().as_secs_f64();

    // Every opportunity, one task per core pulling the next from a shared
    // counter, so a slow need does not leave a core idle at the end.
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    let ids = Arc::new(world.opportunities);
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let started = Instant::now();
    let tasks: Vec<_> = (0..workers)
        .map(|_| {
            let (app, ids, next, cli) = (app.clone(), ids.clone(), next.clone(), cli.clone());
            tokio::spawn(async move {
                let mut ranked = 0usize;
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(id) = ids.get(i) else {
                        return Ok::<_, anyhow::Error>(ranked);
                    };
                    std::hint::black_box(app.match_opportunity(&cli, id, MATCH_TOP).await?);
                    ranked += 1;
                }
            })
        })
        .collect();
    let mut ranked = 0;
    for task in tasks {
        ranked += task.await??;
    }
    let all_pairs = started.elapsed();

    Ok(format!(
        "matching on {:?}: {providers} providers, {offers} offers, {opportunities} opportunities (half free text only); {records} records imported in {:.1} s\n  first match, loading the offers, providers and strategies: {:.2} s\n  one opportunity ranked (top {MATCH_TOP}), {queries} queries: p50 {:.2} ms  p90 {:.2} ms  p99 {:.2} ms  max {:.2} ms\n    structured p50 {:.2} ms, free text p50 {:.2} ms; on average {:.1} providers fit, {:.1} shown and {:.1} kept out by the rules\n  every opportunity ranked, {workers} tasks: {ranked} in {:.2} s ({:.0} opportunities/s; one at a time {:.0}/s)\n{}",
        app.store.backend(),
        imported.as_secs_f64(),
        first.as_secs_f64(),
        ms(quantile(&all, 0.50)),
        ms(quantile(&all, 0.90)),
        ms(quantile(&all, 0.99)),
        ms(all.last().copied().unwrap_or_default()),
        ms(quantile(&structured, 0.50)),
        ms(quantile(&free_text, 0.50)),
        matched as f64 / queries as f64,
        shown as f64 / queries as f64,
        excluded as f64 / queries as f64,
        all_pairs.as_secs_f64(),
        ranked as f64 / all_pairs.as_secs_f64(),
        one_at_a_time,
        machine()
    ))
}

/// Providers asked for per opportunity, as an adviser's first page shows.
const MATCH_TOP: usize = 10;

pub(crate) fn sorted(times: impl Iterator<Item = Duration>) -> Vec<Duration> {
    let mut times: Vec<Duration> = times.collect();
    times.sort();
    times
}

/// The `q` quantile of sorted times; zero when there are none.
pub(crate) fn quantile(sorted: &[Duration], q: f64) -> Duration {
    sorted
        .get(((sorted.len() as f64 * q) as usize).min(sorted.len().saturating_sub(1)))
        .copied()
        .unwrap_or_default()
}

/// What each load client asks for, in turn; `{opportunity}` is a published opportunity.
const LOAD_MIX: [&str; 8] = [
    "/",
    "/opportunities",
    "/opportunities?q=diabetes",
    "/organisations?kind=provider",
    "/api/v1/opportunities?limit=20",
    "/api/v1/offers",
    "/api/v1/organisations",
    "/opportunities/{opportunity}",
];

/// The account the load clients browse as: signed in, as the agency's staff
/// browse, so every request also resolves a session.
const LOAD_ACCOUNT: &str = "load@bench.hcx";
/// Reasons kept of the failed requests; the count covers them all.
const FAILURE_REASONS_KEPT: usize = 5;
/// An answer slower than this is a failure, so a stuck server cannot stall the run.
const LOAD_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// What `hcx bench load` measured.
#[derive(Debug, Clone)]
pub struct LoadReport {
    pub backend: String,
    pub clients: usize,
    /// The time asked for; every client sends requests until it is over.
    pub duration: Duration,
    /// From the start of the import to the last answer.
    pub elapsed: Duration,
    /// Requests answered, failed ones included.
    pub requests: usize,
    /// Requests answered before the import (with its indexing) returned.
    pub during_import: usize,
    pub failures: usize,
    /// The first few failures: the URL and what went wrong.
    pub failure_reasons: Vec<String>,
    pub p50: Duration,
    pub p90: Duration,
    pub p99: Duration,
    pub max: Duration,
    /// Records in the file imported while the clients read.
    pub import_records: usize,
    /// How long that import took, whether or not it ended inside the duration.
    pub import_time: Duration,
}

impl LoadReport {
    pub fn requests_per_second(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64()
    }

    pub fn import_finished_inside(&self) -> bool {
        self.import_time <= self.duration
    }
}

impl fmt::Display for LoadReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "load on {}: {} clients over keep-alive HTTP/1.1 for {:.1} s, signed in as an adviser, each cycling through {} pages and API lists",
            self.backend,
            self.clients,
            self.duration.as_secs_f64(),
            LOAD_MIX.len(),
        )?;
        write!(
            f,
            "  requests: {} ({:.0}/s); {} answered while the import ran ({:.0}/s)",
            self.requests,
            self.requests_per_second(),
            self.during_import,
            self.during_import as f64 / self.import_time.min(self.elapsed).as_secs_f64()
        )?;
        if self.import_time < self.elapsed {
            let after = self.requests - self.during_import;
            write!(
                f,
                ", {after} after it ({:.0}/s)",
                after as f64 / (self.elapsed - self.import_time).as_secs_f64()
            )?;
        }
        writeln!(f)?;
        writeln!(
            f,
            "  latency: p50 {:.2} ms  p90 {:.2} ms  p99 {:.2} ms  max {:.2} ms",
            ms(self.p50),
            ms(self.p90),
            ms(self.p99),
            ms(self.max)
        )?;
        writeln!(f, "  failures: {}", self.failures)?;
        for reason in &self.failure_reasons {
            writeln!(f, "    {reason}")?;
        }
        writeln!(
            f,
            "  import of {} records alongside: {:.2} s ({})",
            self.import_records,
            self.import_time.as_secs_f64(),
            if self.import_finished_inside() {
                "finished inside the run"
            } else {
                "still running when the run ended"
            }
        )?;
        write!(f, "{}", machine())
    }
}

/// What one load client saw.
#[derive(Debug, Default)]
struct ClientTally {
    latencies: Vec<Duration>,
    during_import: usize,
    failures: usize,
    failure_reasons: Vec<String>,
}

/// Serves `app` on loopback and has `clients` connections read pages and API
/// lists for `duration` while `opportunities` generated records are imported.
/// The demo world is imported first so that every page has something to show.
pub async fn load(
    app: &App,
    opportunities: usize,
    clients: usize,
    duration: Duration,
) -> anyhow::Result<LoadReport> {
    anyhow::ensure!(clients > 0, "a load test needs at least one client");
    crate::demo::load(app, &mut |_| ()).await?;
    let published = hcx_store::OpportunityFilter {
        statuses: vec![Status::Published.as_str().into()],
        ..Default::default()
    };
    let opportunity = app
        .store
        .list_opportunities(&published, 0, 1)
        .await?
        .items
        .into_iter()
        .next()
        .map(|v| v.record.id.to_string())
        .ok_or_else(|| anyhow::anyhow!("the demo world has no published opportunity"))?;
    let cookie = load_session(app).await?;

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(
        axum::serve(listener, crate::web::router(app.clone()))
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .into_future(),
    );
    let uris: Arc<Vec<Uri>> = Arc::new(
        LOAD_MIX
            .iter()
            .map(|path| {
                format!(
                    "http://{addr}{}",
                    path.replace("{opportunity}", &opportunity)
                )
                .parse()
            })
            .collect::<Result<_, _>>()?,
    );

    let text = generate_world(opportunities);
    let import_records = text.lines().count();
    let importing = Arc::new(AtomicBool::new(true));
    let started = Instant::now();
    let import = {
        let app = app.clone();
        let importing = importing.clone();
        tokio::spawn(async move {
            let source = Source {
                name: "generated.jsonl".into(),
                text,
            };
            let done = app
                .import(&Caller::command_line(), &[source], &mut |_| ())
                .await;
            importing.store(false, Ordering::SeqCst);
            (done, started.elapsed())
        })
    };

    let client: Client<HttpConnector, Empty<Bytes>> = Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(clients)
        .build_http();
    let deadline = started + duration;
    let tallies: Vec<_> = (0..clients)
        .map(|n| {
            let (client, uris, cookie, importing) = (
                client.clone(),
                uris.clone(),
                cookie.clone(),
                importing.clone(),
            );
            tokio::spawn(async move {
                let mut tally = ClientTally::default();
                // Clients start at different points of the mix, so every
                // kind of request is in flight at once.
                let mut next = n;
                while Instant::now() < deadline {
                    let uri = &uris[next % uris.len()];
                    next += 1;
                    let sent = Instant::now();
                    let answer =
                        tokio::time::timeout(LOAD_REQUEST_TIMEOUT, fetch(&client, uri, &cookie))
                            .await
                            .unwrap_or_else(|_| Err("no answer in time".into()));
                    tally.latencies.push(sent.elapsed());
                    if importing.load(Ordering::SeqCst) {
                        tally.during_import += 1;
                    }
                    if let Err(reason) = answer {
                        tally.failures += 1;
                        if tally.failure_reasons.len() < FAILURE_REASONS_KEPT {
                            tally.failure_reasons.push(format!(
                                "{}: {reason}",
                                uri.path_and_query().map_or("", |p| p.as_str())
                            ));
                        }
                    }
                }
                tally
            })
        })
        .collect();
    drop(client);

    let mut latencies = Vec::new();
    let (mut during_import, mut failures, mut failure_reasons) = (0, 0, Vec::new());
    for tally in tallies {
        let tally = tally.await?;
        latencies.extend(tally.latencies);
        during_import += tally.during_import;
        failures += tally.failures;
        failure_reasons.extend(tally.failure_reasons);
    }
    let elapsed = started.elapsed();
    failure_reasons.truncate(FAILURE_REASONS_KEPT);

    let (imported, import_time) = import.await?;
    let _ = stop.send(());
    // Connections the clients left open end the server's wait; if one does
    // not close, the server is stopped anyway.
    if let Ok(served) = tokio::time::timeout(Duration::from_secs(5), server).await {
        served??;
    }
    imported?;

    latencies.sort();
    let at = |q: f64| {
        latencies
            .get(((latencies.len() as f64 * q) as usize).min(latencies.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    };
    Ok(LoadReport {
        backend: format!("{:?}", app.store.backend()),
        clients,
        duration,
        elapsed,
        requests: latencies.len(),
        during_import,
        failures,
        failure_reasons,
        p50: at(0.50),
        p90: at(0.90),
        p99: at(0.99),
        max: latencies.last().copied().unwrap_or_default(),
        import_records,
        import_time,
    })
}

/// A session cookie for the load account, made without a password so the
/// run does not spend its time hashing one.
async fn load_session(app: &App) -> anyhow::Result<HeaderValue> {
    use crate::services::accounts::{digest, random_token};
    let cli = Caller::command_line();
    let user = match app.store.user_by_email(LOAD_ACCOUNT).await? {
        Some((user, _)) => user,
        None => {
            app.add_user(&cli, LOAD_ACCOUNT, "Load test", "adviser", &[], None)
                .await?
        }
    };
    let secret = random_token(32);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_millis() as i64;
    app.store
        .start_session(
            &digest(&secret),
            &hcx_store::Session {
                user_id: user.id,
                csrf_token: random_token(32),
                created_at: now,
                last_seen_at: now,
                expires_at: now + app.security.session_max_ms,
            },
            &cli.author(),
        )
        .await?;
    Ok(HeaderValue::from_str(&format!(
        "{}={secret}",
        crate::web::auth::SESSION_COOKIE
    ))?)
}

/// One GET, its body read to the end; anything but 200 is a failure.
async fn fetch(
    client: &Client<HttpConnector, Empty<Bytes>>,
    uri: &Uri,
    cookie: &HeaderValue,
) -> Result<(), String> {
    let request = Request::get(uri.clone())
        .header(header::COOKIE, cookie.clone())
        .body(Empty::new())
        .map_err(|e| e.to_string())?;
    let response = client.request(request).await.map_err(|e| causes(&e))?;
    let status = response.status();
    let body = response
        .into_body()
        .collect()
        .await
        .map_err(|e| causes(&e))?
        .to_bytes();
    if status == StatusCode::OK {
        Ok(())
    } else {
        let text = String::from_utf8_lossy(&body);
        Err(format!(
            "{status}: {}",
            text.chars().take(200).collect::<String>()
        ))
    }
}

/// An error with its causes: the client's own message alone is too terse.
fn causes(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let _ = write!(text, ": {cause}");
        source = cause.source();
    }
    text
}

pub(crate) fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The machine, for the record: cores and processor model.
pub(crate) fn machine() -> String {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned())
        })
        .unwrap_or_else(|| "unknown processor".into());
    format!("  machine: {cores} cores, {model}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_worlds_are_valid_and_repeatable() {
        let text = generate_world(200);
        assert_eq!(text, generate_world(200));
        let batch = hcx_domain::Batch::from_jsonl(&text);
        assert_eq!(batch.errors, vec![]);
        assert_eq!(batch.records.len(), 210);
    }

    #[test]
    fn generated_match_worlds_are_valid_and_repeatable() {
        let world = generate_match_world(50, 150, 40);
        assert_eq!(world.text, generate_match_world(50, 150, 40).text);
        let mut batch = hcx_domain::Batch::from_jsonl(&world.text);
        batch.check_references(|_| None, |_| None);
        assert_eq!(batch.errors, vec![]);
        let kinds = |kind: &str| {
            batch
                .records
                .iter()
                .filter(|(_, r)| r.kind() == kind)
                .count()
        };
        assert_eq!(kinds("offer"), 150);
        assert_eq!(kinds("opportunity"), 40);
        assert_eq!(world.opportunities.len(), 40);
        // Free-text needs carry no structured fields for the matcher to lean on.
        for (_, record) in &batch.records {
            if let hcx_domain::Record::Opportunity(o) = record {
                let i: usize = o.id.as_str()[5..].parse().unwrap();
                if is_free_text(i) {
                    assert!(o.specialties.is_empty() && o.service_lines.is_empty());
                    assert!(o.delivery_modes.is_empty() && o.requirements.is_empty());
                }
            }
        }
    }

    #[test]
    fn every_area_names_active_specialties() {
        for area in &AREAS {
            for code in area.codes {
                assert!(
                    hcx_domain::SpecialtyCode::parse(code).is_ok(),
                    "{code} in {}",
                    area.name
                );
            }
        }
    }
}
