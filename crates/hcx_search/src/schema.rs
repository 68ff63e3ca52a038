//! The one schema both document kinds share, and the text analyzer.

use tantivy::Index;
use tantivy::schema::{
    FAST, Field, IndexRecordOption, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer,
    StopWordFilter, TextAnalyzer,
};

/// Bump when what is indexed changes without the schema changing (the
/// analyzer, a derived value), so that every node wipes and rebuilds.
const FORMAT: &str = "hcx-search/2";

/// Tokenizers are not saved with an index, so this name is registered on every open.
const ANALYZER: &str = "hcx_english";

/// Lucene's English stop words: removed from text and queries alike, so that
/// "oncology in Jordan" does not require a document to contain "in".
const STOP_WORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it",
    "no", "not", "of", "on", "or", "such", "that", "the", "their", "then", "there", "these",
    "they", "this", "to", "was", "will", "with",
];

/// The two kinds of document, told apart by the `kind` field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Opportunity,
    Offer,
}

impl Kind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Kind::Opportunity => "opportunity",
            Kind::Offer => "offer",
        }
    }

    /// The indexed key that upserts and deletes by, unique across both kinds.
    pub(crate) fn key(self, id: &str) -> String {
        format!("{}:{id}", self.as_str())
    }
}

/// Names of the fast string columns that filters and facets read.
pub(crate) mod column {
    pub(crate) const ID: &str = "id";
    pub(crate) const UPDATED_AT: &str = "updated_at";
    pub(crate) const COUNTRY: &str = "country";
    pub(crate) const SERVICE_LINE: &str = "service_line";
    pub(crate) const SPECIALTY: &str = "specialty";
    pub(crate) const STATUS: &str = "status";
    pub(crate) const SOURCE: &str = "source";
    pub(crate) const VALUE_BAND: &str = "value_band";
    pub(crate) const DELIVERY_MODE: &str = "delivery_mode";
    pub(crate) const PROVIDER: &str = "provider";
    /// An opportunity's buyer: not a facet, but what a buyer's scope admits.
    pub(crate) const BUYER: &str = "buyer";
}

/// Handles to every field of [`schema`].
#[derive(Debug, Clone)]
pub(crate) struct Fields {
    pub(crate) kind: Field,
    pub(crate) key: Field,
    pub(crate) id: Field,
    pub(crate) updated_at: Field,
    pub(crate) title: Field,
    pub(crate) body: Field,
    pub(crate) tags: Field,
    pub(crate) party: Field,
    pub(crate) place: Field,
    pub(crate) country: Field,
    pub(crate) service_line: Field,
    pub(crate) specialty: Field,
    pub(crate) status: Field,
    pub(crate) source: Field,
    pub(crate) value_band: Field,
    pub(crate) delivery_mode: Field,
    pub(crate) provider: Field,
    pub(crate) buyer: Field,
}

impl Fields {
    /// The fields a user's text is matched against, with the boost of each.
    pub(crate) fn searched(&self) -> [(Field, f32); 5] {
        [
            (self.title, 3.0),
            (self.body, 1.0),
            (self.tags, 1.5),
            (self.party, 1.0),
            (self.place, 1.0),
        ]
    }
}

/// The schema and its field handles.
///
/// Nothing is stored: hits are read from the `id` fast field, so a search
/// never touches the document store.
pub(crate) fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(ANALYZER)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let facet = || TextOptions::from(FAST).set_fast("raw");
    let fields = Fields {
        kind: b.add_text_field("kind", STRING),
        key: b.add_text_field("key", STRING),
        id: b.add_text_field(column::ID, facet()),
        updated_at: b.add_i64_field(column::UPDATED_AT, FAST),
        title: b.add_text_field("title", text.clone()),
        body: b.add_text_field("body", text.clone()),
        tags: b.add_text_field("tags", text.clone()),
        party: b.add_text_field("party", text.clone()),
        place: b.add_text_field("place", text),
        country: b.add_text_field(column::COUNTRY, facet()),
        service_line: b.add_text_field(column::SERVICE_LINE, facet()),
        specialty: b.add_text_field(column::SPECIALTY, facet()),
        status: b.add_text_field(column::STATUS, facet()),
        source: b.add_text_field(column::SOURCE, facet()),
        value_band: b.add_text_field(column::VALUE_BAND, facet()),
        delivery_mode: b.add_text_field(column::DELIVERY_MODE, facet()),
        provider: b.add_text_field(column::PROVIDER, facet()),
        buyer: b.add_text_field(column::BUYER, facet()),
    };
    (b.build(), fields)
}

/// Registers the analyzer the text fields name: English stemming so
/// "nurses" finds "nurse", and ASCII folding so "Cote d'Ivoire" finds "Côte d'Ivoire".
pub(crate) fn register_analyzer(index: &Index) {
    index.tokenizers().register(ANALYZER, analyzer());
}

/// The analyzer of the text fields, for reading text the way the index does.
pub(crate) fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(StopWordFilter::remove(
            STOP_WORDS.iter().map(|w| (*w).to_owned()),
        ))
        .filter(Stemmer::new(Language::English))
        .build()
}

/// The commit payload recording the change-log sequence the index has applied.
pub(crate) fn payload(applied_seq: i64) -> String {
    format!("{FORMAT} applied_seq={applied_seq}")
}

/// The applied sequence in a payload written by this format, if it is one.
pub(crate) fn applied_seq_of(payload: &str) -> Option<i64> {
    payload
        .strip_prefix(FORMAT)?
        .strip_prefix(" applied_seq=")?
        .parse()
        .ok()
}
