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
    let allowed = (long.len() / 5).max(usize::from(long.len() >= 4));
    // Each letter one word has more is an edit at least.
    if long.len() - short.len() > allowed {
        return 0.0;
    }
    match bounded_distance(a.as_bytes(), b.as_bytes(), allowed) {
        Some(distance) => 1.0 - distance as f64 / long.len() as f64,
        None => 0.0,
    }
}

/// What an initial is worth against the name it begins.
const INITIAL: f64 = 0.8;
/// What two words spelt alike by `spelling`, but not by letters, are worth
/// of the same likeness by letters.
const SPELT_ALIKE: f64 = 0.95;
/// What a first or last part of the longer name that nothing matches
/// costs, against one of the shorter name.
const UNMATCHED_EXTRA: f64 = 0.25;
/// What a part between them costs: a middle name one side leaves out.
const UNMATCHED_MIDDLE: f64 = 0.1;
/// Longest word the edit distance is counted for on the stack; longer
/// words are compared only when equal.
const LONGEST_WORD: usize = 48;

/// Edits (insert, delete, substitute, swap of neighbours) from `a` to `b`.
pub fn levenshtein(a: &str, b: &str) -> usize {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let longest = a.len().max(b.len());
    if longest > LONGEST_WORD {
        return usize::from(a != b) * longest;
    }
    bounded_distance(a, b, longest).unwrap_or(longest)
}

/// The edit distance of two ASCII words, or `None` once it must exceed
/// `allowed`: only the diagonal band of cells within `allowed` of each
/// other is counted (any other cell is over the bound), three rows on the
/// stack, stopping as soon as a whole row is over the bound.
fn bounded_distance(a: &[u8], b: &[u8], allowed: usize) -> Option<usize> {
    if a.len().max(b.len()) > LONGEST_WORD || a.len().abs_diff(b.len()) > allowed {
        return None;
    }
    // Cells are counted up to `over`, which stands for anything beyond the bound.
    let over = allowed.min(LONGEST_WORD) as u8 + 1;
    let band = usize::from(over) - 1;
    let mut before = [over; LONGEST_WORD + 1];
    let mut previous = [over; LONGEST_WORD + 1];
    let mut current = [over; LONGEST_WORD + 1];
    for (j, cell) in previous.iter_mut().enumerate().take(b.len().min(band) + 1) {
        *cell = j as u8;
    }
    for i in 1..=a.len() {
        let (from, to) = (i.saturating_sub(band).max(1), (i + band).min(b.len()));
        current[from - 1] = if from == 1 && i <= band {
            i as u8
        } else {
            over
        };
        let mut row_best = current[from - 1];
        for j in from..=to {
            let cost = u8::from(a[i - 1] != b[j - 1]);
            let mut best = (previous[j] + 1)
                .min(current[j - 1] + 1)
                .min(previous[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(before[j - 2] + 1);
            }
            current[j] = best.min(over);
            row_best = row_best.min(current[j]);
        }
        if to < b.len() {
            current[to + 1] = over;
        }
        if row_best >= over {
            return None;
        }
        std::mem::swap(&mut before, &mut previous);
        std::mem::swap(&mut previous, &mut current);
    }
    let distance = usize::from(previous[b.len()]);
    (distance <= allowed).then_some(distance)
}

/// Parts of a name: `start` and, for two neighbours read as one word
/// (`abdul rahman` as `abdulrahman`), `start + 1` too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parts {
    pub start: usize,
    pub joined: bool,
}

impl Parts {
    fn indices(self) -> std::ops::Range<usize> {
        self.start..self.start + 1 + usize::from(self.joined)
    }

    fn count(self) -> usize {
        1 + usize::from(self.joined)
    }

    /// The words, as written in `tokens` (joined ones without a space).
    pub fn text(self, tokens: &[String]) -> String {
        tokens[self.indices()].concat()
    }
}

/// Parts of the query aligned with parts of the candidate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Aligned {
    pub query: Parts,
    pub candidate: Parts,
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
/// meets `abdulrahman`, exactly (a typo there is too loose a tie).
pub fn compare(query: &NormalName, candidate: &NormalName) -> NameComparison {
    let (q, c) = (&query.tokens, &candidate.tokens);
    let (nq, nc) = (q.len(), c.len());
    // In parts of the shorter name, which the score counts.
    let weight = |qp: Parts, cp: Parts| if nq <= nc { qp.count() } else { cp.count() } as f64;
    let mut pairs: Vec<Aligned> = Vec::new();
    for (i, qa) in q.iter().enumerate() {
        for (j, ca) in c.iter().enumerate() {
            let mut s = word_similarity(qa, ca);
            if s < SPELT_ALIKE
                && let (Some(qs), Some(cs)) = (query.spelled.get(i), candidate.spelled.get(j))
                && (qs != qa || cs != ca)
            {
                s = s.max(SPELT_ALIKE * word_similarity(qs, cs));
            }
            if s > 0.0 {
                pairs.push(Aligned {
                    query: Parts {
                        start: i,
                        joined: false,
                    },
                    candidate: Parts {
                        start: j,
                        joined: false,
                    },
                    similarity: s,
                });
            }
        }
    }
    let joins = |one: &[String], two: &[String], one_is_query: bool, pairs: &mut Vec<Aligned>| {
        for i in 1..one.len() {
            let (x, y) = (&one[i - 1], &one[i]);
            for (j, w) in two.iter().enumerate() {
                if w.len() == x.len() + y.len()
                    && w.starts_with(x.as_str())
                    && w.ends_with(y.as_str())
                {
                    let joined = Parts {
                        start: i - 1,
                        joined: true,
                    };
                    let single = Parts {
                        start: j,
                        joined: false,
                    };
                    let (query, candidate) = if one_is_query {
                        (joined, single)
                    } else {
                        (single, joined)
                    };
                    pairs.push(Aligned {
                        query,
                        candidate,
                        similarity: 1.0,
                    });
                }
            }
        }
    };
    joins(q, c, true, &mut pairs);
    joins(c, q, false, &mut pairs);
    let key = |a: &Aligned| a.similarity * weight(a.query, a.candidate);
    pairs.sort_by(|a, b| {
        key(b)
            .total_cmp(&key(a))
            .then(a.query.start.cmp(&b.query.start))
            .then(a.candidate.start.cmp(&b.candidate.start))
    });
    let mut used_q = [false; 64];
    let mut used_c = [false; 64];
    let (nq, nc) = (nq.min(64), nc.min(64));
    let mut matched = 0.0;
    let mut aligned = Vec::new();
    for pair in pairs {
        let (qi, ci) = (pair.query.indices(), pair.candidate.indices());
        if qi.end > nq || ci.end > nc {
            continue;
        }
        if qi.clone().any(|p| used_q[p]) || ci.clone().any(|p| used_c[p]) {
            continue;
        }
        qi.for_each(|p| used_q[p] = true);
        ci.for_each(|p| used_c[p] = true);
        matched += key(&pair);
        aligned.push(pair);
    }
    let shorter = nq.min(nc).max(1) as f64;
    // Parts of the longer name that nothing matched are extras; those of the
    // shorter are misses, already missing from what matched.
    let longer = if nq <= nc {
        &used_c[..nc]
    } else {
        &used_q[..nq]
    };
    let extras: f64 = longer
        .iter()
        .enumerate()
        .filter(|(_, used)| !**used)
        .map(|(i, _)| {
            if i == 0 || i + 1 == longer.len() {
                UNMATCHED_EXTRA
            } else {
                UNMATCHED_MIDDLE
            }
        })
        .sum();
    // A one-word name meeting one word of a longer name is weak: each word
    // left over costs it fully.
    let score = (matched.min(shorter) / shorter - extras / shorter).clamp(0.0, 1.0);
    NameComparison { score, aligned }
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
        assert_eq!(levenshtein("abc", ""), 3);
    }

    /// The banded count agrees with a plain full table on every pair of a
    /// few hundred words, whatever the bound.
    #[test]
    fn the_bounded_distance_agrees_with_the_full_table() {
        fn full(a: &[u8], b: &[u8]) -> usize {
            let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
            for (i, row) in d.iter_mut().enumerate() {
                row[0] = i;
            }
            for (j, cell) in d[0].iter_mut().enumerate() {
                *cell = j;
            }
            for i in 1..=a.len() {
                for j in 1..=b.len() {
                    let cost = usize::from(a[i - 1] != b[j - 1]);
                    d[i][j] = (d[i - 1][j] + 1)
                        .min(d[i][j - 1] + 1)
                        .min(d[i - 1][j - 1] + cost);
                    if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                        d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
                    }
                }
            }
            d[a.len()][b.len()]
        }
        let words: Vec<&str> = std::iter::once("")
            .chain(
                "a ab ba abc ivan ivam mohammed muhammad mohamad yusuf yousef shuvalov shuvaloff \
                 aleksandr alexandr kitten sitting abdulrahman abdurrahman tikriti altikriti \
                 hosseini husseini"
                    .split_whitespace(),
            )
            .collect();
        for &a in &words {
            for &b in &words {
                let expected = full(a.as_bytes(), b.as_bytes());
                assert_eq!(levenshtein(a, b), expected, "{a} {b}");
                for allowed in 0..4 {
                    let bounded = bounded_distance(a.as_bytes(), b.as_bytes(), allowed);
                    assert_eq!(
                        bounded,
                        (expected <= allowed).then_some(expected),
                        "{a} {b} within {allowed}"
                    );
                }
            }
        }
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
