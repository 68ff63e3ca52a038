//! Reading lay and international wording: which specialties, service lines
//! and delivery modes a free text asks for, and the phrases that said so.
//!
//! The phrases are `data/matching/synonyms.csv` plus the active treatment
//! function names themselves, so the table holds only the words people use
//! that the NHS Data Dictionary does not.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

use crate::codes::SpecialtyCode;
use crate::reference::reference;
use crate::vocab::{DeliveryMode, ServiceLine};

const SYNONYMS_CSV: &str = include_str!("../../../data/matching/synonyms.csv");

/// One value read in a text, with the phrases that named it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Inference<T> {
    pub value: T,
    /// The table phrases or specialty names found, in the order first met.
    pub because: Vec<String>,
}

/// What a free text asks for; each list is sorted by value, without repeats.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Inferred {
    pub specialties: Vec<Inference<SpecialtyCode>>,
    pub service_lines: Vec<Inference<ServiceLine>>,
    pub delivery_modes: Vec<Inference<DeliveryMode>>,
}

impl Inferred {
    /// Whether nothing at all was read.
    pub fn is_empty(&self) -> bool {
        self.specialties.is_empty()
            && self.service_lines.is_empty()
            && self.delivery_modes.is_empty()
    }
}

/// Reads the specialties, service lines and delivery modes a text asks for.
pub fn infer(text: &str) -> Inferred {
    let table = table();
    let mut specialties = BTreeMap::new();
    let mut service_lines = BTreeMap::new();
    let mut delivery_modes = BTreeMap::new();
    let mut seen = vec![false; table.phrases.len()];
    for i in table.find(&words(text)) {
        // A phrase said twice adds nothing, and skipping it keeps a long
        // tender from cloning a code for every repeat.
        if std::mem::replace(&mut seen[i], true) {
            continue;
        }
        let phrase = &table.phrases[i];
        note(&mut specialties, &phrase.specialties, &phrase.label);
        note(&mut service_lines, &phrase.service_lines, &phrase.label);
        note(&mut delivery_modes, &phrase.delivery_modes, &phrase.label);
    }
    Inferred {
        specialties: listed(specialties),
        service_lines: listed(service_lines),
        delivery_modes: listed(delivery_modes),
    }
}

/// Official names of the specialties and service lines a text asks for, to add to its search query.
pub fn expand_query(text: &str) -> Vec<String> {
    let inferred = infer(text);
    inferred
        .specialties
        .iter()
        .map(|i| i.value.name().to_owned())
        .chain(
            inferred
                .service_lines
                .iter()
                .map(|i| i.value.label().to_owned()),
        )
        .collect()
}

fn note<T: Ord + Clone>(found: &mut BTreeMap<T, Vec<String>>, values: &[T], label: &str) {
    for value in values {
        found
            .entry(value.clone())
            .or_default()
            .push(label.to_owned());
    }
}

fn listed<T>(found: BTreeMap<T, Vec<String>>) -> Vec<Inference<T>> {
    found
        .into_iter()
        .map(|(value, because)| Inference { value, because })
        .collect()
}

/// A phrase in normal form with what it names. A phrase that names nothing
/// still claims its words, so that "at the heart of" is not read as cardiology.
#[derive(Debug)]
struct Phrase {
    words: Vec<String>,
    label: String,
    specialties: Vec<SpecialtyCode>,
    service_lines: Vec<ServiceLine>,
    delivery_modes: Vec<DeliveryMode>,
}

#[derive(Debug)]
struct Table {
    phrases: Vec<Phrase>,
    /// Phrase positions by their first word, longest phrase first, so one
    /// hash lookup per word of the text finds every candidate.
    by_first_word: HashMap<String, Vec<usize>, BuildHasherDefault<Fnv>>,
}

fn table() -> &'static Table {
    static TABLE: LazyLock<Table> = LazyLock::new(Table::load);
    &TABLE
}

impl Table {
    fn load() -> Table {
        let (mut phrases, problems) = read_rows(SYNONYMS_CSV);
        assert!(
            problems.is_empty(),
            "shipped data/matching/synonyms.csv is malformed:\n{}",
            problems.join("\n")
        );
        let mut at: HashMap<Vec<String>, usize> = phrases
            .iter()
            .enumerate()
            .map(|(i, p)| (p.words.clone(), i))
            .collect();
        for (code, name) in specialty_names() {
            let words = words(&name).to_vec();
            match at.get(&words) {
                Some(&i) => {
                    if !phrases[i].specialties.contains(&code) {
                        phrases[i].specialties.push(code);
                    }
                }
                None => {
                    at.insert(words.clone(), phrases.len());
                    phrases.push(Phrase {
                        words,
                        label: name,
                        specialties: vec![code],
                        service_lines: Vec::new(),
                        delivery_modes: Vec::new(),
                    });
                }
            }
        }
        let mut by_first_word: HashMap<String, Vec<usize>, BuildHasherDefault<Fnv>> =
            HashMap::default();
        for (i, p) in phrases.iter().enumerate() {
            by_first_word.entry(p.words[0].clone()).or_default().push(i);
        }
        for candidates in by_first_word.values_mut() {
            candidates.sort_by_key(|&i| std::cmp::Reverse(phrases[i].words.len()));
        }
        Table {
            phrases,
            by_first_word,
        }
    }

    /// The positions of the phrases found in `text`, in text order. Where
    /// found phrases overlap the longer one is kept (the earlier one when
    /// equally long), wherever each starts, so "paediatric intensive care" is
    /// not also "intensive care".
    fn find(&self, text: &Words) -> Vec<usize> {
        let mut found: Vec<(usize, usize)> = Vec::new();
        for start in 0..text.len() {
            let Some(candidates) = self.by_first_word.get(text.get(start)) else {
                continue;
            };
            found.extend(
                candidates
                    .iter()
                    .filter(|&&i| text.starts_with_at(start, &self.phrases[i].words))
                    .map(|&i| (start, i)),
            );
        }
        let len = |i: usize| self.phrases[i].words.len();
        found.sort_by_key(|&(start, i)| (std::cmp::Reverse(len(i)), start));
        let mut taken = vec![false; text.len()];
        let mut kept = Vec::new();
        for (start, i) in found {
            let span = start..start + len(i);
            if taken[span.clone()].iter().any(|&t| t) {
                continue;
            }
            taken[span].fill(true);
            kept.push((start, i));
        }
        kept.sort_by_key(|&(start, _)| start);
        kept.into_iter().map(|(_, i)| i).collect()
    }
}

/// The active specialties with their names in lower case, without "Service".
fn specialty_names() -> Vec<(SpecialtyCode, String)> {
    reference()
        .specialties()
        .filter(|s| s.is_active())
        .filter_map(|s| {
            let code = SpecialtyCode::parse(&s.code).ok()?;
            Some((code, s.short_name().to_lowercase()))
        })
        .collect()
}

#[derive(Deserialize)]
struct Row {
    phrase: String,
    specialties: String,
    service_lines: String,
    delivery_modes: String,
}

/// Parses the table, collecting every problem rather than stopping at the
/// first, so that the test that guards the shipped file lists them all.
fn read_rows(csv_text: &str) -> (Vec<Phrase>, Vec<String>) {
    let names: HashSet<Vec<String>> = specialty_names()
        .into_iter()
        .map(|(_, name)| words(&name).to_vec())
        .collect();
    let mut seen: HashMap<Vec<String>, String> = HashMap::new();
    let mut phrases = Vec::new();
    let mut problems = Vec::new();
    for (i, row) in csv::Reader::from_reader(csv_text.as_bytes())
        .deserialize::<Row>()
        .enumerate()
    {
        let line = i + 2;
        let row = match row {
            Ok(row) => row,
            Err(e) => {
                problems.push(format!("line {line}: {e}"));
                continue;
            }
        };
        let mut wrong = Vec::new();
        let phrase = row.phrase.as_str();
        if phrase.is_empty() || phrase != phrase.trim() || phrase != phrase.to_lowercase() {
            wrong.push("the phrase must be trimmed lower-case text".to_owned());
        }
        let words = words(phrase).to_vec();
        if words.is_empty() {
            wrong.push("the phrase has no words".to_owned());
        } else if names.contains(&words) {
            wrong.push("is a specialty name, which is matched without a row".to_owned());
        } else if let Some(earlier) = seen.get(&words) {
            wrong.push(format!(
                "reads the same as {earlier:?} once case, plurals and punctuation are ignored"
            ));
        }
        let specialties = cell(&row.specialties, SpecialtyCode::parse, &mut wrong);
        let service_lines = cell(
            &row.service_lines,
            |n| ServiceLine::parse(n).ok_or_else(|| format!("{n:?} is not a service line")),
            &mut wrong,
        );
        let delivery_modes = cell(
            &row.delivery_modes,
            |n| DeliveryMode::parse(n).ok_or_else(|| format!("{n:?} is not a delivery mode")),
            &mut wrong,
        );
        if wrong.is_empty() {
            seen.insert(words.clone(), phrase.to_owned());
            phrases.push(Phrase {
                words,
                label: phrase.to_owned(),
                specialties,
                service_lines,
                delivery_modes,
            });
        } else {
            problems.extend(
                wrong
                    .into_iter()
                    .map(|w| format!("line {line} ({phrase:?}): {w}")),
            );
        }
    }
    (phrases, problems)
}

fn cell<T: PartialEq>(
    text: &str,
    parse: impl Fn(&str) -> Result<T, String>,
    wrong: &mut Vec<String>,
) -> Vec<T> {
    let mut values = Vec::new();
    for item in text.split_whitespace() {
        match parse(item) {
            Ok(v) if values.contains(&v) => wrong.push(format!("{item:?} is listed twice")),
            Ok(v) => values.push(v),
            Err(e) => wrong.push(e),
        }
    }
    values
}

/// A text as words in normal form, all in one buffer so that reading a long
/// tender costs no allocation per word.
#[derive(Debug)]
struct Words {
    buffer: String,
    spans: Vec<(usize, usize)>,
}

impl Words {
    fn len(&self) -> usize {
        self.spans.len()
    }

    fn get(&self, i: usize) -> &str {
        let (start, end) = self.spans[i];
        &self.buffer[start..end]
    }

    /// Whether the words from `start` on begin with `phrase`.
    fn starts_with_at(&self, start: usize, phrase: &[String]) -> bool {
        start + phrase.len() <= self.len()
            && phrase
                .iter()
                .enumerate()
                .all(|(k, w)| w == self.get(start + k))
    }

    fn to_vec(&self) -> Vec<String> {
        (0..self.len()).map(|i| self.get(i).to_owned()).collect()
    }

    /// Ends the word that began at `start` in the buffer.
    fn end_word(&mut self, start: usize, abbreviation_plural: bool) {
        if abbreviation_plural {
            self.buffer.pop();
        }
        if self.buffer[start..].contains('\'') {
            let raw = &self.buffer[start..];
            let trimmed = raw.trim_matches('\'');
            let bare = trimmed
                .strip_suffix("'s")
                .unwrap_or(trimmed)
                .replace('\'', "");
            self.buffer.truncate(start);
            self.buffer.push_str(&bare);
        }
        singular(&mut self.buffer, start);
        if self.buffer.len() > start {
            self.spans.push((start, self.buffer.len()));
        }
    }
}

/// Splits text into words in normal form: lower case, possessives and simple
/// plurals removed, with anything but letters, digits and apostrophes
/// between words and "&" read as "and". Phrases and texts go through the
/// same function, so a plural rule that is wrong for a word (diabetes →
/// "diabete") is still consistent.
fn words(text: &str) -> Words {
    let mut out = Words {
        buffer: String::with_capacity(text.len() + 8),
        spans: Vec::new(),
    };
    let mut start = 0;
    // Capitals just before a final lower-case "s" mark an abbreviation's
    // plural ("ICUs", "NCDs"), which the lower-case rules cannot tell from
    // a word such as "virus".
    let mut capitals = 0;
    let mut abbreviation_plural = false;
    for c in text.chars() {
        let (letter_or_digit, capital) = if c.is_ascii() {
            (c.is_ascii_alphanumeric(), c.is_ascii_uppercase())
        } else {
            (c.is_alphanumeric(), c.is_uppercase())
        };
        if letter_or_digit {
            abbreviation_plural = c == 's' && capitals >= 2;
            capitals = if capital { capitals + 1 } else { 0 };
            if c.is_ascii() {
                out.buffer.push(c.to_ascii_lowercase());
            } else {
                out.buffer.extend(c.to_lowercase());
            }
        } else if matches!(c, '\'' | '\u{2019}' | '\u{2018}') {
            abbreviation_plural = false;
            capitals = 0;
            out.buffer.push('\'');
        } else {
            if out.buffer.len() > start {
                out.end_word(start, abbreviation_plural);
                start = out.buffer.len();
            }
            abbreviation_plural = false;
            capitals = 0;
            if c == '&' {
                out.buffer.push_str("and");
                out.spans.push((start, out.buffer.len()));
                start = out.buffer.len();
            }
        }
    }
    if out.buffer.len() > start {
        out.end_word(start, abbreviation_plural);
    }
    out
}

/// Turns the word that begins at `start`, at the end of `buffer`, from English
/// plural to singular, for the few forms health texts use. Words of three
/// letters or fewer are left alone, so "ent" and "nhs" stay as they are.
fn singular(buffer: &mut String, start: usize) {
    let word = &buffer[start..];
    if word.len() <= 3 || !word.bytes().all(|b| b.is_ascii_lowercase()) {
        return;
    }
    let (cut, add) = if word.len() > 4 && word.ends_with("ies") {
        (3, "y")
    } else if word.ends_with("sses") {
        (2, "")
    } else if word.ends_with('s') && !["ss", "us", "is"].iter().any(|e| word.ends_with(e)) {
        (1, "")
    } else {
        (0, "")
    };
    buffer.truncate(buffer.len() - cut);
    buffer.push_str(add);
    let irregular = match &buffer[start..] {
        "children" => "child",
        "women" => "woman",
        "midwive" => "midwife",
        "teeth" => "tooth",
        "feet" => "foot",
        _ => return,
    };
    buffer.truncate(start);
    buffer.push_str(irregular);
}

/// FNV-1a. The index's keys are the table's own words and a text only looks
/// them up, so chosen words cannot lengthen its probes: SipHash's defence
/// buys nothing here, and hashing every word of a long tender is the hot path.
#[derive(Debug, Clone, Copy)]
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(text: &str) -> Vec<String> {
        infer(text)
            .specialties
            .into_iter()
            .map(|i| i.value.as_str().to_owned())
            .collect()
    }

    fn lines(text: &str) -> Vec<ServiceLine> {
        infer(text)
            .service_lines
            .into_iter()
            .map(|i| i.value)
            .collect()
    }

    fn modes(text: &str) -> Vec<DeliveryMode> {
        infer(text)
            .delivery_modes
            .into_iter()
            .map(|i| i.value)
            .collect()
    }

    #[test]
    fn every_shipped_row_is_valid() {
        let (phrases, problems) = read_rows(SYNONYMS_CSV);
        assert!(problems.is_empty(), "{}", problems.join("\n"));
        assert!(phrases.len() >= 200, "only {} rows", phrases.len());
        assert!(table().phrases.len() > phrases.len());
    }

    #[test]
    fn bad_rows_are_reported_with_their_line() {
        let csv = "phrase,specialties,service_lines,delivery_modes\n\
                   Eye,130,,\n\
                   cornea,999 510,,\n\
                   telly,,television,\n\
                   ward,,,teleport\n\
                   eyes,130,,\n\
                   eye,130,,\n\
                   ophthalmology,130,,\n\
                   heart,320 320,,\n";
        let (phrases, problems) = read_rows(csv);
        assert_eq!(phrases.len(), 1);
        let text = problems.join("\n");
        for expected in [
            "line 2 (\"Eye\"): the phrase must be trimmed lower-case",
            "line 3 (\"cornea\"): \"999\" is not a treatment function code",
            "line 3 (\"cornea\"): treatment function code \"510\" is retired",
            "line 4 (\"telly\"): \"television\" is not a service line",
            "line 5 (\"ward\"): \"teleport\" is not a delivery mode",
            "line 7 (\"eye\"): reads the same as \"eyes\"",
            "line 8 (\"ophthalmology\"): is a specialty name",
            "line 9 (\"heart\"): \"320\" is listed twice",
        ] {
            assert!(text.contains(expected), "missing {expected:?} in\n{text}");
        }
    }

    #[test]
    fn the_issues_examples_are_read() {
        assert_eq!(codes("children's heart"), ["221", "321", "331"]);
        assert_eq!(codes("Eye"), ["130"]);
        assert_eq!(codes("cancer"), ["370", "800"]);
        assert_eq!(codes("childhood cancer"), ["260"]);
        for text in ["ICU", "intensive care", "critical care", "Critical-Care"] {
            assert_eq!(codes(text), ["192"], "{text}");
        }
        for text in ["NICU", "neonatal intensive care", "neonatal ICU"] {
            assert_eq!(codes(text), ["422"], "{text}");
        }
        for text in [
            "PICU",
            "paediatric intensive care",
            "pediatric critical care",
        ] {
            assert_eq!(codes(text), ["242"], "{text}");
        }
    }

    #[test]
    fn specialty_names_are_read_without_a_row() {
        assert_eq!(codes("Clinical Oncology"), ["800"]);
        assert_eq!(codes("OPHTHALMOLOGY"), ["130"]);
        assert_eq!(codes("a gastroenterology service"), ["301"]);
        assert_eq!(codes("Ear, Nose & Throat"), ["120"]);
        assert_eq!(codes("post-COVID-19 syndrome clinics"), ["348"]);
        let found = infer("clinical oncology");
        assert_eq!(found.specialties[0].because, ["clinical oncology"]);
    }

    #[test]
    fn the_longest_overlapping_phrase_wins() {
        assert_eq!(codes("paediatric intensive care"), ["242"]);
        assert_eq!(
            codes("paediatric and neonatal intensive care"),
            ["242", "422"]
        );
        assert_eq!(codes("children's heart surgery"), ["221", "331"]);
        assert_eq!(codes("cardiac rehabilitation"), ["327"]);
        assert_eq!(codes("psychiatric intensive care unit"), ["723"]);
        assert_eq!(codes("cancer in children"), ["260"]);
    }

    #[test]
    fn phrases_that_name_nothing_hide_the_words_inside_them() {
        assert!(infer("patients at the heart of everything we do").is_empty());
        assert!(infer("bids must be submitted online").is_empty());
        assert!(modes("clinics in remote areas of the north").is_empty());
        assert_eq!(modes("supervised remotely"), [DeliveryMode::Remote]);
    }

    #[test]
    fn plurals_and_possessives_are_forgiven() {
        for text in [
            "children's heart",
            "childrens heart",
            "child heart",
            "Children’s Heart",
            "childrens' heart",
        ] {
            assert_eq!(codes(text), ["221", "321", "331"], "{text}");
        }
        assert_eq!(codes("two new ICUs and three NICUs"), ["192", "422"]);
        assert_eq!(codes("NCDs"), codes("ncd"));
        assert_eq!(codes("dialysis for sinus patients"), ["120", "361"]);
        assert_eq!(codes("paediatrics"), ["420"]);
        assert_eq!(codes("eyes"), ["130"]);
        assert_eq!(codes("midwives and a midwife"), ["560"]);
        assert_eq!(codes("women's health"), codes("woman health"));
        assert_eq!(codes("therapies for allergies"), ["317"]);
        assert_eq!(codes("tumours"), ["370", "800"]);
    }

    #[test]
    fn words_are_matched_whole() {
        assert!(codes("specialist treatment and assessment").is_empty());
        assert!(codes("the recruitment of parents").is_empty());
        assert!(codes("eyebrow").is_empty());
        assert!(codes("heartfelt thanks").is_empty());
        assert_eq!(codes("an ENT clinic"), ["120"]);
        assert_eq!(codes("A&E"), ["180"]);
        assert_eq!(codes("x-ray and X ray"), ["812"]);
    }

    #[test]
    fn service_lines_and_delivery_modes_are_read() {
        assert_eq!(lines("nurse training"), [ServiceLine::EducationTraining]);
        assert_eq!(lines("hospital management"), [ServiceLine::Consultancy]);
        assert_eq!(
            lines("run a clinic in Doha"),
            [ServiceLine::ServiceOperation]
        );
        assert_eq!(lines("twinning"), [ServiceLine::Partnership]);
        assert_eq!(lines("telemedicine"), [ServiceLine::Digital]);
        assert_eq!(modes("telemedicine"), [DeliveryMode::Remote]);
        assert_eq!(modes("an observership"), [DeliveryMode::UkBased]);
        assert_eq!(modes("on-site support"), [DeliveryMode::InCountry]);
        let tele_icu = infer("Tele-ICU");
        assert_eq!(tele_icu.specialties[0].value.as_str(), "192");
        assert_eq!(tele_icu.service_lines[0].value, ServiceLine::Digital);
    }

    #[test]
    fn results_are_sorted_without_repeats_and_say_why() {
        let found = infer("Oncology and cancer care; more cancer, and radiotherapy.");
        let values: Vec<&str> = found.specialties.iter().map(|i| i.value.as_str()).collect();
        assert_eq!(values, ["370", "800"]);
        assert_eq!(found.specialties[0].because, ["oncology", "cancer"]);
        assert_eq!(
            found.specialties[1].because,
            ["oncology", "cancer", "radiotherapy"]
        );
        assert!(infer("").is_empty());
        assert!(infer("  ,,; -- '' ").is_empty());
    }

    #[test]
    fn a_pasted_email_is_read_as_a_person_would() {
        let email = "Dear colleagues,\n\n\
            Following our call, the Ministry of Health in Amman is looking for a UK \
            partner to help set up a children's heart programme at the new Al-Bashir \
            hospital, including the training of PICU nurses and visiting surgeons for \
            the most complex cases (ideally 2-3 weeks on site twice a year). They would \
            also like second opinions on echo findings via telemedicine between visits.\n\n\
            Budget is around JOD 2m over three years. Happy to set up a call.\n\n\
            Best wishes,\nSarah\nBritish Embassy Amman";
        let found = infer(email);
        let specialties: Vec<&str> = found.specialties.iter().map(|i| i.value.as_str()).collect();
        assert_eq!(specialties, ["221", "242", "321", "331"]);
        assert_eq!(
            lines(email),
            [
                ServiceLine::EducationTraining,
                ServiceLine::ClinicalAdvice,
                ServiceLine::Digital
            ]
        );
        assert_eq!(
            modes(email),
            [DeliveryMode::InCountry, DeliveryMode::Remote]
        );
        let picu = &found.specialties[1];
        assert_eq!(picu.because, ["picu"]);
    }

    #[test]
    fn a_tender_with_html_stripped_is_read() {
        let tender = crate::text::strip_html(
            "<p>Supply of <b>haemodialysis</b> services &amp; nephrology training \
             for the Ministry&rsquo;s renal units.</p>",
        );
        assert_eq!(codes(&tender), ["361"]);
        assert_eq!(lines(&tender), [ServiceLine::EducationTraining]);
    }

    #[test]
    fn queries_are_expanded_with_official_names() {
        assert_eq!(expand_query("ICU"), ["Intensive Care Medicine"]);
        assert_eq!(
            expand_query("eye telemedicine"),
            ["Ophthalmology", "Digital and remote"]
        );
        assert!(expand_query("nothing to see").is_empty());
    }

    #[test]
    fn a_long_text_is_read_in_one_pass() {
        let paragraph = "The hospital seeks support for its intensive care unit, \
                         cancer centre and eye clinic, with nurse training. ";
        let long = paragraph.repeat(500);
        let found = infer(&long);
        assert_eq!(found.specialties.len(), 4);
        assert!(words(&long).len() > 5_000);
    }
}
