//! How each record kind maps to its table: the columns queries filter on,
//! beside the record itself as interchange JSON.

use hcx_domain::{Offer, Opportunity, Organisation, Record, Strategy};

/// A value bound into a column.
#[derive(Debug, Clone)]
pub(crate) enum Cell {
    Text(String),
    MaybeText(Option<String>),
    MaybeInt(Option<i64>),
}

/// A record kind's table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Table {
    pub kind: &'static str,
    pub name: &'static str,
    /// Columns besides `id`, `body`, `version`, `created_at`, `updated_at`.
    pub columns: &'static [&'static str],
}

pub(crate) const ORGANISATIONS: Table = Table {
    kind: "organisation",
    name: "organisations",
    columns: &["name", "kind", "sector", "country", "region", "network"],
};
pub(crate) const OFFERS: Table = Table {
    kind: "offer",
    name: "offers",
    columns: &["provider_id", "title"],
};
pub(crate) const STRATEGIES: Table = Table {
    kind: "strategy",
    name: "strategies",
    columns: &["provider_id"],
};
pub(crate) const OPPORTUNITIES: Table = Table {
    kind: "opportunity",
    name: "opportunities",
    columns: &[
        "buyer_id",
        "country",
        "status",
        "source",
        "title",
        "value_minor",
        "value_currency",
        "value_gbp_pence",
        "response_due",
    ],
};

/// The tables in the order records must be written (referenced before referencing).
pub(crate) const TABLES: [Table; 4] = [ORGANISATIONS, OFFERS, STRATEGIES, OPPORTUNITIES];

pub(crate) fn table_of(record: &Record) -> Table {
    match record {
        Record::Organisation(_) => ORGANISATIONS,
        Record::Offer(_) => OFFERS,
        Record::Strategy(_) => STRATEGIES,
        Record::Opportunity(_) => OPPORTUNITIES,
    }
}

/// The column values of a record, in the order of its table's `columns`.
pub(crate) fn cells(record: &Record) -> Vec<Cell> {
    match record {
        Record::Organisation(o) => organisation_cells(o),
        Record::Offer(o) => offer_cells(o),
        Record::Strategy(s) => strategy_cells(s),
        Record::Opportunity(o) => opportunity_cells(o),
    }
}

fn organisation_cells(o: &Organisation) -> Vec<Cell> {
    vec![
        Cell::Text(o.name.clone()),
        Cell::Text(o.kind.as_str().into()),
        Cell::Text(o.sector.as_str().into()),
        Cell::Text(o.country.to_string()),
        Cell::MaybeText(o.region.clone()),
        Cell::MaybeText(o.network.as_ref().map(ToString::to_string)),
    ]
}

fn offer_cells(o: &Offer) -> Vec<Cell> {
    vec![
        Cell::Text(o.provider.to_string()),
        Cell::Text(o.title.clone()),
    ]
}

fn strategy_cells(s: &Strategy) -> Vec<Cell> {
    vec![Cell::Text(s.provider.to_string())]
}

fn opportunity_cells(o: &Opportunity) -> Vec<Cell> {
    vec![
        Cell::Text(o.buyer.to_string()),
        Cell::Text(o.country.to_string()),
        Cell::Text(o.status.as_str().into()),
        Cell::Text(o.source.as_str().into()),
        Cell::Text(o.title.clone()),
        Cell::MaybeInt(o.value.as_ref().map(|v| v.minor)),
        Cell::MaybeText(o.value.as_ref().map(|v| v.currency.to_string())),
        Cell::MaybeInt(o.value.as_ref().and_then(|v| v.to_gbp_pence())),
        Cell::MaybeText(o.response_due.map(hcx_domain::opportunity::format_date)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_table_has_a_cell_for_each_column() {
        let lines = [
            r#"{"record":"organisation","id":"A","name":"A","kind":"buyer","sector":"government","country":"JO"}"#,
            r#"{"record":"offer","id":"O","provider":"P","title":"t","description":"d","service_lines":["digital"],"delivery_modes":["remote"]}"#,
            r#"{"record":"strategy","id":"S","provider":"P"}"#,
            r#"{"record":"opportunity","id":"X","buyer":"A","country":"JO","title":"t","description":"d","source":"post","status":"draft"}"#,
        ];
        for line in lines {
            let record = Record::parse_line(line).unwrap();
            assert_eq!(
                cells(&record).len(),
                table_of(&record).columns.len(),
                "{line}"
            );
        }
    }
}
