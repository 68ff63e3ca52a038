//! Batched writes: changes become searchable, and the applied sequence moves,
//! only when the batch is committed.

use std::sync::MutexGuard;

use hcx_domain::vocab::ServiceLine;
use hcx_domain::{CountryCode, Offer, OfferId, Opportunity, OpportunityId, SpecialtyCode};
use tantivy::{IndexWriter, TantivyDocument, Term};

use crate::schema::{Fields, Kind};
use crate::{Result, SearchIndex};

/// A batch of changes to a [`SearchIndex`], holding its only writer until
/// committed or dropped; dropping it uncommitted discards the batch.
pub struct SearchWriter<'a> {
    index: &'a SearchIndex,
    writer: MutexGuard<'a, IndexWriter>,
    /// Whether the batch holds changes not yet committed.
    pending: bool,
}

impl std::fmt::Debug for SearchWriter<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchWriter")
            .field("pending", &self.pending)
            .finish_non_exhaustive()
    }
}

impl<'a> SearchWriter<'a> {
    pub(crate) fn new(index: &'a SearchIndex, writer: MutexGuard<'a, IndexWriter>) -> Self {
        SearchWriter {
            index,
            writer,
            pending: false,
        }
    }

    /// Adds or replaces an opportunity; `buyer_name` is searchable with it.
    pub fn put_opportunity(
        &mut self,
        opportunity: &Opportunity,
        buyer_name: &str,
        updated_at: i64,
    ) -> Result<()> {
        let doc = opportunity_doc(&self.index.fields, opportunity, buyer_name, updated_at);
        self.put(Kind::Opportunity, opportunity.id.as_str(), doc)
    }

    /// Adds or replaces an offer; `provider_name` is searchable with it.
    pub fn put_offer(&mut self, offer: &Offer, provider_name: &str, updated_at: i64) -> Result<()> {
        let doc = offer_doc(&self.index.fields, offer, provider_name, updated_at);
        self.put(Kind::Offer, offer.id.as_str(), doc)
    }

    /// Removes an opportunity (nothing happens if it is not indexed).
    pub fn delete_opportunity(&mut self, id: &OpportunityId) {
        self.delete(Kind::Opportunity, id.as_str());
    }

    /// Removes an offer (nothing happens if it is not indexed).
    pub fn delete_offer(&mut self, id: &OfferId) {
        self.delete(Kind::Offer, id.as_str());
    }

    /// Removes every document, for a rebuild; later puts in the batch are kept.
    pub fn clear(&mut self) {
        // Deleting by term, unlike tantivy's `delete_all_documents`, is
        // ordered with the batch's other operations.
        for kind in [Kind::Opportunity, Kind::Offer] {
            self.writer
                .delete_term(Term::from_field_text(self.index.fields.kind, kind.as_str()));
        }
        self.pending = true;
    }

    /// Makes the batch searchable and records `applied_seq`, the change-log
    /// sequence the index now reflects, in the same commit.
    pub fn commit(mut self, applied_seq: i64) -> Result<()> {
        let mut prepared = self.writer.prepare_commit()?;
        prepared.set_payload(&crate::schema::payload(applied_seq));
        prepared.commit()?;
        self.pending = false;
        self.index.committed(applied_seq)
    }

    fn put(&mut self, kind: Kind, id: &str, doc: TantivyDocument) -> Result<()> {
        self.delete(kind, id);
        self.writer.add_document(doc)?;
        Ok(())
    }

    fn delete(&mut self, kind: Kind, id: &str) {
        self.writer
            .delete_term(Term::from_field_text(self.index.fields.key, &kind.key(id)));
        self.pending = true;
    }
}

impl Drop for SearchWriter<'_> {
    fn drop(&mut self) {
        if self.pending {
            // Without this the next batch's commit would publish these changes.
            // Should the rollback itself fail, tantivy refuses every later
            // commit, so the failure is reported there rather than lost.
            let _ = self.writer.rollback();
        }
    }
}

fn base_doc(fields: &Fields, kind: Kind, id: &str, updated_at: i64) -> TantivyDocument {
    let mut doc = TantivyDocument::new();
    doc.add_text(fields.kind, kind.as_str());
    doc.add_text(fields.key, kind.key(id));
    doc.add_text(fields.id, id);
    doc.add_i64(fields.updated_at, updated_at);
    doc
}

fn opportunity_doc(
    fields: &Fields,
    o: &Opportunity,
    buyer_name: &str,
    updated_at: i64,
) -> TantivyDocument {
    let mut doc = base_doc(fields, Kind::Opportunity, o.id.as_str(), updated_at);
    doc.add_text(fields.title, &o.title);
    doc.add_text(fields.body, &o.description);
    for requirement in &o.requirements {
        doc.add_text(fields.body, &requirement.title);
    }
    for classification in &o.classifications {
        if let Some(description) = &classification.description {
            doc.add_text(fields.tags, description);
        }
    }
    doc.add_text(fields.party, buyer_name);
    doc.add_text(fields.buyer, o.buyer.as_str());
    add_country(&mut doc, fields, &o.country);
    add_lines_and_specialties(&mut doc, fields, &o.service_lines, &o.specialties);
    doc.add_text(fields.status, o.status.as_str());
    doc.add_text(fields.source, o.source.as_str());
    doc.add_text(fields.value_band, o.value_band().as_str());
    doc
}

/// A country: searchable by name and code, and a filter value.
fn add_country(doc: &mut TantivyDocument, fields: &Fields, country: &CountryCode) {
    doc.add_text(fields.place, country.name());
    doc.add_text(fields.place, country.as_str());
    doc.add_text(fields.country, country.as_str());
}

/// Service lines and specialties: searchable by their labels, and filter values.
fn add_lines_and_specialties(
    doc: &mut TantivyDocument,
    fields: &Fields,
    service_lines: &[ServiceLine],
    specialties: &[SpecialtyCode],
) {
    for line in service_lines {
        doc.add_text(fields.tags, line.label());
        doc.add_text(fields.service_line, line.as_str());
    }
    for specialty in specialties {
        doc.add_text(fields.tags, specialty.name());
        doc.add_text(fields.specialty, specialty.as_str());
    }
}

fn offer_doc(fields: &Fields, o: &Offer, provider_name: &str, updated_at: i64) -> TantivyDocument {
    let mut doc = base_doc(fields, Kind::Offer, o.id.as_str(), updated_at);
    doc.add_text(fields.title, &o.title);
    doc.add_text(fields.body, &o.description);
    doc.add_text(fields.party, provider_name);
    doc.add_text(fields.provider, o.provider.as_str());
    for country in &o.countries_of_experience {
        add_country(&mut doc, fields, country);
    }
    add_lines_and_specialties(&mut doc, fields, &o.service_lines, &o.specialties);
    for mode in &o.delivery_modes {
        doc.add_text(fields.delivery_mode, mode.as_str());
    }
    doc
}
