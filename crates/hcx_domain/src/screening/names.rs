//! How alike two normalised names are, part by part: the parts are aligned
//! whatever their order, each pair weighed by an edit distance that forgives
//! typos in proportion to the length of the word, an initial standing for a
//! whole name, and a middle name missing on one side.

use super::normalise::NormalName;

/// How alike two words are, in [0, 1]: 1 when equal; for longer words one
/// edit in five letters still counts as alike, less each edit; an initial
/// matches a word it begins (weakly).
pub fn word_similarity(a: &str, b: &str) -> f64 {
    if a == b {
        return 1.0;
    }
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if short.len() == 1 {
        return if long.starts_with(short) {
            INITIAL
        } else {
            0.0
        };
    }
    let distance = levenshtein(a, b) as f64;
    let allowed = (long.len() as f64 / 5.0)
        .floor()
        .max(if long.len() >= 4 { 1.0 } else { 0.0 });
    if distance > allowed {
        return 0.0;
    }
    1.0 - distance / long.len() as f64
}

/// What an initial is worth against the name it begins.
const INITIAL: f64 = 0.6;
/// What a part of the longer name that nothing matches costs, against one
/// of the shorter name (a middle name one side leaves out costs little).
const UNMATCHED_EXTRA: f64 = 0.25;

/// Edits (insert, delete, substitute, swap of neighbours) from `a` to `b`.
pub fn levenshtein(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut before: Vec<usize> = (0..=b.len()).collect();
    let mut previous = before.clone();
    let mut current = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        current[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (previous[j] + 1)
                .min(current[j - 1] + 1)
                .min(previous[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(before[j - 2] + 1);
            }
            current[j] = best;
        }
        std::mem::swap(&mut before, &mut previous);
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

/// One part of the query aligned with one part of the candidate.
#[derive(Debug, Clone, PartialEq)]
pub struct Aligned {
    pub query: String,
    pub candidate: String,
    pub similarity: f64,
}

/// Two names compared: a score in [0, 1] and the parts as aligned.
#[derive(Debug, Clone, PartialEq)]
pub struct NameComparison {
    pub score: f64,
    pub aligned: Vec<Aligned>,
}

/// Aligns the parts of two names, best pairs first and each part used once
/// (so word order does not matter), and scores the alignment: the matched
/// similarity over the parts of the shorter name, less a little for each
/// part of the longer one left over. Joined parts count too: `abdul rahman`
/// meets `abdulrahman`.
pub fn compare(query: &NormalName, candidate: &NormalName) -> NameComparison {
    let q = with_joined(&query.tokens);
    let c = with_joined(&candidate.tokens);
    let (nq, nc) = (query.tokens.len(), candidate.tokens.len());
    let mut pairs: Vec<(f64, usize, usize)> = Vec::new();
    for (i, (qa, qparts)) in q.iter().enumerate() {
        for (j, (ca, cparts)) in c.iter().enumerate() {
            let joined = qparts.len() > 1 || cparts.len() > 1;
            let s = word_similarity(qa, ca);
            // Joined parts must meet exactly: a typo there is too loose a tie.
            if s > 0.0 && (!joined || s == 1.0) {
                // In parts of the shorter name, which the score counts.
                let weight = if nq <= nc { qparts.len() } else { cparts.len() } as f64;
                pairs.push((s * weight, i, j));
            }
        }
    }
    pairs.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let mut used_q = vec![false; query.tokens.len()];
    let mut used_c = vec![false; candidate.tokens.len()];
    let mut matched = 0.0;
    let mut aligned = Vec::new();
    for (weighted, i, j) in pairs {
        let (qa, qparts) = &q[i];
        let (ca, cparts) = &c[j];
        if qparts.iter().any(|&p| used_q[p]) || cparts.iter().any(|&p| used_c[p]) {
            continue;
        }
        for &p in qparts {
            used_q[p] = true;
        }
        for &p in cparts {
            used_c[p] = true;
        }
        matched += weighted;
        aligned.push(Aligned {
            query: qa.clone(),
            candidate: ca.clone(),
            similarity: word_similarity(qa, ca),
        });
    }
    let shorter = nq.min(nc).max(1) as f64;
    // Parts of the longer name that nothing matched are extras; those of the
    // shorter are misses, already missing from what matched.
    let extras = if nq <= nc { &used_c } else { &used_q }
        .iter()
        .filter(|u| !**u)
        .count() as f64;
    let score = (matched.min(shorter) / shorter - extras * UNMATCHED_EXTRA / shorter.max(2.0))
        .clamp(0.0, 1.0);
    NameComparison { score, aligned }
}

/// The parts of a name, each alone and each with its neighbour joined
/// (`abdul rahman` also as `abdulrahman`), with the parts each stands for.
fn with_joined(tokens: &[String]) -> Vec<(String, Vec<usize>)> {
    let mut out: Vec<(String, Vec<usize>)> = tokens
        .iter()
        .enumerate()
        .map(|(i, t)| (t.clone(), vec![i]))
        .collect();
    for i in 1..tokens.len() {
        out.push((format!("{}{}", tokens[i - 1], tokens[i]), vec![i - 1, i]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::normalise::normalise;
    use super::*;

    fn score(a: &str, b: &str) -> f64 {
        compare(&normalise(a), &normalise(b)).score
    }

    #[test]
    fn edits_are_counted_with_swaps_as_one() {
        assert_eq!(levenshtein("kitten", "sitting"), 3);
        assert_eq!(levenshtein("mohammed", "mohammad"), 1);
        assert_eq!(levenshtein("ab", "ba"), 1);
        assert_eq!(levenshtein("", "abc"), 3);
    }

    #[test]
    fn typos_are_forgiven_in_proportion_to_length() {
        assert!(word_similarity("mohammed", "mohammad") > 0.85);
        assert_eq!(
            word_similarity("ali", "aly"),
            0.0,
            "short words must be exact"
        );
        assert!(word_similarity("ivan", "ivam") > 0.7);
        assert_eq!(word_similarity("ivanov", "petrov"), 0.0);
        assert_eq!(word_similarity("j", "john"), INITIAL);
    }

    #[test]
    fn word_order_transliteration_and_honorifics_do_not_matter() {
        assert_eq!(score("PUTIN, Vladimir", "Vladimir Putin"), 1.0);
        assert_eq!(score("Владимир Путин", "Vladimir PUTIN"), 1.0);
        assert_eq!(score("Dr. Ayman al-Zawahiri", "AL-ZAWAHIRI, Ayman"), 1.0);
        assert_eq!(score("Rosneft Trading S.A.", "ROSNEFT TRADING"), 1.0);
    }

    #[test]
    fn a_missing_middle_name_costs_little_and_a_different_surname_much() {
        let full = "Vladimir Vladimirovich Putin";
        let without_middle = score("Vladimir Putin", full);
        assert!(without_middle > 0.85, "{without_middle}");
        assert!(without_middle < 1.0);
        let other = score("Vladimir Ivanov", full);
        assert!(other < 0.6, "{other}");
        assert!(score("V. Putin", "Vladimir Putin") > 0.75);
    }

    #[test]
    fn joined_and_split_parts_meet() {
        assert!(score("Abdulrahman Ahmed", "Abdul Rahman Ahmed") > 0.95);
    }

    #[test]
    fn unrelated_names_score_low() {
        for (a, b) in [
            ("John Smith", "Maria Garcia"),
            ("Ministry of Health", "Bank Melli Iran"),
            ("King's College Hospital", "Korea Kwangson Banking Corp"),
        ] {
            assert!(score(a, b) < 0.3, "{a} ~ {b}: {}", score(a, b));
        }
    }
}
