//! A list held for screening: every name of every entity, normalised once,
//! and an index from the words of names and their sound keys to the names,
//! so that a query weighs a few hundred names, not all of them.

use std::collections::HashMap;

use super::entity::ListEntity;
use super::names::{NameComparison, compare};
use super::normalise::{NormalName, normalise};

/// Postings read per query: those of the rarest keys of its parts find its
/// candidates; common ones (`al`, `bank`) would add thousands.
const PARTS_LOOKED_UP: usize = 4;

/// One name of one entity.
#[derive(Debug, Clone)]
struct IndexedName {
    entity: u32,
    name: NormalName,
}

/// A list ready for screening.
#[derive(Debug, Default)]
pub struct ScreeningIndex {
    entities: Vec<ListEntity>,
    names: Vec<IndexedName>,
    /// Name ids by each key of their words (see `keys_of`).
    postings: HashMap<String, Vec<u32>>,
}

/// A candidate found for a query: the entity, its closest name and how close.
#[derive(Debug, Clone)]
pub struct Candidate<'a> {
    pub entity: &'a ListEntity,
    pub name: &'a NormalName,
    pub comparison: NameComparison,
}

impl ScreeningIndex {
    pub fn new(entities: Vec<ListEntity>) -> ScreeningIndex {
        let mut index = ScreeningIndex {
            entities,
            ..ScreeningIndex::default()
        };
        for (e, entity) in index.entities.iter().enumerate() {
            for name in entity.all_names() {
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

    /// The entities whose names come close to `query`, each through its
    /// closest name, best first.
    pub fn candidates(&self, query: &str) -> Vec<Candidate<'_>> {
        let query = normalise(query);
        let mut lists: Vec<&Vec<u32>> = Vec::new();
        for t in &query.tokens {
            lists.extend(keys_of(t).iter().filter_map(|k| self.postings.get(k)));
        }
        lists.sort_by_key(|l| l.len());
        let mut ids: Vec<u32> = lists
            .into_iter()
            .take(PARTS_LOOKED_UP)
            .flatten()
            .copied()
            .collect();
        ids.sort_unstable();
        ids.dedup();
        let mut best: HashMap<u32, Candidate<'_>> = HashMap::new();
        for id in ids {
            let indexed = &self.names[id as usize];
            let comparison = compare(&query, &indexed.name);
            if comparison.score == 0.0 {
                continue;
            }
            let better = best
                .get(&indexed.entity)
                .is_none_or(|held| comparison.score > held.comparison.score);
            if better {
                best.insert(
                    indexed.entity,
                    Candidate {
                        entity: &self.entities[indexed.entity as usize],
                        name: &indexed.name,
                        comparison,
                    },
                );
            }
        }
        let mut out: Vec<Candidate<'_>> = best.into_values().collect();
        out.sort_by(|a, b| {
            b.comparison
                .score
                .total_cmp(&a.comparison.score)
                .then_with(|| a.entity.id.cmp(&b.entity.id))
        });
        out
    }
}

/// What a word is found by: itself, its sound, and its runs of three
/// letters (so that a typo leaves most of them to find it by).
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
    keys
}

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
            let found = index.candidates(query);
            assert_eq!(
                found.first().map(|c| c.entity.id.as_str()),
                Some(id),
                "{query}: {found:?}"
            );
        }
        assert!(index.candidates("Maria Garcia").is_empty());
    }

    /// Names of the OFAC sample, varied as people write them (order
    /// reversed, the middle left out, a typo in the longest part), find
    /// their entity among the candidates at least 99 times in 100.
    #[test]
    fn blocking_keeps_the_true_entity_of_the_ofac_sample() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/data/sanctions/ofac_sdn_2024-05-03.ftm.jsonl"
        );
        let Ok(text) = std::fs::read_to_string(path) else {
            eprintln!("skipped: {path} is not here");
            return;
        };
        let index = ScreeningIndex::new(parse_list(&text).unwrap());
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
                    .candidates(&query)
                    .iter()
                    .any(|c| c.entity.id == entity.id)
                {
                    lost.push((i, query));
                }
            }
        }
        assert!(tried > 700, "{tried}");
        assert!(
            lost.len() * 100 <= tried,
            "{} of {tried} lost: {:?}",
            lost.len(),
            &lost[..lost.len().min(10)]
        );
    }
}
