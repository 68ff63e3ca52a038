//! The command line of screening: `hcx lists` and `hcx screen`.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::{Args, Subcommand, ValueEnum};
use hcx_domain::screening::entity::ListEntity;
use hcx_domain::screening::score::DEFAULT_THRESHOLD;
use serde_json::json;

use crate::services::screening::{ScreenOptions, ScreeningResult, name_query, parse_query};
use crate::services::{App, Caller};
use crate::table::{Format, Table};

#[derive(Debug, Subcommand)]
pub enum ListsAction {
    /// Import FollowTheMoney JSON Lines as the new version of a list,
    /// replacing it whole; one bad line refuses the file.
    Import {
        /// The list's name: lower-case letters, digits, - and _.
        #[arg(long)]
        name: String,
        /// What to call this version (default: the file's name).
        #[arg(long)]
        label: Option<String>,
        file: PathBuf,
    },
}

/// What to screen and how.
#[derive(Debug, Args)]
pub struct ScreenArgs {
    /// The list to screen against.
    #[arg(long)]
    list: String,
    /// FollowTheMoney entities, one per line, each with `id`, `schema` and
    /// `properties`.
    #[arg(
        long,
        value_name = "FILE.jsonl",
        required_unless_present = "name",
        conflicts_with = "name"
    )]
    queries: Option<PathBuf>,
    /// One name to screen.
    #[arg(long)]
    name: Option<String>,
    /// The schema of the name: Person, Organization, Company, LegalEntity,
    /// Vessel or Airplane (default: LegalEntity, a person or an organisation).
    #[arg(long, requires = "name")]
    schema: Option<String>,
    /// Birth date of the person (YYYY, YYYY-MM or YYYY-MM-DD).
    #[arg(long, requires = "name")]
    birth_date: Option<String>,
    /// Country of the person or organisation (ISO 3166-1 alpha-2).
    #[arg(long, requires = "name")]
    country: Option<String>,
    /// Most results per query.
    #[arg(long, default_value_t = 5)]
    limit: usize,
    /// The score at which a result is a match.
    #[arg(long, default_value_t = DEFAULT_THRESHOLD)]
    threshold: f64,
    /// Default: jsonl for --queries, table for --name.
    #[arg(long, value_enum)]
    format: Option<ScreenFormat>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ScreenFormat {
    /// One line per query: `{"query_id", "results": [{"id", "score", "match", …}]}`.
    Jsonl,
    /// The results with every feature of each score.
    Json,
    Table,
}

/// `hcx lists`, and `hcx lists import`.
pub async fn lists(app: &App, action: Option<ListsAction>, format: Format) -> anyhow::Result<()> {
    let cli = Caller::command_line();
    if let Some(ListsAction::Import { name, label, file }) = action {
        let text = std::fs::read_to_string(&file)
            .with_context(|| format!("cannot read {}", file.display()))?;
        let label = label.unwrap_or_else(|| file_name(&file));
        let list = app.import_list(&cli, &name, &label, &text).await?;
        println!(
            "list {} is now version {}: {} entities from {}",
            list.name, list.version, list.entity_count, list.label
        );
        return Ok(());
    }
    let mut t = Table::new(&[
        "name",
        "version",
        "label",
        "entities",
        "imported_at",
        "imported_by",
    ]);
    for l in app.screening_lists(&cli).await? {
        t.row([
            l.name,
            l.version.to_string(),
            l.label,
            l.entity_count.to_string(),
            crate::web::api::rfc3339(l.imported_at),
            l.imported_by,
        ]);
    }
    t.print(format, &mut std::io::stdout().lock())?;
    Ok(())
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// `hcx screen`.
pub async fn screen(app: &App, args: ScreenArgs) -> anyhow::Result<()> {
    let (ids, queries) = match (&args.queries, &args.name) {
        (Some(path), _) => read_queries(path)?,
        (None, Some(name)) => (vec!["name".to_owned()], vec![one_query(&args, name)?]),
        (None, None) => anyhow::bail!("give --queries FILE.jsonl or --name NAME"),
    };
    let format = args.format.unwrap_or(if args.queries.is_some() {
        ScreenFormat::Jsonl
    } else {
        ScreenFormat::Table
    });
    let options = ScreenOptions {
        threshold: args.threshold,
        limit: args.limit,
    };
    let (list, results) = app
        .screen(&Caller::command_line(), &args.list, queries, options)
        .await?;
    let mut out = BufWriter::new(std::io::stdout().lock());
    match format {
        ScreenFormat::Jsonl => {
            for (id, results) in ids.iter().zip(&results) {
                let results: Vec<_> = results
                    .iter()
                    .map(|r| {
                        json!({"id": r.id, "caption": r.caption, "schema": r.schema, "score": r.score, "match": r.is_match})
                    })
                    .collect();
                serde_json::to_writer(&mut out, &json!({"query_id": id, "results": results}))?;
                writeln!(out)?;
            }
        }
        ScreenFormat::Json => {
            let report: Vec<_> = ids
                .iter()
                .zip(&results)
                .map(|(id, results)| json!({"query_id": id, "results": results}))
                .collect();
            let report = json!({"list": list, "threshold": args.threshold, "queries": report});
            serde_json::to_writer_pretty(&mut out, &report)?;
            writeln!(out)?;
        }
        ScreenFormat::Table => {
            writeln!(
                out,
                "list {} version {} ({})",
                list.name, list.version, list.label
            )?;
            for (id, results) in ids.iter().zip(&results) {
                if ids.len() > 1 {
                    writeln!(out, "\n{id}")?;
                }
                print_results(&mut out, results)?;
            }
        }
    }
    out.flush()?;
    Ok(())
}

fn print_results(out: &mut impl Write, results: &[ScreeningResult]) -> anyhow::Result<()> {
    if results.is_empty() {
        writeln!(out, "no result")?;
        return Ok(());
    }
    let mut t = Table::new(&["score", "match", "id", "schema", "listed as", "why"]);
    for r in results {
        let why: Vec<String> = r
            .features
            .iter()
            .skip(1)
            .map(|f| format!("{:+.2} {}", f.value, f.reason))
            .collect();
        t.row([
            format!("{:.3}", r.score),
            if r.is_match { "MATCH" } else { "" }.to_owned(),
            r.id.clone(),
            r.schema.to_owned(),
            r.caption.clone(),
            why.join("; "),
        ]);
    }
    t.print(Format::Table, out)?;
    Ok(())
}

/// The queries of a JSON Lines file, with their ids; every bad line named.
fn read_queries(path: &Path) -> anyhow::Result<(Vec<String>, Vec<ListEntity>)> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let (mut ids, mut queries, mut bad) = (Vec::new(), Vec::new(), Vec::new());
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let parsed = serde_json::from_str::<serde_json::Value>(line)
            .map_err(|e| format!("is not valid JSON: {e}"))
            .and_then(|v| parse_query(&v, "").map_err(|e| e.to_string()));
        match parsed {
            Ok(q) if q.id.is_empty() => bad.push(format!("line {}: id: is required", i + 1)),
            Ok(q) => {
                ids.push(q.id.clone());
                queries.push(q);
            }
            Err(e) => bad.push(format!("line {}: {e}", i + 1)),
        }
    }
    if !bad.is_empty() {
        anyhow::bail!(
            "{} has {} bad line(s), nothing was screened:\n  {}",
            path.display(),
            bad.len(),
            bad.join("\n  ")
        );
    }
    Ok((ids, queries))
}

fn one_query(args: &ScreenArgs, name: &str) -> anyhow::Result<ListEntity> {
    name_query(
        name,
        args.schema.as_deref(),
        args.birth_date.as_deref(),
        args.country.as_deref(),
    )
    .map_err(|e| anyhow::anyhow!("{e}"))
}
