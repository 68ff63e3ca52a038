//! "More like this": documents whose words are closest to a long text — a
//! need or an offer — for matchmaking. Unlike the search box, any word may
//! match, and rarer words count for more (BM25).

use std::collections::BTreeMap;

use hcx_domain::access::OpportunityScope;
use hcx_domain::{OfferId, OpportunityId};
use tantivy::Term;
use tantivy::query::{BooleanQuery, BoostQuery, ConstScoreQuery, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::tokenizer::TokenStream;

use crate::collector::FacetedTop;
use crate::query::{Hit, OpportunityQuery};
use crate::schema::Kind;
use crate::{Result, SearchError, SearchIndex};

/// Distinct words of a text read at most: a long tender adds little after these.
const MAX_TERMS: usize = 256;
/// Words of those queried: the most telling.
const QUERY_TERMS: usize = 25;

impl SearchIndex {
    /// Offers closest to `text` (plus `extra` words, such as the official
    /// names of specialties read in it), best first, at most `limit`.
    pub fn similar_offers(
        &self,
        text: &str,
        extra: &[String],
        limit: usize,
    ) -> Result<Vec<Hit<OfferId>>> {
        let hits = self.similar(Kind::Offer, None, text, extra, limit)?;
        hits.into_iter()
            .map(|(id, score)| {
                let id = OfferId::parse(&id).map_err(|reason| SearchError::BadId { id, reason })?;
                Ok(Hit { id, score })
            })
            .collect()
    }

    /// Opportunities in `scope` closest to `text`, best first, at most `limit`.
    pub fn similar_opportunities(
        &self,
        text: &str,
        extra: &[String],
        scope: &OpportunityScope,
        limit: usize,
    ) -> Result<Vec<Hit<OpportunityId>>> {
        let scope = OpportunityQuery {
            scope: scope.clone(),
            ..OpportunityQuery::default()
        }
        .collector_scope();
        let hits = self.similar(Kind::Opportunity, scope, text, extra, limit)?;
        hits.into_iter()
            .map(|(id, score)| {
                let id = OpportunityId::parse(&id)
                    .map_err(|reason| SearchError::BadId { id, reason })?;
                Ok(Hit { id, score })
            })
            .collect()
    }

    fn similar(
        &self,
        kind: Kind,
        scope: Option<crate::collector::Scope>,
        text: &str,
        extra: &[String],
        limit: usize,
    ) -> Result<Vec<(String, f32)>> {
        let searcher = self.reader.searcher();
        let index = searcher.index();
        let mut analyzer = index.tokenizer_for_field(self.fields.body)?;
        let mut counts: BTreeMap<String, u32> = BTreeMap::new();
        for part in std::iter::once(text).chain(extra.iter().map(String::as_str)) {
            let mut stream = analyzer.token_stream(part);
            while stream.advance() && counts.len() < MAX_TERMS {
                *counts.entry(stream.token().text.clone()).or_default() += 1;
            }
        }
        if counts.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        let weighted = [
            (self.fields.title, 2.0),
            (self.fields.body, 1.0),
            (self.fields.tags, 1.5),
        ];
        // As "more like this" does: only the words that say most about the
        // text, those frequent in it and rare in the index.
        let documents = searcher.num_docs() as f64;
        let mut telling: Vec<(f64, String)> = Vec::with_capacity(counts.len());
        for (word, count) in counts {
            let mut found = 0;
            for (field, _) in weighted {
                found += searcher.doc_freq(&Term::from_field_text(field, &word))?;
            }
            if found == 0 {
                continue;
            }
            let found = found as f64;
            let idf = (1.0 + (documents - found + 0.5).max(0.0) / (found + 0.5)).ln();
            telling.push((f64::from(count) * idf, word));
        }
        telling.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        telling.truncate(QUERY_TERMS);
        let words: Vec<String> = telling.into_iter().map(|(_, w)| w).collect();
        if words.is_empty() {
            return Ok(Vec::new());
        }
        let mut any_word: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for word in &words {
            for (field, boost) in weighted {
                let term = Term::from_field_text(field, word);
                let query = TermQuery::new(term, IndexRecordOption::WithFreqs);
                any_word.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(Box::new(query), boost)),
                ));
            }
        }
        let of_kind = ConstScoreQuery::new(
            Box::new(TermQuery::new(
                Term::from_field_text(self.fields.kind, kind.as_str()),
                IndexRecordOption::Basic,
            )),
            0.0,
        );
        let query = BooleanQuery::new(vec![
            (
                Occur::Must,
                Box::new(BooleanQuery::new(any_word)) as Box<dyn Query>,
            ),
            (Occur::Must, Box::new(of_kind)),
        ]);
        let collector = FacetedTop {
            scope,
            dimensions: Vec::new(),
            keep: limit,
            by_score: true,
        };
        let outcome = searcher.search(&query, &collector)?;
        Ok(outcome.hits.into_iter().map(|h| (h.id, h.score)).collect())
    }
}
