//! A list held for screening: every name of every entity, normalised once,
//! and an index from the words of names, their sound keys and their runs of
//! three letters to the names, so that a query weighs a few dozen names, not
//! all of them.

use std::cell::RefCell;

use rustc_hash::FxHashMap;

use super::entity::ListEntity;
use super::names::{NameComparison, compare};
use super::normalise::{NormalName, normalise};

/// Names fully compared per query: those sharing the most telling keys
/// with it.
const NAMES_COMPARED: usize = 96;
/// Postings read per query at most, rarest keys first: the most common
/// keys (`al`, `#ban`) add thousands of names and little evidence.
const POSTINGS_READ: usize = 20_000;

/// What a weak alias (`weakAlias`: a nickname, a short form) is worth
/// against the same likeness to a full name.
pub const WEAK_ALIAS: f64 = 0.75;

/// How strongly a name is tied to its entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameKind {
    /// `name`, `alias` or `previousName`.
    Strong,
    /// `weakAlias`: short or common names, weak evidence on their own.
    Weak,
}

/// One name of one entity.
#[derive(Debug, Clone)]
struct IndexedName {
    entity: u32,
    kind: NameKind,
    name: NormalName,
}

/// A list ready for screening.
#[derive(Debug, Default)]
pub struct ScreeningIndex {
    entities: Vec<ListEntity>,
    names: Vec<IndexedName>,
    /// Name ids by each key of their words (see `keys_of`).
    postings: FxHashMap<String, Vec<u32>>,
}

/// A candidate found for a query: the entity, its closest name and how close.
#[derive(Debug, Clone)]
pub struct Candidate<'a> {
    pub entity: &'a ListEntity,
    /// Which of the query's names came closest.
    pub query: usize,
    pub name: &'a NormalName,
    pub kind: NameKind,
    pub comparison: NameComparison,
    /// The comparison's score, a weak alias's discounted.
    pub score: f64,
}

impl ScreeningIndex {
    pub fn new(entities: Vec<ListEntity>) -> ScreeningIndex {
        let mut index = ScreeningIndex {
            entities,
            ..ScreeningIndex::default()
        };
        for (e, entity) in index.entities.iter().enumerate() {
            let strong = entity.names.len() + entity.aliases.len();
            for (n, name) in entity.all_names().enumerate() {
                let name = normalise(name);
                let id = index.names.len() as u32;
                let mut keys: Vec<String> = name.tokens.iter().flat_map(|t| keys_of(t)).collect();
                keys.sort();
                keys.dedup();
                for key in keys {
                    index.postings.entry(key).or_default().push(id);
                }
                index.names.push(IndexedName {
                    entity: e as u32,
                    kind: if n < strong {
                        NameKind::Strong
                    } else {
                        NameKind::Weak
                    },
                    name,
                });
            }
        }
        index
    }

    pub fn entities(&self) -> &[ListEntity] {
        &self.entities
    }

    /// How many names the index holds.
    pub fn name_count(&self) -> usize {
        self.names.len()
    }

    /// The entities whose names come close to any of `queries`, each
    /// through its closest name, best first.
    ///
    /// Every key of the query's words (the word, its sound, its runs of
    /// three letters) votes for the names holding it, rare keys more than
    /// common ones; the names with the most votes are compared in full. A
    /// typo spoils a few runs of three letters and leaves the others.
    pub fn candidates(&self, queries: &[NormalName]) -> Vec<Candidate<'_>> {
        let mut best: FxHashMap<u32, Candidate<'_>> = FxHashMap::default();
        for (q, query) in queries.iter().enumerate() {
            for id in self.most_voted(query) {
                let indexed = &self.names[id as usize];
                let comparison = compare(query, &indexed.name);
                if comparison.aligned.is_empty() {
                    continue;
                }
                let score = match indexed.kind {
                    NameKind::Strong => comparison.score,
                    NameKind::Weak => comparison.score * WEAK_ALIAS,
                };
                let better = best
                    .get(&indexed.entity)
                    .is_none_or(|held| score > held.score);
                if better {
                    best.insert(
                        indexed.entity,
                        Candidate {
                            entity: &self.entities[indexed.entity as usize],
                            query: q,
                            name: &indexed.name,
                            kind: indexed.kind,
                            comparison,
                            score,
                        },
                    );
                }
            }
        }
        let mut out: Vec<Candidate<'_>> = best.into_values().collect();
        out.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then_with(|| a.entity.id.cmp(&b.entity.id))
        });
        out
    }

    /// The ids of the names sharing the most telling keys with `query`.
    fn most_voted(&self, query: &NormalName) -> Vec<u32> {
        let mut keys: Vec<String> = query.tokens.iter().flat_map(|t| keys_of(t)).collect();
        keys.sort();
        keys.dedup();
        let mut lists: Vec<&Vec<u32>> = keys.iter().filter_map(|k| self.postings.get(k)).collect();
        lists.sort_by_key(|l| l.len());
        let total = self.names.len() as f32;
        VOTES.with(|cell| {
            let (votes, voters) = &mut *cell.borrow_mut();
            if votes.len() < self.names.len() {
                votes.resize(self.names.len(), 0.0);
            }
            let mut read = 0;
            for list in lists {
                read += list.len();
                if read > POSTINGS_READ && !voters.is_empty() {
                    break;
                }
                let weight = (total / list.len() as f32).ln_1p();
                for &id in list {
                    let vote = &mut votes[id as usize];
                    if *vote == 0.0 {
                        voters.push(id);
                    }
                    *vote += weight;
                }
            }
            let mut voted: Vec<(u32, f32)> =
                voters.iter().map(|&id| (id, votes[id as usize])).collect();
            for id in voters.drain(..) {
                votes[id as usize] = 0.0;
            }
            if voted.len() > NAMES_COMPARED {
                voted.select_nth_unstable_by(NAMES_COMPARED, |a, b| b.1.total_cmp(&a.1));
                voted.truncate(NAMES_COMPARED);
            }
            voted.into_iter().map(|(id, _)| id).collect()
        })
    }
}

thread_local! {
    /// Votes by name id, and the names voted for, kept between queries so
    /// that a query touches only the names it votes for.
    static VOTES: RefCell<(Vec<f32>, Vec<u32>)> = const { RefCell::new((Vec::new(), Vec::new())) };
}

/// What a word is found by: itself, its sound, its runs of three letters
/// (so that a typo leaves most of them to find it by), and for longer words
/// itself with any one letter left out (so that `ismxel` and `ismael` meet
/// at `ismel`, however short the word and wherever the typo).
fn keys_of(word: &str) -> Vec<String> {
    let mut keys = vec![word.to_owned(), format!("~{}", sound_key(word))];
    let letters: Vec<char> = word.chars().collect();
    if letters.len() > 3 {
        keys.extend(letters.windows(3).map(|w| {
            let mut k = String::from("#");
            k.extend(w);
            k
        }));
    }
    if letters.len() >= SHORTENED_FROM {
        keys.push(format!("-{word}"));
        keys.extend((0..letters.len()).map(|skip| {
            let mut k = String::from("-");
            k.extend(
                letters
                    .iter()
                    .enumerate()
                    .filter(|&(i, _)| i != skip)
                    .map(|(_, c)| c),
            );
            k
        }));
    }
    keys
}

/// Words this long are also found with a letter left out.
const SHORTENED_FROM: usize = 5;

/// A word's sound, so that spellings of one name meet: the first letter,
/// then the consonants by class (c, k and q alike; s and z; f, ph and v;
/// …), repeats and vowels dropped, at most four letters.
pub fn sound_key(word: &str) -> String {
    // "ph" sounds as "f".
    let word = word.replace("ph", "f");
    let mut chars = word.chars();
    let Some(first) = chars.next() else {
        return String::new();
    };
    let class = |c: char| -> Option<char> {
        Some(match c {
            'b' | 'p' => 'p',
            'c' | 'k' | 'q' | 'g' | 'j' | 'x' => 'k',
            'd' | 't' => 't',
            'f' | 'v' | 'w' => 'f',
            's' | 'z' => 's',
            'l' => 'l',
            'm' | 'n' => 'n',
            'r' => 'r',
            '0'..='9' => c,
            _ => return None,
        })
    };
    let mut key = String::new();
    key.push(match first {
        'a' | 'e' | 'i' | 'o' | 'u' | 'y' => 'a',
        c => class(c).unwrap_or(c),
    });
    let mut last = class(first);
    for c in chars {
        let k = class(c);
        if k.is_some() && k != last {
            key.extend(k);
            if key.len() == 4 {
                break;
            }
        }
        if c != 'h' {
            last = k;
        }
    }
    key
}

#[cfg(test)]
mod tests {
    use super::super::OFAC_SAMPLE;
    use super::super::entity::parse_list;
    use super::*;

    #[test]
    fn spellings_of_one_name_share_a_sound_key() {
        for group in [
            ["mohammed", "muhammad", "mohamad"],
            ["yusuf", "yousef", "yusef"],
            ["philip", "filip", "fillip"],
        ] {
            let keys: Vec<String> = group.iter().map(|w| sound_key(w)).collect();
            assert!(keys.windows(2).all(|w| w[0] == w[1]), "{group:?}: {keys:?}");
        }
        assert_ne!(sound_key("putin"), sound_key("ivanov"));
    }

    #[test]
    fn the_true_entity_is_among_the_candidates_of_a_varied_name() {
        let list = parse_list(concat!(
            r#"{"id":"a","schema":"Person","properties":{"name":["Vladimir Vladimirovich PUTIN"]}}"#,
            "\n",
            r#"{"id":"b","schema":"Person","properties":{"name":["Mohammed Yusuf AL-RASHID"]}}"#,
            "\n",
            r#"{"id":"c","schema":"Organization","properties":{"name":["ROSNEFT TRADING S.A."],"alias":["Rosneft Trading"]}}"#,
        ))
        .unwrap();
        let index = ScreeningIndex::new(list);
        assert_eq!(index.name_count(), 4);
        for (query, id) in [
            ("Putin Vladimir", "a"),
            ("Владимир Путин", "a"),
            ("Muhammad Yousef Al Rashid", "b"),
            ("Rosneft Tradng LLC", "c"),
        ] {
            let found = index.candidates(&[normalise(query)]);
            assert_eq!(
                found.first().map(|c| c.entity.id.as_str()),
                Some(id),
                "{query}: {found:?}"
            );
        }
        assert!(index.candidates(&[normalise("Maria Garcia")]).is_empty());
    }

    /// Names of the OFAC sample, varied as people write them (order
    /// reversed, the middle left out, a typo in the longest part), always
    /// find their entity among the candidates.
    #[test]
    fn blocking_keeps_the_true_entity_of_the_ofac_sample() {
        let index = ScreeningIndex::new(parse_list(OFAC_SAMPLE).unwrap());
        let (mut tried, mut lost) = (0, Vec::new());
        for (i, entity) in index.entities().iter().enumerate().step_by(40) {
            let tokens = normalise(&entity.names[0]).tokens;
            let mut variants = vec![tokens.iter().rev().cloned().collect::<Vec<_>>()];
            if tokens.len() >= 3 {
                variants.push(vec![tokens[0].clone(), tokens[tokens.len() - 1].clone()]);
            }
            if let Some(longest) = tokens
                .iter()
                .filter(|t| t.len() >= 6)
                .max_by_key(|t| t.len())
            {
                let mut typo: Vec<char> = longest.chars().collect();
                let middle = typo.len() / 2;
                typo[middle] = if typo[middle] == 'x' { 'q' } else { 'x' };
                let typo: String = typo.into_iter().collect();
                variants.push(
                    tokens
                        .iter()
                        .map(|t| {
                            if t == longest {
                                typo.clone()
                            } else {
                                t.clone()
                            }
                        })
                        .collect(),
                );
            }
            for v in variants {
                tried += 1;
                let query = v.join(" ");
                if !index
                    .candidates(&[normalise(&query)])
                    .iter()
                    .any(|c| c.entity.id == entity.id)
                {
                    lost.push((i, query));
                }
            }
        }
        assert!(tried > 700, "{tried}");
        assert!(lost.is_empty(), "{} of {tried} lost: {lost:?}", lost.len());
    }
}
