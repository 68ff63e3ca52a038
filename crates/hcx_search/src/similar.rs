//! "More like this": documents whose words are closest to a long text — a
//! need or an offer — for matchmaking. Unlike the search box, any word may
//! match, and rarer words count for more (BM25).

use std::collections::BTreeSet;

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

/// Distinct words of a text used at most: a long tender adds little after these.
const MAX_TERMS: usize = 256;

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
        let mut words = BTreeSet::new();
        for part in std::iter::once(text).chain(extra.iter().map(String::as_str)) {
            let mut stream = analyzer.token_stream(part);
            while stream.advance() && words.len() < MAX_TERMS {
                words.insert(stream.token().text.clone());
            }
        }
        if words.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        let weighted = [
            (self.fields.title, 2.0),
            (self.fields.body, 1.0),
            (self.fields.tags, 1.5),
        ];
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
