//! The command line of quotes: `hcx quote price` (nothing stored), `list`,
//! `show`, `create` and `issue`, and `reinvestment` for a provider's pot.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::{Args, Subcommand, ValueEnum};

use crate::services::quotes::{
    NewQuoteInput, PricedQuote, QuoteQuery, QuoteRequest, QuoteView, due_label, gbp, percent, price,
};
use crate::services::{App, Caller};
use crate::table::{Format, Table};
use crate::web::api::rfc3339;

/// Quotes: price a request, list, show, create and issue quotes.
#[derive(Debug, Args)]
pub struct QuoteArgs {
    #[command(subcommand)]
    action: QuoteAction,
}

#[derive(Debug, Subcommand)]
enum QuoteAction {
    /// Price a request (the JSON the API takes as `input`) with the shipped
    /// tables, storing nothing.
    Price {
        /// The request as JSON; `-` reads standard input.
        #[arg(long, value_name = "FILE")]
        input: PathBuf,
        #[arg(long, value_enum, default_value_t = ShowFormat::Table)]
        format: ShowFormat,
    },
    /// List quotes, most recently changed first.
    List {
        /// Only quotes of this provider.
        #[arg(long, value_name = "ID")]
        provider: Option<String>,
        /// Only quotes in this status: draft, issued, accepted, rejected or withdrawn.
        #[arg(long)]
        status: Option<String>,
        #[arg(long, default_value_t = 100)]
        limit: i64,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// One quote: its latest version priced in full, or the version asked for.
    Show {
        id: String,
        /// The version to show (the latest when left out).
        #[arg(long, value_name = "N")]
        version: Option<i64>,
        #[arg(long, value_enum, default_value_t = ShowFormat::Table)]
        format: ShowFormat,
    },
    /// Create a draft quote for a provider from a request file.
    Create {
        #[arg(long, value_name = "ID")]
        provider: String,
        /// The opportunity it answers: its buyer sees the versions issued.
        #[arg(long, value_name = "ID")]
        opportunity: Option<String>,
        /// Defaults to the opportunity's title.
        #[arg(long)]
        title: Option<String>,
        /// The request as JSON; `-` reads standard input.
        #[arg(long, value_name = "FILE")]
        input: PathBuf,
    },
    /// Issue the latest version of a draft quote to its buyer.
    Issue { id: String },
    /// A provider's reinvestment ledger and balance.
    Reinvestment {
        #[arg(long, value_name = "ID")]
        provider: String,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ShowFormat {
    Table,
    Json,
}

/// Whether `hcx quote` needs the database (pricing alone does not).
pub fn needs_store(args: &QuoteArgs) -> bool {
    !matches!(args.action, QuoteAction::Price { .. })
}

fn read_request(path: &Path) -> anyhow::Result<QuoteRequest> {
    let text = if path.as_os_str() == "-" {
        std::io::read_to_string(std::io::stdin()).context("cannot read standard input")?
    } else {
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?
    };
    serde_json::from_str(&text)
        .with_context(|| format!("{} is not a quote request", path.display()))
}

/// `hcx quote price`: no database needed.
pub fn price_only(args: QuoteArgs) -> anyhow::Result<()> {
    let QuoteAction::Price { input, format } = args.action else {
        anyhow::bail!("only `hcx quote price` runs without the database");
    };
    print_price(&input, format)
}

fn print_price(input: &Path, format: ShowFormat) -> anyhow::Result<()> {
    let request = read_request(input)?;
    let (_, priced) = price(&request)?;
    let mut out = std::io::stdout().lock();
    match format {
        ShowFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &priced)?;
            writeln!(out)?;
        }
        ShowFormat::Table => print_priced(&priced, &mut out)?,
    }
    Ok(())
}

/// `hcx quote` commands that read or write the store.
pub async fn quote(app: &App, args: QuoteArgs) -> anyhow::Result<()> {
    let cli = Caller::command_line();
    let mut out = std::io::stdout().lock();
    match args.action {
        QuoteAction::Price { input, format } => print_price(&input, format)?,
        QuoteAction::List {
            provider,
            status,
            limit,
            format,
        } => {
            let query = QuoteQuery::read(provider.as_deref(), status.as_deref())?;
            let page = app.quotes(&cli, &query, 0, limit).await?;
            let mut t = Table::new(&[
                "id",
                "provider",
                "opportunity",
                "title",
                "status",
                "versions",
                "price_gbp",
                "price_buyer",
                "updated_at",
            ]);
            for v in &page.items {
                let q = &v.quote;
                let latest = v.latest();
                t.row([
                    q.id.to_string(),
                    q.provider.to_string(),
                    q.opportunity
                        .as_ref()
                        .map(ToString::to_string)
                        .unwrap_or_default(),
                    q.title.clone(),
                    q.status.as_str().to_owned(),
                    v.versions.len().to_string(),
                    latest.map_or_else(String::new, |l| gbp(l.priced.price_gbp_pence)),
                    latest.map_or_else(String::new, |l| l.priced.price_buyer()),
                    rfc3339(q.updated_at),
                ]);
            }
            t.print(format, &mut out)?;
        }
        QuoteAction::Show {
            id,
            version,
            format,
        } => {
            let view = app.quote(&cli, &id).await?;
            let shown = match version {
                Some(n) => view
                    .numbered(n)
                    .with_context(|| format!("quote {id} has no version {n}"))?,
                None => view.latest().context("the quote has no version")?,
            };
            match format {
                ShowFormat::Json => {
                    let value = serde_json::json!({
                        "id": view.quote.id.as_str(),
                        "provider": view.quote.provider.as_str(),
                        "opportunity": view.quote.opportunity.as_ref().map(ToString::to_string),
                        "buyer": view.quote.buyer.as_ref().map(ToString::to_string),
                        "title": view.quote.title,
                        "status": view.quote.status.as_str(),
                        "version": shown.number,
                        "versions": view.versions.len(),
                        "input": shown.request,
                        "priced": shown.priced,
                    });
                    serde_json::to_writer_pretty(&mut out, &value)?;
                    writeln!(out)?;
                }
                ShowFormat::Table => {
                    print_head(&view, shown.number, &mut out)?;
                    print_priced(&shown.priced, &mut out)?;
                }
            }
        }
        QuoteAction::Create {
            provider,
            opportunity,
            title,
            input,
        } => {
            let new = NewQuoteInput {
                provider: Some(provider),
                opportunity,
                title,
                input: read_request(&input)?,
            };
            let view = app.create_quote(&cli, &new).await?;
            writeln!(out, "{}", view.quote.id)?;
        }
        QuoteAction::Issue { id } => {
            let view = app.quote(&cli, &id).await?;
            let view = app.issue_quote(&cli, &id, view.quote.version).await?;
            writeln!(
                out,
                "quote {} version {} issued",
                view.quote.id, view.quote.current_version
            )?;
        }
        QuoteAction::Reinvestment { provider, format } => {
            let ledger = app.reinvestment(&cli, &provider).await?;
            let mut t = Table::new(&["id", "kind", "amount_gbp", "quote", "note", "created_at"]);
            for e in &ledger.entries {
                t.row([
                    e.id.to_string(),
                    e.kind.as_str().to_owned(),
                    gbp(e.amount_pence),
                    e.quote.clone().unwrap_or_default(),
                    e.note.clone(),
                    rfc3339(e.created_at),
                ]);
            }
            t.print(format, &mut out)?;
            if format == Format::Table {
                writeln!(out, "balance: {}", gbp(ledger.balance_pence))?;
            }
        }
    }
    Ok(())
}

fn print_head(view: &QuoteView, number: i64, out: &mut impl Write) -> std::io::Result<()> {
    let q = &view.quote;
    writeln!(out, "quote {}: {}", q.id, q.title)?;
    writeln!(out, "provider: {}", q.provider)?;
    if let Some(o) = &q.opportunity {
        let buyer = q
            .buyer
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default();
        writeln!(out, "opportunity: {o} (buyer {buyer})")?;
    }
    writeln!(
        out,
        "status: {}; version {number} of {}",
        q.status.as_str(),
        view.versions.len()
    )?;
    if let Some(a) = &q.answer {
        writeln!(out, "answer by {} at {}: {}", a.by, rfc3339(a.at), a.note)?;
    }
    writeln!(out)
}

/// A priced quote for people: the staff lines, the build-up of the price,
/// the backfill check and the schedule.
pub fn print_priced(p: &PricedQuote, out: &mut impl Write) -> std::io::Result<()> {
    let mut lines = Table::new(&[
        "grade",
        "days",
        "trips",
        "backfilled",
        "day_rate",
        "salary",
        "on_costs",
        "backfill",
        "flights",
        "per_diem",
    ]);
    for l in &p.lines {
        lines.row([
            l.grade.clone(),
            l.days.to_string(),
            l.trips.to_string(),
            l.backfilled_days.to_string(),
            gbp(l.day_rate_pence),
            gbp(l.salary_pence),
            gbp(l.on_costs_pence),
            gbp(l.backfill_pence),
            gbp(l.flights_pence),
            gbp(l.per_diem_pence),
        ]);
    }
    lines.print(Format::Table, out)?;
    writeln!(out)?;
    let rows = [
        ("salary".to_owned(), gbp(p.salary_pence)),
        ("on-costs".to_owned(), gbp(p.on_costs_pence)),
        ("backfill".to_owned(), gbp(p.backfill_pence)),
        ("travel".to_owned(), gbp(p.travel_pence)),
        ("legal".to_owned(), gbp(p.legal_pence)),
        ("insurance".to_owned(), gbp(p.insurance_pence)),
        ("overhead".to_owned(), gbp(p.overhead_pence)),
        ("contingency".to_owned(), gbp(p.contingency_pence)),
        ("cost".to_owned(), gbp(p.cost_pence)),
        (
            format!(
                "margin {} ({}, {} income)",
                percent(p.margin_bp),
                p.partner_type,
                p.income_group.replace('_', " ")
            ),
            gbp(p.margin_pence),
        ),
        ("net price".to_owned(), gbp(p.net_price_pence)),
        (
            format!("withholding tax {}", percent(p.withholding_bp)),
            gbp(p.withholding_pence),
        ),
        ("price (GBP)".to_owned(), gbp(p.price_gbp_pence)),
        ("break-even".to_owned(), gbp(p.break_even_pence)),
        (format!("price ({})", p.currency), p.price_buyer()),
    ];
    let width = rows
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0);
    for (k, v) in &rows {
        writeln!(out, "{k:<width$}  {v:>16}")?;
    }
    writeln!(out)?;
    if p.fully_backfilled {
        writeln!(
            out,
            "backfill: all {} days away are backfilled",
            p.staff_days
        )?;
    } else {
        writeln!(
            out,
            "backfill: only {} of {} days away are backfilled",
            p.backfilled_days, p.staff_days
        )?;
    }
    writeln!(out)?;
    let mut schedule = Table::new(&["instalment", "due", "share", "gbp", "buyer"]);
    for s in &p.schedule {
        schedule.row([
            s.label.clone(),
            due_label(&s.due, s.months),
            percent(s.share_bp),
            gbp(s.gbp_pence),
            p.in_buyer_currency(s.buyer_minor),
        ]);
    }
    schedule.print(Format::Table, out)
}
