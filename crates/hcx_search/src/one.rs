//! One opportunity against a search, without the index: for alerts, which
//! ask whether a newly published opportunity is one a saved search finds.

use std::collections::HashSet;

use hcx_domain::Opportunity;
use tantivy::tokenizer::{TextAnalyzer, TokenStream};

use crate::query::OpportunityQuery;
use crate::schema::analyzer;

/// The words of some text as the index holds them: lower case, folded,
/// stop words dropped, stemmed.
fn terms(analyzer: &mut TextAnalyzer, text: &str, into: &mut HashSet<String>) {
    let mut stream = analyzer.token_stream(text);
    while let Some(token) = stream.next() {
        into.insert(token.text.clone());
    }
}

/// One opportunity read once, as the index reads it, to be checked
/// against many searches (the saved searches of every subscriber).
pub struct Opening<'a> {
    o: &'a Opportunity,
    analyzer: TextAnalyzer,
    /// The words the index searches: title, description, parts,
    /// classifications, country, service lines and specialties.
    words: HashSet<String>,
}

impl std::fmt::Debug for Opening<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Opening")
            .field("opportunity", &self.o.id)
            .field("words", &self.words.len())
            .finish()
    }
}

impl<'a> Opening<'a> {
    pub fn of(o: &'a Opportunity) -> Opening<'a> {
        let mut analyzer = analyzer();
        let mut words = HashSet::new();
        let mut read = |t: &str| terms(&mut analyzer, t, &mut words);
        read(&o.title);
        read(&o.description);
        for r in &o.requirements {
            read(&r.title);
        }
        for c in &o.classifications {
            if let Some(d) = &c.description {
                read(d);
            }
        }
        read(o.country.name());
        read(o.country.as_str());
        for s in &o.service_lines {
            read(s.label());
        }
        for s in &o.specialties {
            read(s.name());
        }
        Opening { o, analyzer, words }
    }

    /// Whether the search would find this opportunity: every filter given
    /// admits it, and every word of the text is among its words. Query
    /// syntax is read as plain words, and buyers' names are not searched, as
    /// for visitors who may not know the buyer. The query's scope is not
    /// consulted: the caller checks who may see the opportunity.
    pub fn found_by(&mut self, query: &OpportunityQuery) -> bool {
        let o = self.o;
        let admits = |empty: bool, found: bool| empty || found;
        let filters = admits(
            query.countries.is_empty(),
            query.countries.contains(&o.country),
        ) && admits(
            query.service_lines.is_empty(),
            o.service_lines
                .iter()
                .any(|s| query.service_lines.contains(s)),
        ) && admits(
            query.specialties.is_empty(),
            o.specialties.iter().any(|s| query.specialties.contains(s)),
        ) && admits(
            query.statuses.is_empty(),
            query.statuses.contains(&o.status),
        ) && admits(query.sources.is_empty(), query.sources.contains(&o.source))
            && admits(
                query.value_bands.is_empty(),
                query.value_bands.contains(&o.value_band()),
            );
        if !filters {
            return false;
        }
        let Some(text) = query.text.as_deref().filter(|t| !t.trim().is_empty()) else {
            return true;
        };
        let mut wanted = HashSet::new();
        terms(&mut self.analyzer, text, &mut wanted);
        wanted.iter().all(|w| self.words.contains(w))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hcx_domain::{CountryCode, Record, Status};

    fn opportunity() -> Opportunity {
        let line = r#"{"record":"opportunity","id":"O1","buyer":"KW-MOH","country":"KW","title":"Paediatric cardiac surgery","description":"Training nurses in children's heart care.","specialties":["321"],"service_lines":["education_training"],"source":"post","status":"published"}"#;
        match Record::parse_line(line).unwrap() {
            Record::Opportunity(o) => o,
            _ => unreachable!(),
        }
    }

    #[test]
    fn every_word_must_be_found_stemmed_as_the_index_stems() {
        let o = opportunity();
        let q = |text: &str| OpportunityQuery {
            text: Some(text.into()),
            ..OpportunityQuery::default()
        };
        assert!(Opening::of(&o).found_by(&q("nurse training")));
        assert!(Opening::of(&o).found_by(&q("Kuwait the surgery")));
        assert!(!Opening::of(&o).found_by(&q("nurse diabetes")));
        assert!(Opening::of(&o).found_by(&OpportunityQuery::default()));
    }

    #[test]
    fn each_filter_given_must_admit_it() {
        let o = opportunity();
        let kw = CountryCode::parse("KW").unwrap();
        let jo = CountryCode::parse("JO").unwrap();
        let in_kw = OpportunityQuery {
            countries: vec![jo.clone(), kw],
            statuses: vec![Status::Published],
            ..OpportunityQuery::default()
        };
        assert!(Opening::of(&o).found_by(&in_kw));
        let in_jo = OpportunityQuery {
            countries: vec![jo],
            ..OpportunityQuery::default()
        };
        assert!(!Opening::of(&o).found_by(&in_jo));
        let drafts = OpportunityQuery {
            statuses: vec![Status::Draft],
            ..OpportunityQuery::default()
        };
        assert!(!Opening::of(&o).found_by(&drafts));
    }
}
