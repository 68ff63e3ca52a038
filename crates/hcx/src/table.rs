//! Printing rows for people (an aligned table) or programs (JSON, CSV).

use std::io::{self, Write};

use clap::ValueEnum;

/// How a data-printing command writes its rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Json,
    Csv,
}

/// Rows of text under named columns.
#[derive(Debug, Clone)]
pub struct Table {
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
}

/// Widest a table cell is printed before it is cut short.
const MAX_CELL: usize = 60;

impl Table {
    pub fn new(headers: &[&str]) -> Table {
        Table {
            headers: headers.iter().map(|h| (*h).to_owned()).collect(),
            rows: Vec::new(),
        }
    }

    pub fn row<const N: usize>(&mut self, cells: [String; N]) {
        self.rows.push(cells.into());
    }

    pub fn print(&self, format: Format, out: &mut impl Write) -> io::Result<()> {
        match format {
            Format::Table => self.print_table(out),
            Format::Json => {
                let objects: Vec<serde_json::Map<String, serde_json::Value>> = self
                    .rows
                    .iter()
                    .map(|row| {
                        self.headers
                            .iter()
                            .cloned()
                            .zip(row.iter().map(|c| c.clone().into()))
                            .collect()
                    })
                    .collect();
                writeln!(out, "{}", serde_json::to_string_pretty(&objects)?)
            }
            Format::Csv => {
                let mut w = csv::Writer::from_writer(out);
                w.write_record(&self.headers)?;
                for row in &self.rows {
                    w.write_record(row)?;
                }
                w.flush()
            }
        }
    }

    fn print_table(&self, out: &mut impl Write) -> io::Result<()> {
        let cut = |s: &str| -> String {
            if s.chars().count() > MAX_CELL {
                format!("{}…", s.chars().take(MAX_CELL - 1).collect::<String>())
            } else {
                s.to_owned()
            }
        };
        let rows: Vec<Vec<String>> = self
            .rows
            .iter()
            .map(|r| r.iter().map(|c| cut(c)).collect())
            .collect();
        let widths: Vec<usize> = (0..self.headers.len())
            .map(|i| {
                rows.iter()
                    .map(|r| r[i].chars().count())
                    .chain([self.headers[i].len()])
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let line = |cells: &[String]| -> String {
            let padded: Vec<String> = cells
                .iter()
                .zip(&widths)
                .map(|(c, w)| format!("{c:<w$}"))
                .collect();
            padded.join("  ").trim_end().to_owned()
        };
        writeln!(out, "{}", line(&self.headers))?;
        for row in &rows {
            writeln!(out, "{}", line(row))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Table {
        let mut t = Table::new(&["id", "name"]);
        t.row(["RR8".into(), "Leeds, \"LTHT\"".into()]);
        t
    }

    fn printed(format: Format) -> String {
        let mut out = Vec::new();
        sample().print(format, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn tables_align_columns() {
        assert_eq!(printed(Format::Table), "id   name\nRR8  Leeds, \"LTHT\"\n");
    }

    #[test]
    fn csv_quotes_what_needs_quoting() {
        assert_eq!(
            printed(Format::Csv),
            "id,name\nRR8,\"Leeds, \"\"LTHT\"\"\"\n"
        );
    }

    #[test]
    fn json_gives_one_object_per_row() {
        let v: serde_json::Value = serde_json::from_str(&printed(Format::Json)).unwrap();
        assert_eq!(v[0]["id"], "RR8");
    }
}
