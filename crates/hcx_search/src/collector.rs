//! One pass over the documents matching the text gives the page of best hits,
//! the total under every filter, and facet counts that ignore their own filter.
//!
//! Filters are applied here rather than in the query because standard faceted
//! search needs the documents a filter rejects: a document that fails exactly
//! one filter still counts towards that filter's facet, so choosing a country
//! leaves the other countries' counts visible. Everything is read from fast
//! fields; stored documents are never loaded.
//!
//! The caller's scope is different: it is checked before anything else, so a
//! document the caller may not see adds to no count at all. Were it a filter,
//! its facet would count what it hides.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap};
use std::io;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

use crate::schema::column;

/// A facet dimension and the values its filter accepts (none: no filter).
#[derive(Debug)]
pub(crate) struct Dimension {
    pub(crate) column: &'static str,
    pub(crate) selected: Vec<String>,
}

/// The documents a caller may see: those with an accepted value in any one
/// of `any_of`. Each dimension's values must not be empty (that would read
/// as "no filter"); leave such a dimension out instead.
#[derive(Debug)]
pub(crate) struct Scope {
    pub(crate) any_of: Vec<Dimension>,
}

/// Collects the best `keep` hits, the total and the facet counts of
/// `dimensions`, over the documents in `scope` (none: every document).
#[derive(Debug)]
pub(crate) struct FacetedTop {
    pub(crate) scope: Option<Scope>,
    pub(crate) dimensions: Vec<Dimension>,
    pub(crate) keep: usize,
    pub(crate) by_score: bool,
}

/// A hit with what it is ranked by.
#[derive(Debug)]
pub(crate) struct RankedHit {
    pub(crate) id: String,
    pub(crate) score: Score,
    pub(crate) updated_at: i64,
}

/// What a search found: `facets` has one map per dimension, in order.
#[derive(Debug)]
pub(crate) struct Outcome {
    pub(crate) total: u64,
    pub(crate) hits: Vec<RankedHit>,
    pub(crate) facets: Vec<HashMap<String, u64>>,
}

/// Best first: higher score, then more recently updated, then lower id.
/// Without text every score is zero, so this is the recency order.
fn rank<T: Ord>(a: (Score, i64, T), b: (Score, i64, T)) -> Ordering {
    b.0.total_cmp(&a.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2))
}

impl Collector for FacetedTop {
    type Fruit = Outcome;
    type Child = SegmentFacetedTop;

    fn for_segment(
        &self,
        _segment_local_id: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<SegmentFacetedTop> {
        let fast = segment.fast_fields();
        let dimensions = self
            .dimensions
            .iter()
            .map(|d| SegmentDimension::new(fast.str(d.column)?, &d.selected))
            .collect::<tantivy::Result<_>>()?;
        let scope = match &self.scope {
            None => None,
            Some(scope) => {
                let mut admitting = Vec::with_capacity(scope.any_of.len());
                for d in &scope.any_of {
                    admitting.extend(SegmentAdmission::new(fast.str(d.column)?, &d.selected)?);
                }
                Some(admitting)
            }
        };
        Ok(SegmentFacetedTop {
            scope,
            dimensions,
            ids: fast.str(column::ID)?,
            updated_at: fast.i64(column::UPDATED_AT)?,
            keep: self.keep,
            top: BinaryHeap::with_capacity(self.keep.min(1024) + 1),
            total: 0,
        })
    }

    fn requires_scoring(&self) -> bool {
        self.by_score
    }

    fn merge_fruits(&self, fruits: Vec<io::Result<Outcome>>) -> tantivy::Result<Outcome> {
        let mut merged = Outcome {
            total: 0,
            hits: Vec::new(),
            facets: vec![HashMap::new(); self.dimensions.len()],
        };
        for fruit in fruits {
            let fruit = fruit?;
            merged.total += fruit.total;
            merged.hits.extend(fruit.hits);
            for (into, counts) in merged.facets.iter_mut().zip(fruit.facets) {
                for (value, count) in counts {
                    *into.entry(value).or_default() += count;
                }
            }
        }
        merged.hits.sort_by(|a, b| {
            rank(
                (a.score, a.updated_at, &a.id),
                (b.score, b.updated_at, &b.id),
            )
        });
        merged.hits.truncate(self.keep);
        Ok(merged)
    }
}

/// A dimension within one segment, where values are the segment's term ordinals.
struct SegmentDimension {
    column: Option<StrColumn>,
    /// Indexed by term ordinal; `None` when the dimension is not filtered.
    accepted: Option<Vec<bool>>,
    counts: Vec<u64>,
    /// The current document's values, read once for both the filter and the count.
    values: Vec<u64>,
}

/// Which of the column's term ordinals are among `values`: one dictionary
/// lookup per value, so that each document then costs an index per value it has.
fn accepted_ords(column: Option<&StrColumn>, values: &[String]) -> io::Result<Vec<bool>> {
    let Some(column) = column else {
        return Ok(Vec::new());
    };
    let mut accepted = vec![false; column.num_terms()];
    for value in values {
        if let Some(ord) = column.dictionary().term_ord(value)? {
            accepted[ord as usize] = true;
        }
    }
    Ok(accepted)
}

impl SegmentDimension {
    fn new(column: Option<StrColumn>, selected: &[String]) -> tantivy::Result<Self> {
        let terms = column.as_ref().map_or(0, |c| c.num_terms());
        let accepted = if selected.is_empty() {
            None
        } else {
            Some(accepted_ords(column.as_ref(), selected)?)
        };
        Ok(SegmentDimension {
            column,
            accepted,
            counts: vec![0; terms],
            values: Vec::new(),
        })
    }

    fn load(&mut self, doc: DocId) {
        self.values.clear();
        if let Some(column) = &self.column {
            self.values.extend(column.term_ords(doc));
        }
    }

    fn accepts(&self) -> bool {
        match &self.accepted {
            None => true,
            Some(accepted) => self.values.iter().any(|&ord| accepted[ord as usize]),
        }
    }

    fn count(&mut self) {
        for &ord in &self.values {
            self.counts[ord as usize] += 1;
        }
    }

    fn into_counts(self) -> io::Result<HashMap<String, u64>> {
        let Some(column) = self.column else {
            return Ok(HashMap::new());
        };
        let (ords, counts): (Vec<u64>, Vec<u64>) = self
            .counts
            .into_iter()
            .enumerate()
            .filter(|&(_, count)| count > 0)
            .map(|(ord, count)| (ord as u64, count))
            .unzip();
        let terms = terms_of(&column, &ords)?;
        Ok(terms.into_iter().zip(counts).collect())
    }
}

/// One dimension of a [`Scope`] within one segment.
struct SegmentAdmission {
    column: StrColumn,
    /// Indexed by term ordinal.
    accepted: Vec<bool>,
}

impl SegmentAdmission {
    /// `None` when no document of the segment has an accepted value, so the
    /// dimension need not be read there at all.
    fn new(column: Option<StrColumn>, values: &[String]) -> tantivy::Result<Option<Self>> {
        let accepted = accepted_ords(column.as_ref(), values)?;
        Ok(match column {
            Some(column) if accepted.contains(&true) => Some(SegmentAdmission { column, accepted }),
            _ => None,
        })
    }

    fn admits(&self, doc: DocId) -> bool {
        self.column
            .term_ords(doc)
            .any(|ord| self.accepted[ord as usize])
    }
}

/// The terms of sorted ordinals, in one sequential read of the dictionary.
fn terms_of(column: &StrColumn, ords: &[u64]) -> io::Result<Vec<String>> {
    let mut terms = Vec::with_capacity(ords.len());
    let all_found = column.dictionary().sorted_ords_to_term_cb(ords, |bytes| {
        terms.push(String::from_utf8_lossy(bytes).into_owned());
    })?;
    if all_found {
        Ok(terms)
    } else {
        Err(io::Error::other(
            "a term ordinal is missing from its dictionary",
        ))
    }
}

/// A hit within a segment: its id is a term ordinal, which sorts like the id
/// within the segment but means nothing across segments.
#[derive(Debug, Clone, Copy)]
struct SegmentHit {
    score: Score,
    updated_at: i64,
    id_ord: u64,
}

/// Better hits are smaller, so the heap's top is the worst kept hit.
impl Ord for SegmentHit {
    fn cmp(&self, other: &Self) -> Ordering {
        rank(
            (self.score, self.updated_at, self.id_ord),
            (other.score, other.updated_at, other.id_ord),
        )
    }
}

impl PartialOrd for SegmentHit {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for SegmentHit {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for SegmentHit {}

/// [`FacetedTop`] over one segment.
pub(crate) struct SegmentFacetedTop {
    /// `None`: every document is in scope. Otherwise a document is when any
    /// of these admits it; an empty list means none of the segment is.
    scope: Option<Vec<SegmentAdmission>>,
    dimensions: Vec<SegmentDimension>,
    ids: Option<StrColumn>,
    updated_at: Column<i64>,
    keep: usize,
    top: BinaryHeap<SegmentHit>,
    total: u64,
}

impl SegmentCollector for SegmentFacetedTop {
    type Fruit = io::Result<Outcome>;

    fn collect(&mut self, doc: DocId, score: Score) {
        if let Some(scope) = &self.scope
            && !scope.iter().any(|admission| admission.admits(doc))
        {
            return;
        }
        let mut failed = None;
        for (i, dimension) in self.dimensions.iter_mut().enumerate() {
            dimension.load(doc);
            if !dimension.accepts() {
                if failed.is_some() {
                    return;
                }
                failed = Some(i);
            }
        }
        if let Some(i) = failed {
            self.dimensions[i].count();
            return;
        }
        for dimension in &mut self.dimensions {
            dimension.count();
        }
        self.total += 1;
        let Some(id_ord) = self.ids.as_ref().and_then(|ids| ids.ords().first(doc)) else {
            return;
        };
        let hit = SegmentHit {
            score,
            updated_at: self.updated_at.first(doc).unwrap_or_default(),
            id_ord,
        };
        if self.top.len() < self.keep {
            self.top.push(hit);
        } else if self.top.peek().is_some_and(|worst| hit < *worst) {
            self.top.pop();
            self.top.push(hit);
        }
    }

    fn harvest(self) -> io::Result<Outcome> {
        let mut top = self.top.into_vec();
        top.sort_by_key(|hit| hit.id_ord);
        let ords: Vec<u64> = top.iter().map(|hit| hit.id_ord).collect();
        let ids = match &self.ids {
            Some(column) => terms_of(column, &ords)?,
            None => Vec::new(),
        };
        let hits = top
            .into_iter()
            .zip(ids)
            .map(|(hit, id)| RankedHit {
                id,
                score: hit.score,
                updated_at: hit.updated_at,
            })
            .collect();
        let facets = self
            .dimensions
            .into_iter()
            .map(SegmentDimension::into_counts)
            .collect::<io::Result<_>>()?;
        Ok(Outcome {
            total: self.total,
            hits,
            facets,
        })
    }
}
