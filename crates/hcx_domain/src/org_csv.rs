//! Organisations as CSV, the form a spreadsheet gives them.
//!
//! Columns (header row required, any order; only `id`, `name`, `kind`,
//! `sector` and `country` are required): `id, name, kind, sector, country,
//! ods_code, region, network, aliases, website, city`. `aliases` holds
//! several names separated by `;`. Empty cells mean "not given".

use serde_json::{Map, Value};

use crate::fields::Invalid;
use crate::interchange::{Batch, LineError, Location, Record};

/// The columns an organisations CSV may have, in the order export writes them.
pub const COLUMNS: [&str; 11] = [
    "id", "name", "kind", "sector", "country", "ods_code", "region", "network", "aliases",
    "website", "city",
];

/// Reads an organisations CSV.
pub fn read(text: &str) -> Batch {
    let mut batch = Batch::default();
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|h| h.trim().to_owned()).collect(),
        Err(e) => {
            batch.refuse(
                Location::Line(1),
                Invalid::one("", format!("unreadable header: {e}")),
            );
            return batch;
        }
    };
    let unknown: Vec<&String> = headers
        .iter()
        .filter(|h| !COLUMNS.contains(&h.as_str()))
        .collect();
    if !unknown.is_empty() {
        for h in unknown {
            batch.errors.push(LineError {
                location: Location::Line(1),
                // An empty header cell would otherwise give an error naming no column.
                field: if h.is_empty() {
                    format!("{h:?}")
                } else {
                    h.clone()
                },
                reason: format!(
                    "is not a known column (expected some of {})",
                    COLUMNS.join(", ")
                ),
            });
        }
        return batch;
    }
    let mut lines = LineCounter {
        text: text.as_bytes(),
        byte: 0,
        line: 1,
    };
    for row in reader.records() {
        let row = match row {
            Ok(row) => row,
            Err(e) => {
                let line = e.position().map_or(0, |p| lines.line_of(p));
                batch.refuse(
                    Location::Line(line),
                    Invalid::one("", format!("unreadable row: {e}")),
                );
                continue;
            }
        };
        let location = Location::Line(row.position().map_or(0, |p| lines.line_of(p)));
        let mut map = Map::new();
        map.insert("record".into(), Value::from("organisation"));
        for (header, cell) in headers.iter().zip(row.iter()) {
            let cell = cell.trim();
            if cell.is_empty() {
                continue;
            }
            let value = if header == "aliases" {
                Value::from(
                    cell.split(';')
                        .map(str::trim)
                        .filter(|a| !a.is_empty())
                        .collect::<Vec<_>>(),
                )
            } else {
                Value::from(cell)
            };
            map.insert(header.clone(), value);
        }
        match Record::from_value(Value::Object(map)) {
            Ok(r) => batch.records.push((location, r)),
            Err(invalid) => batch.refuse(location, invalid),
        }
    }
    batch
}

/// Finds the line a row starts on as a person counts lines. The reader's own
/// count is taken where it starts reading, before the blank lines and the `\n`
/// of a `\r\n` it skips, and a lone `\r` ends a row without ending a line, so
/// it can name a line above the row. Its byte offsets are exact.
struct LineCounter<'a> {
    text: &'a [u8],
    /// Where the last row found starts, and its line.
    byte: usize,
    line: usize,
}

impl LineCounter<'_> {
    /// Rows must be asked for in file order.
    fn line_of(&mut self, position: &csv::Position) -> usize {
        let mut start = usize::try_from(position.byte())
            .unwrap_or(usize::MAX)
            .min(self.text.len());
        while self
            .text
            .get(start)
            .is_some_and(|b| matches!(b, b'\r' | b'\n'))
        {
            start += 1;
        }
        if start > self.byte {
            let passed = &self.text[self.byte..start];
            let line_ends = passed
                .iter()
                .enumerate()
                .filter(|&(i, &b)| b == b'\n' || (b == b'\r' && passed.get(i + 1) != Some(&b'\n')));
            self.line += line_ends.count();
            self.byte = start;
        }
        self.line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_become_organisations_with_aliases() {
        let text = "id,name,kind,sector,country,aliases,network\nRR8,Leeds Teaching Hospitals NHS Trust,provider,nhs,GB,LTHT; Leeds,HI-YH\n";
        let batch = read(text);
        assert!(batch.errors.is_empty(), "{:?}", batch.errors);
        let Record::Organisation(o) = &batch.records[0].1 else {
            panic!()
        };
        assert_eq!(o.aliases, ["LTHT", "Leeds"]);
        assert_eq!(batch.records[0].0, Location::Line(2));
    }

    #[test]
    fn bad_rows_are_reported_by_line_and_column() {
        let text = "id,name,kind,sector,country\nA,Alpha,provider,nhs,GB\nB,Beta,seller,nhs,GB\nC,,buyer,nhs,XX\n";
        let errors = read(text).sorted_errors();
        let got: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(got.len(), 3, "{got:?}");
        assert!(got[0].starts_with("line 3: kind"));
        assert!(got[1].starts_with("line 4: name"));
        assert!(got[2].starts_with("line 4: country"));
    }

    #[test]
    fn unknown_columns_are_refused_up_front() {
        let errors = read("id,name,colour\n").errors;
        assert_eq!(errors[0].field, "colour");
    }
}
