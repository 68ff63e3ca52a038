//! The command line of due diligence: `hcx cases` and `hcx cases show ID`.

use std::io::Write;

use clap::{Args, Subcommand, ValueEnum};
use hcx_domain::diligence::Case;
use hcx_domain::opportunity::format_date;

use crate::services::diligence::CaseQuery;
use crate::services::{App, Caller};
use crate::table::{Format, Table};
use crate::web::api::rfc3339;

/// Which cases to list, or one to show.
#[derive(Debug, Args)]
pub struct CasesArgs {
    #[command(subcommand)]
    action: Option<CasesAction>,
    /// Only cases in this status: open, submitted, approved or rejected.
    #[arg(long)]
    status: Option<String>,
    /// Only cases on this partner organisation.
    #[arg(long, value_name = "ID")]
    partner: Option<String>,
    #[arg(long, default_value_t = 100)]
    limit: i64,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

#[derive(Debug, Subcommand)]
enum CasesAction {
    /// One case whole: people, hits with their verdicts, the checklist, the
    /// rating and the decision in force.
    Show {
        id: String,
        #[arg(long, value_enum, default_value_t = ShowFormat::Text)]
        format: ShowFormat,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ShowFormat {
    Text,
    Json,
}

/// `hcx cases` and `hcx cases show`.
pub async fn cases(app: &App, args: CasesArgs) -> anyhow::Result<()> {
    let cli = Caller::command_line();
    let mut out = std::io::stdout().lock();
    if let Some(CasesAction::Show { id, format }) = args.action {
        let case = app.case(&cli, &id).await?;
        return match format {
            ShowFormat::Json => {
                let mut value = serde_json::to_value(&case)?;
                value["needs_review"] = case.needs_review().into();
                serde_json::to_writer_pretty(&mut out, &value)?;
                writeln!(out)?;
                Ok(())
            }
            ShowFormat::Text => print_case(app, &case, &mut out).await,
        };
    }
    let query = CaseQuery::read(args.partner.as_deref(), args.status.as_deref())?;
    let page = app.cases(&cli, &query, 0, args.limit).await?;
    let mut t = Table::new(&[
        "id",
        "partner",
        "owner",
        "status",
        "needs_review",
        "rating",
        "expires_on",
        "updated_at",
    ]);
    for c in &page.items {
        t.row([
            c.id.to_string(),
            c.partner.to_string(),
            c.owner
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
            c.status.as_str().to_owned(),
            c.needs_review().to_string(),
            c.rating.map(|r| r.as_str().to_owned()).unwrap_or_default(),
            c.decision
                .as_ref()
                .and_then(|d| d.expires_on)
                .map(format_date)
                .unwrap_or_default(),
            rfc3339(c.updated_at),
        ]);
    }
    t.print(args.format, &mut out)?;
    Ok(())
}

async fn print_case(app: &App, case: &Case, out: &mut impl Write) -> anyhow::Result<()> {
    let partner = app.organisation(case.partner.as_str()).await?;
    let owner = match &case.owner {
        Some(o) => format!("{} ({o})", app.organisation(o.as_str()).await?.name),
        None => "every provider (the agency's case)".to_owned(),
    };
    writeln!(
        out,
        "case {} on {} ({}), for {owner}",
        case.id, partner.name, partner.id
    )?;
    let review = if case.needs_review() {
        ", needs review"
    } else {
        ""
    };
    writeln!(out, "status: {}{review}", case.status.as_str())?;
    if let Some(by) = &case.requested_by {
        writeln!(out, "requested by: {by}")?;
    }
    if let Some(d) = &case.decision {
        let expiry = d
            .expires_on
            .map(|e| format!(", expires on {}", format_date(e)))
            .unwrap_or_default();
        writeln!(
            out,
            "decision: {} by {} at {}{expiry}: {}",
            d.outcome.as_str(),
            d.by,
            rfc3339(d.at),
            d.note
        )?;
    }
    writeln!(out, "\npeople:")?;
    let mut t = Table::new(&["id", "name", "role", "born", "country"]);
    for p in &case.people {
        t.row([
            p.id.to_string(),
            p.name.clone(),
            p.role.clone(),
            p.birth_date.clone().unwrap_or_default(),
            p.country
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
        ]);
    }
    t.print(Format::Table, out)?;
    writeln!(out, "\nhits:")?;
    let mut t = Table::new(&[
        "hit",
        "subject",
        "list",
        "entity",
        "listed as",
        "score",
        "verdict",
        "reason",
    ]);
    for h in &case.hits {
        t.row([
            h.id.to_string(),
            h.subject.as_str().to_owned(),
            format!("{} v{}", h.list_name, h.list_version),
            h.entity_id.clone(),
            h.caption.clone(),
            format!("{:.3}", h.score),
            h.verdict.as_str().to_owned(),
            h.reason.clone().unwrap_or_default(),
        ]);
    }
    t.print(Format::Table, out)?;
    writeln!(out, "\nchecklist:")?;
    let mut t = Table::new(&["item", "answer", "note"]);
    for a in &case.checklist {
        t.row([
            a.item.as_str().to_owned(),
            a.answer.as_str().to_owned(),
            a.note.clone(),
        ]);
    }
    t.print(Format::Table, out)?;
    writeln!(out, "\nfinancial notes: {}", case.financial_notes)?;
    match case.rating {
        Some(r) => writeln!(out, "rating: {} — {}", r.as_str(), case.rating_reasons)?,
        None => writeln!(out, "rating: none yet")?,
    }
    Ok(())
}
