//! The full-text indexes of hcx (tantivy): opportunities and offers, searched
//! by text with filters and facet counts.
//!
//! An index is a cache of the store, never the source of truth: it records
//! the change-log sequence it has applied ([`SearchIndex::applied_seq`]) so a
//! node can follow the log from there, and it starts empty
//! ([`SearchIndex::needs_rebuild`]) whenever what is on disk is missing or
//! was written by another version.
//!
//! Both kinds of document live in one tantivy index, so one commit moves
//! both and the applied sequence can never differ between them.

mod collector;
mod one;
mod query;
mod schema;
mod similar;
mod writer;

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Mutex, PoisonError};

use tantivy::query::{BooleanQuery, ConstScoreQuery, Occur, Query, QueryParser, TermQuery};
use tantivy::schema::{Field, IndexRecordOption, Schema};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, Term};

use crate::collector::{Dimension, FacetedTop, Outcome, Scope};
use crate::schema::{Fields, Kind};

pub use crate::one::Opening;
pub use crate::query::{
    DEFAULT_LIMIT, FacetCount, Hit, Hits, MAX_LIMIT, OfferFacets, OfferHits, OfferQuery,
    OpportunityFacets, OpportunityHits, OpportunityQuery,
};
pub use crate::writer::SearchWriter;

/// Why the search index could not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// Tantivy failed (I/O, a lock held by another process, corruption).
    #[error("search index: {0}")]
    Index(#[from] tantivy::TantivyError),
    /// The index directory could not be made or cleared.
    #[error("search index directory {path}: {source}")]
    Directory { path: PathBuf, source: io::Error },
    /// The index holds an id the domain refuses: it was not written by this crate.
    #[error("search index holds an invalid id {id:?}: {reason}")]
    BadId { id: String, reason: String },
}

/// The result of a search index operation.
pub type Result<T, E = SearchError> = std::result::Result<T, E>;

/// Tantivy's indexing arena, split between its threads; it flushes a segment when full.
const WRITER_MEMORY: usize = 64 << 20;

/// The opportunity and offer index of one node, shared by its request
/// handlers (it is `Send + Sync`) with one writer at a time.
pub struct SearchIndex {
    fields: Fields,
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    parser: QueryParser,
    /// The same without the names of buyers and providers, for visitors who
    /// may not learn who an opportunity's buyer is.
    nameless_parser: QueryParser,
    applied_seq: AtomicI64,
    needs_rebuild: AtomicBool,
    /// Recent opportunity searches and their results, valid until the next
    /// commit: the busiest pages (the unfiltered list, popular filters) then
    /// cost one lookup instead of a pass over every document.
    recent: Mutex<Recent>,
}

/// Results of recent opportunity searches, for one index generation.
#[derive(Debug, Default)]
struct Recent {
    generation: u64,
    results: std::collections::HashMap<String, OpportunityHits>,
}

/// Searches remembered per generation; past this the memory starts afresh.
const RECENT_SEARCHES: usize = 256;

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex")
            .field("applied_seq", &self.applied_seq())
            .field("needs_rebuild", &self.needs_rebuild())
            .finish_non_exhaustive()
    }
}

impl SearchIndex {
    /// Opens the index in `dir`, creating it if missing. The directory is the
    /// index's own: an index there that this version cannot use (another
    /// schema or format, unreadable) is deleted and an empty one started,
    /// with [`SearchIndex::needs_rebuild`] set.
    pub fn open(dir: &Path) -> Result<SearchIndex> {
        let directory_error = |source| SearchError::Directory {
            path: dir.to_owned(),
            source,
        };
        fs::create_dir_all(dir).map_err(directory_error)?;
        let (schema, fields) = schema::schema();
        if let Some((index, applied_seq)) = usable_index(dir, &schema) {
            return SearchIndex::new(index, fields, applied_seq, false);
        }
        wipe(dir).map_err(directory_error)?;
        let index = Index::create_in_dir(dir, schema)?;
        SearchIndex::new(index, fields, 0, true)
    }

    /// An empty index in memory, for tests and one-off jobs.
    pub fn in_memory() -> Result<SearchIndex> {
        let (schema, fields) = schema::schema();
        SearchIndex::new(Index::create_in_ram(schema), fields, 0, true)
    }

    fn new(
        index: Index,
        fields: Fields,
        applied_seq: i64,
        needs_rebuild: bool,
    ) -> Result<SearchIndex> {
        schema::register_analyzer(&index);
        let writer = index.writer(WRITER_MEMORY)?;
        // Only this process writes the index, and it reloads after each
        // commit, so there is no need to watch the directory.
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let parser_of = |searched: Vec<(Field, f32)>| {
            let mut parser =
                QueryParser::for_index(&index, searched.iter().map(|(field, _)| *field).collect());
            for (field, boost) in searched {
                parser.set_field_boost(field, boost);
            }
            // Each word typed narrows the results, as users of search boxes expect.
            parser.set_conjunction_by_default();
            parser
        };
        let searched = fields.searched();
        let parser = parser_of(searched.to_vec());
        let nameless_parser = parser_of(
            searched
                .into_iter()
                .filter(|(field, _)| *field != fields.party)
                .collect(),
        );
        Ok(SearchIndex {
            fields,
            reader,
            writer: Mutex::new(writer),
            parser,
            nameless_parser,
            applied_seq: AtomicI64::new(applied_seq),
            needs_rebuild: AtomicBool::new(needs_rebuild),
            recent: Mutex::new(Recent::default()),
        })
    }

    /// Whether the index was started empty by this process (new, or the one
    /// on disk was unusable) and has not been committed to since: the caller
    /// should fill it from the store rather than follow the change log.
    pub fn needs_rebuild(&self) -> bool {
        self.needs_rebuild.load(Ordering::Acquire)
    }

    /// The change-log sequence of the last commit (0 for a new index).
    pub fn applied_seq(&self) -> i64 {
        self.applied_seq.load(Ordering::Acquire)
    }

    /// Starts a batch of changes, waiting while another batch is open.
    pub fn writer(&self) -> SearchWriter<'_> {
        // A panic during a batch rolled it back as the batch unwound, so a
        // poisoned writer is still sound.
        let writer = self.writer.lock().unwrap_or_else(PoisonError::into_inner);
        SearchWriter::new(self, writer)
    }

    /// Records a successful commit and makes it visible to searches.
    fn committed(&self, applied_seq: i64) -> Result<()> {
        self.applied_seq.store(applied_seq, Ordering::Release);
        self.needs_rebuild.store(false, Ordering::Release);
        self.reader.reload()?;
        let mut recent = self.recent.lock().unwrap_or_else(PoisonError::into_inner);
        recent.generation += 1;
        recent.results.clear();
        Ok(())
    }

    /// Opportunities matching the query, with facet counts.
    pub fn search_opportunities(&self, query: &OpportunityQuery) -> Result<OpportunityHits> {
        // The scope is part of the key, so no actor is served another's results.
        let key = format!("{query:?}");
        let generation = {
            let recent = self.recent.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(hits) = recent.results.get(&key) {
                return Ok(hits.clone());
            }
            recent.generation
        };
        let outcome = self.search(
            Kind::Opportunity,
            query.collector_scope(),
            query.text.as_deref(),
            query.buyer_names,
            query.dimensions(),
            query::keep(query.offset, query.limit),
        )?;
        let hits = query.hits(outcome)?;
        let mut recent = self.recent.lock().unwrap_or_else(PoisonError::into_inner);
        // A commit since the search began makes its result stale: keep it out.
        if recent.generation == generation {
            if recent.results.len() >= RECENT_SEARCHES {
                recent.results.clear();
            }
            recent.results.insert(key, hits.clone());
        }
        Ok(hits)
    }

    /// Offers matching the query, with facet counts.
    pub fn search_offers(&self, query: &OfferQuery) -> Result<OfferHits> {
        let outcome = self.search(
            Kind::Offer,
            None,
            query.text.as_deref(),
            true,
            query.dimensions(),
            query::keep(query.offset, query.limit),
        )?;
        query.hits(outcome)
    }

    fn search(
        &self,
        kind: Kind,
        scope: Option<Scope>,
        text: Option<&str>,
        names: bool,
        dimensions: Vec<Dimension>,
        keep: usize,
    ) -> Result<Outcome> {
        let kind_term = Term::from_field_text(self.fields.kind, kind.as_str());
        // Scored zero so that relevance is the text's alone.
        let of_kind: Box<dyn Query> = Box::new(ConstScoreQuery::new(
            Box::new(TermQuery::new(kind_term, IndexRecordOption::Basic)),
            0.0,
        ));
        let text = text.and_then(|text| self.text_query(text, names));
        let by_score = text.is_some();
        let query = match text {
            Some(text) => Box::new(BooleanQuery::new(vec![
                (Occur::Must, text),
                (Occur::Must, of_kind),
            ])),
            None => of_kind,
        };
        let collector = FacetedTop {
            scope,
            dimensions,
            keep,
            by_score,
        };
        Ok(self.reader.searcher().search(query.as_ref(), &collector)?)
    }

    /// The query for what a user typed. Syntax errors drop only the broken
    /// part; text left with no term to match (punctuation, stop words) is
    /// treated as no text rather than matching nothing.
    ///
    /// Without `names`, buyers' and providers' names are not searched, and
    /// `field:` syntax is read as plain words so no field can be named.
    fn text_query(&self, text: &str, names: bool) -> Option<Box<dyn Query>> {
        let (query, _errors) = if names {
            self.parser.parse_query_lenient(text)
        } else {
            self.nameless_parser
                .parse_query_lenient(&text.replace(':', " "))
        };
        let mut terms = 0;
        query.query_terms(&mut |_, _| terms += 1);
        (terms > 0).then_some(query)
    }
}

/// The index in `dir` and its applied sequence, if this version can use it.
fn usable_index(dir: &Path, schema: &Schema) -> Option<(Index, i64)> {
    let index = Index::open_in_dir(dir).ok()?;
    if index.schema() != *schema {
        return None;
    }
    let payload = index.load_metas().ok()?.payload?;
    let applied_seq = schema::applied_seq_of(&payload)?;
    Some((index, applied_seq))
}

/// Deletes the files of the index in `dir`. Only a directory holding an
/// index is touched, and only its files: tantivy keeps no subdirectories,
/// so a mistaken path cannot lose a tree.
fn wipe(dir: &Path) -> io::Result<()> {
    if !dir.join("meta.json").exists() {
        return Ok(());
    }
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type()?.is_file() {
            fs::remove_file(entry.path())?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
