//! The `hcx` command line.

use std::io::{BufWriter, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};
use hcx_store::{OpportunityFilter, OrganisationFilter};
use indicatif::{ProgressBar, ProgressStyle};

use crate::config::{Config, parse_addr};
use crate::services::import::{ImportReport, Progress, Source};
use crate::services::{App, Caller, ServiceError};
use crate::table::{Format, Table};

/// Healthcare Export Exchange: matchmaking UK healthcare expertise with overseas needs.
#[derive(Debug, Parser)]
#[command(name = "hcx", version, about)]
pub struct Cli {
    /// Database: sqlite://PATH (default sqlite://hcx.db) or postgres://USER@HOST/DB.
    #[arg(long, global = true, env = "HCX_DATABASE_URL", hide_env_values = true)]
    db: Option<String>,
    /// Configuration file (TOML); default ./hcx.toml when present.
    #[arg(long, global = true, env = "HCX_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the web UI and the JSON API.
    Serve {
        /// Load the demo world first if the store is empty.
        #[arg(long)]
        demo: bool,
        /// Address to listen on.
        #[arg(long, value_name = "HOST:PORT")]
        addr: Option<String>,
    },
    /// Apply database migrations.
    Migrate,
    /// Import interchange JSON Lines, OCDS tenders or organisations CSV, all or nothing.
    Import {
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Export everything in the interchange format.
    Export {
        #[arg(long, value_enum, default_value_t = ExportFormat::Jsonl)]
        format: ExportFormat,
        /// Write to this file instead of standard output.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Rebuild the search index from the database.
    Reindex,
    /// Load the demo world and the demo accounts into the store.
    Demo,
    /// Manage accounts.
    User {
        #[command(subcommand)]
        action: UserAction,
    },
    /// Manage API tokens.
    Token {
        #[command(subcommand)]
        action: TokenAction,
    },
    /// Print the audit log as JSON Lines, newest first.
    Audit {
        /// Only events about records of this kind (organisation, opportunity, user, token…).
        #[arg(long)]
        kind: Option<String>,
        /// Only events about this record id.
        #[arg(long)]
        record: Option<String>,
        /// Only events by this actor (`user:ID`, `cli:NAME`).
        #[arg(long)]
        actor: Option<String>,
    },
    /// Write a consistent copy of the whole store to FILE (gzip JSON Lines), while it serves.
    Backup {
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
    /// Restore the store from a backup; refuses a store that holds data unless --force.
    Restore {
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// Replace whatever the store holds.
        #[arg(long)]
        force: bool,
    },
    /// Measure hcx on generated data, in a fresh temporary SQLite store unless --db is given.
    Bench {
        #[command(subcommand)]
        scenario: Scenario,
    },
    /// Measure matchmaking against the labelled set (data/eval), beside plain
    /// BM25, in a fresh temporary store.
    Eval {
        #[arg(value_enum)]
        what: EvalWhat,
        /// Also print each case: for matching, each need's NDCG@5 of hcx
        /// and BM25 and hcx's top five with their grades (x: kept out by a
        /// hard rule); for screening, each query that went wrong.
        #[arg(long)]
        cases: bool,
        /// Screening: the score at which a result is a match.
        #[arg(long, default_value_t = hcx_domain::screening::score::DEFAULT_THRESHOLD)]
        threshold: f64,
    },
    /// Rank the providers for an opportunity (or the opportunities for a
    /// provider), with the features of each score and those the hard rules keep out.
    Match {
        /// Rank the providers for this opportunity.
        #[arg(
            long,
            value_name = "ID",
            required_unless_present = "provider",
            conflicts_with = "provider"
        )]
        opportunity: Option<String>,
        /// Rank the published opportunities for this provider instead.
        #[arg(long, value_name = "ID")]
        provider: Option<String>,
        /// How many providers to list.
        #[arg(long, default_value_t = 10)]
        top: usize,
        #[arg(long, value_enum, default_value_t = MatchFormat::Table)]
        format: MatchFormat,
    },
    /// Suggest long-term twinning partners for a UK provider (overseas
    /// buyers) or an overseas buyer (UK providers), with the parts of each
    /// score and where interest stands.
    Twinning {
        /// The provider or buyer to suggest partners for.
        #[arg(long, value_name = "ID")]
        organisation: String,
        /// How many partners to list (those with interest either way come too).
        #[arg(long, default_value_t = 10)]
        top: usize,
        #[arg(long, value_enum, default_value_t = MatchFormat::Table)]
        format: MatchFormat,
    },
    /// Screening lists: `hcx lists` shows them, `hcx lists import` replaces one.
    Lists {
        #[command(subcommand)]
        action: Option<crate::screen_cli::ListsAction>,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Screen names against a list: one with --name, or many from a file.
    Screen(crate::screen_cli::ScreenArgs),
    /// Due-diligence cases: `hcx cases` lists them, `hcx cases show ID` prints one.
    Cases(crate::cases_cli::CasesArgs),
    /// Quotes: `hcx quote price --input FILE` prices without storing;
    /// `list`, `show`, `create`, `issue` and `reinvestment` use the database.
    Quote(crate::quote_cli::QuoteArgs),
    /// Consortia for bundled opportunities.
    Consortium {
        #[command(subcommand)]
        action: ConsortiumAction,
    },
    /// Alerts of new opportunities.
    Alerts {
        #[command(subcommand)]
        action: AlertsAction,
    },
    /// List records.
    List {
        #[arg(value_enum)]
        what: ListWhat,
        /// Only organisations of this kind (provider, buyer, partner, network, agency, post).
        #[arg(long)]
        kind: Option<String>,
        /// Only opportunities with this status.
        #[arg(long)]
        status: Option<String>,
        #[arg(long, default_value_t = 100)]
        limit: i64,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
}

#[derive(Debug, Subcommand)]
enum UserAction {
    /// Add an account. Without a password, prints a one-time link to set one.
    Add {
        #[arg(long)]
        email: String,
        /// admin, adviser, post, provider, buyer or network.
        #[arg(long)]
        role: String,
        #[arg(long, default_value = "")]
        name: String,
        /// An organisation the person acts for (repeat for several).
        #[arg(long = "organisation", value_name = "ID")]
        organisations: Vec<String>,
        /// Read the password from standard input (one line).
        #[arg(long)]
        password_stdin: bool,
    },
    /// List accounts.
    List {
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Disable an account (by e-mail or id) and end its sessions.
    Disable { user: String },
    /// Enable a disabled account.
    Enable { user: String },
    /// Print a one-time password reset link path for an account.
    Reset { user: String },
}

#[derive(Debug, Subcommand)]
enum ConsortiumAction {
    /// The best team for a bundled opportunity: each requirement given to a
    /// member whose offer delivers it, within its days, one lead; or which
    /// requirement no team can cover, and why.
    Plan {
        #[arg(long, value_name = "ID")]
        opportunity: String,
        /// Most members in the team.
        #[arg(long, default_value_t = crate::services::consortium::DEFAULT_MAX_MEMBERS)]
        max_members: usize,
        /// Seconds the solver may take; past them, the best team found so
        /// far and how far from the best it may be.
        #[arg(long, value_name = "SECONDS", default_value_t = hcx_domain::consortium::DEFAULT_TIME_LIMIT.as_secs_f64())]
        time_limit: f64,
        /// microlp (pure Rust), or highs in a build with the feature `highs`.
        #[arg(long, default_value = "microlp")]
        solver: hcx_domain::consortium::SolverKind,
        #[arg(long, value_enum, default_value_t = MatchFormat::Table)]
        format: MatchFormat,
    },
    /// Propose the planned team as the agency: each member's parts priced,
    /// the revenue shared in proportion, every member asked to accept.
    Propose {
        #[arg(long, value_name = "ID")]
        opportunity: String,
        /// Most members in the team.
        #[arg(long, default_value_t = crate::services::consortium::DEFAULT_MAX_MEMBERS)]
        max_members: usize,
        /// What the members should know.
        #[arg(long, default_value = "")]
        note: String,
        #[arg(long, value_enum, default_value_t = MatchFormat::Table)]
        format: MatchFormat,
    },
    /// The proposed consortia, most recently changed first.
    List {
        /// Only those for this opportunity.
        #[arg(long, value_name = "ID")]
        opportunity: Option<String>,
    },
    /// One consortium: its members, their parts, shares and answers.
    Show {
        id: String,
        #[arg(long, value_enum, default_value_t = MatchFormat::Table)]
        format: MatchFormat,
    },
}

#[derive(Debug, Subcommand)]
enum AlertsAction {
    /// Run the due jobs (alert fan-out, daily digests) once, as a cron job would.
    Run,
}

#[derive(Debug, Subcommand)]
enum TokenAction {
    /// Create a token for an account; the token is printed once.
    Create {
        /// The account (e-mail or id).
        #[arg(long)]
        user: String,
        #[arg(long)]
        name: String,
        /// Limit the token to one of the account's organisations.
        #[arg(long)]
        organisation: Option<String>,
        /// Expire after this many days.
        #[arg(long)]
        expires_in_days: Option<u32>,
    },
    /// Revoke a token by its id.
    Revoke { id: String },
    /// List every token.
    List {
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
}

#[derive(Debug, Subcommand)]
enum Scenario {
    /// Import generated opportunities and report the throughput.
    Import {
        #[arg(long, default_value_t = 100_000)]
        opportunities: usize,
    },
    /// Import generated opportunities, then time filtered searches over them.
    Search {
        #[arg(long, default_value_t = 100_000)]
        opportunities: usize,
        #[arg(long, default_value_t = 2_000)]
        queries: usize,
    },
    /// Serve on loopback and time pages and API lists read while generated opportunities are imported.
    Load {
        /// Opportunities imported while the clients read.
        #[arg(long, default_value_t = 20_000)]
        opportunities: usize,
        /// Concurrent keep-alive connections.
        #[arg(long, default_value_t = 16)]
        clients: usize,
        /// How long the clients read, whether or not the import is over.
        #[arg(long, default_value_t = 10)]
        seconds: u64,
    },
    /// Import a generated world and subscriptions, then time the alert
    /// fan-out (subscribers found, notifications and e-mails written) of
    /// opportunities published one at a time.
    Alerts {
        #[arg(long, default_value_t = 10_000)]
        providers: usize,
        #[arg(long, default_value_t = 30_000)]
        offers: usize,
        /// Half saved searches, half "anything that fits my offers".
        #[arg(long, default_value_t = 10_000)]
        subscriptions: usize,
        /// Opportunities published one after another for the figures.
        #[arg(long, default_value_t = 20)]
        opportunities: usize,
    },
    /// Time screening against the OFAC sample (one query at a time, then a
    /// batch on all cores), and the index of a generated list at scale.
    Screen {
        #[arg(long, default_value_t = 10_000)]
        queries: usize,
        /// Entities of the generated list (0: skip it).
        #[arg(long, default_value_t = 1_000_000)]
        generated: usize,
    },
    /// The consortium optimiser on generated bundles (50, 200 and 1,000
    /// candidates × 10, 20 and 30 requirements): instances proven optimal
    /// within the time limit, time to the optimum, and the gap where stopped;
    /// microlp, and HiGHS in a build with the feature `highs`.
    Consortium {
        /// Instances of each size.
        #[arg(long, default_value_t = 5)]
        instances: usize,
        /// Seconds each solve may take.
        #[arg(long, value_name = "SECONDS", default_value_t = hcx_domain::consortium::DEFAULT_TIME_LIMIT.as_secs_f64())]
        time_limit: f64,
    },
    /// Import a generated world of providers, offers and needs, then time the
    /// providers ranked for one opportunity, and for every opportunity on all cores.
    Match {
        #[arg(long, default_value_t = 10_000)]
        providers: usize,
        #[arg(long, default_value_t = 30_000)]
        offers: usize,
        #[arg(long, default_value_t = 10_000)]
        opportunities: usize,
        /// Opportunities ranked one at a time for the latency figures.
        #[arg(long, default_value_t = 500)]
        queries: usize,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum EvalWhat {
    /// NDCG@5, NDCG@10, precision@3 and rule violations in the top 5.
    Match,
    /// Precision, recall and F1 of screening on the labelled queries
    /// (data/screening) against the OFAC sample.
    Screen,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum MatchFormat {
    Table,
    Json,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ExportFormat {
    Jsonl,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ListWhat {
    Organisations,
    Offers,
    Opportunities,
}

/// Prints a report as indented JSON when that is the format asked for, and
/// says whether it did.
fn print_json(
    out: &mut impl Write,
    format: MatchFormat,
    report: &impl serde::Serialize,
) -> anyhow::Result<bool> {
    if let MatchFormat::Json = format {
        serde_json::to_writer_pretty(&mut *out, report)?;
        writeln!(out)?;
        return Ok(true);
    }
    Ok(false)
}

fn print_match(
    report: &crate::services::matching::MatchReport,
    format: MatchFormat,
) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    if print_json(&mut out, format, report)? {
        return Ok(());
    }
    let need = &report.need;
    writeln!(
        out,
        "opportunity {}: specialties [{}], service lines [{}]{}",
        report.opportunity,
        need.specialties.join(" "),
        need.service_lines.join(" "),
        if need.inferred {
            " (read in its text)"
        } else {
            ""
        }
    )?;
    print_ranking(
        &mut out,
        ["provider", "kept out by the rules"],
        report
            .matches
            .iter()
            .map(|m| (m.provider.as_str(), m.offer.as_str(), &m.fit)),
        report
            .excluded
            .iter()
            .map(|e| (e.provider.as_str(), &e.exclusion)),
    )
}

fn print_provider_match(
    report: &crate::services::matching::ProviderReport,
    format: MatchFormat,
) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    if print_json(&mut out, format, report)? {
        return Ok(());
    }
    writeln!(out, "opportunities for provider {}", report.provider)?;
    print_ranking(
        &mut out,
        ["opportunity", "ruled out by its own rules"],
        report
            .matches
            .iter()
            .map(|m| (m.opportunity.as_str(), m.offer.as_str(), &m.fit)),
        report
            .excluded
            .iter()
            .map(|e| (e.opportunity.as_str(), &e.exclusion)),
    )
}

/// A ranking as tables: each ranked key (a provider, an opportunity) with
/// its offer, score and strongest reasons; then, under their heading, the
/// keys the rules keep out.
fn print_ranking<'a>(
    out: &mut impl Write,
    [key, excluded_heading]: [&str; 2],
    ranked: impl Iterator<Item = (&'a str, &'a str, &'a hcx_domain::matching::Match)>,
    excluded: impl Iterator<Item = (&'a str, &'a hcx_domain::matching::Exclusion)>,
) -> anyhow::Result<()> {
    let mut t = Table::new(&["rank", key, "offer", "score", "why"]);
    for (i, (id, offer, fit)) in ranked.enumerate() {
        t.row([
            (i + 1).to_string(),
            id.to_owned(),
            offer.to_owned(),
            format!("{:.2}", fit.score),
            strongest_reasons(fit),
        ]);
    }
    t.print(Format::Table, out)?;
    let mut t = Table::new(&[key, "rule", "reason"]);
    let mut any = false;
    for (id, e) in excluded {
        any = true;
        t.row([id.to_owned(), e.rule.to_string(), e.reason.clone()]);
    }
    if any {
        writeln!(out, "\n{excluded_heading}:")?;
        t.print(Format::Table, out)?;
    }
    Ok(())
}

fn print_twinning(
    report: &crate::services::twinning::TwinningReport,
    format: MatchFormat,
) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    if print_json(&mut out, format, report)? {
        return Ok(());
    }
    writeln!(out, "twinning partners for {}", report.organisation)?;
    let mut t = Table::new(&["rank", "partner", "name", "score", "interest", "why"]);
    for (i, s) in report.suggestions.iter().enumerate() {
        let interest = match (s.interest_from_us, s.interest_from_them) {
            (true, true) => "double match",
            (true, false) => "ours",
            (false, true) => "theirs",
            (false, false) => "",
        };
        t.row([
            (i + 1).to_string(),
            s.partner.clone(),
            s.name.clone(),
            format!("{:.2}", s.fit.score),
            interest.to_owned(),
            strongest_reasons(&s.fit),
        ]);
    }
    t.print(Format::Table, &mut out)?;
    Ok(())
}

/// A proposed consortium: its standing, then each member's place.
fn print_proposal(
    c: &hcx_domain::agreement::Consortium,
    format: MatchFormat,
) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    if print_json(&mut out, format, c)? {
        return Ok(());
    }
    writeln!(
        out,
        "{} for {}: {}, version {}, priced at £{}",
        c.id,
        c.opportunity,
        c.standing.as_str(),
        c.version,
        hcx_domain::money::group_thousands(c.price_pence(), 2)
    )?;
    let mut t = Table::new(&[
        "member",
        "lead",
        "parts",
        "days",
        "priced part",
        "share",
        "answer",
        "note",
    ]);
    for m in &c.members {
        t.row([
            m.provider.to_string(),
            if m.lead { "lead" } else { "" }.to_owned(),
            m.parts
                .iter()
                .map(|p| p.requirement.as_str())
                .collect::<Vec<_>>()
                .join(" "),
            m.parts.iter().map(|p| p.days).sum::<u32>().to_string(),
            format!(
                "£{}",
                hcx_domain::money::group_thousands(m.contribution_pence, 2)
            ),
            format!("{}.{:02}%", m.share_bp / 100, m.share_bp % 100),
            m.answer.as_str().to_owned(),
            m.note.clone(),
        ]);
    }
    t.print(Format::Table, &mut out)?;
    Ok(())
}

/// The three features that add most to a score, in words.
fn print_consortium(
    report: &crate::services::consortium::ConsortiumReport,
    format: MatchFormat,
) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    if print_json(&mut out, format, report)? {
        return Ok(());
    }
    let plan = &report.plan;
    let stopped = match (plan.status, plan.gap, plan.bound) {
        (hcx_domain::consortium::Status::TimeLimit, Some(gap), Some(bound)) => {
            format!(", gap {:.2}% to the bound {bound:.3}", gap * 100.0)
        }
        _ => String::new(),
    };
    writeln!(
        out,
        "{}: {:?}, objective {:.3}{stopped} (at most {} members, {})",
        report.opportunity, plan.status, plan.objective, report.max_members, report.solver
    )?;
    let mut t = Table::new(&["member", "lead", "requirement", "offer", "days", "fit"]);
    for m in &plan.members {
        for a in &m.assignments {
            t.row([
                m.provider.clone(),
                if m.lead { "lead" } else { "" }.to_owned(),
                a.requirement.clone(),
                a.offer.clone(),
                a.days.to_string(),
                format!("{:.3}", a.fit),
            ]);
        }
    }
    if !plan.members.is_empty() {
        t.print(Format::Table, &mut out)?;
    }
    for u in &plan.uncovered {
        writeln!(out, "cannot cover {}: {}", u.requirement, u.reason)?;
    }
    Ok(())
}

fn strongest_reasons(fit: &hcx_domain::matching::Match) -> String {
    let mut features = fit.features.clone();
    features.sort_by(|a, b| b.contribution.total_cmp(&a.contribution));
    features
        .iter()
        .take(3)
        .map(|f| f.reason.clone())
        .collect::<Vec<_>>()
        .join("; ")
}

async fn user(app: &App, action: UserAction) -> anyhow::Result<()> {
    let cli = Caller::command_line();
    match action {
        UserAction::Add {
            email,
            role,
            name,
            organisations,
            password_stdin,
        } => {
            let password = if password_stdin {
                let mut line = String::new();
                std::io::stdin()
                    .read_line(&mut line)
                    .context("cannot read the password from standard input")?;
                Some(line.trim_end_matches(['\r', '\n']).to_owned())
            } else {
                None
            };
            let user = app
                .add_user(
                    &cli,
                    &email,
                    &name,
                    &role,
                    &organisations,
                    password.as_deref(),
                )
                .await?;
            println!("account {} added for {}", user.id, user.email);
            if password.is_none() {
                let token = app.issue_reset(&cli, &user.id).await?;
                println!("they set their password at /reset/{token} (valid for 24 hours)");
            }
            Ok(())
        }
        UserAction::List { format } => {
            let mut t = Table::new(&["id", "email", "name", "role", "organisations", "state"]);
            for u in app.users(&cli).await? {
                let state = if u.disabled_at.is_some() {
                    "disabled"
                } else {
                    "active"
                };
                t.row([
                    u.id,
                    u.email,
                    u.name,
                    u.role,
                    u.organisations.join(" "),
                    state.to_owned(),
                ]);
            }
            t.print(format, &mut std::io::stdout().lock())?;
            Ok(())
        }
        UserAction::Disable { user } => {
            let u = app.set_user_disabled(&cli, &user, true).await?;
            println!("{} disabled; their sessions have ended", u.email);
            Ok(())
        }
        UserAction::Enable { user } => {
            let u = app.set_user_disabled(&cli, &user, false).await?;
            println!("{} enabled", u.email);
            Ok(())
        }
        UserAction::Reset { user } => {
            let token = app.issue_reset(&cli, &user).await?;
            println!("/reset/{token} (valid for 24 hours, once)");
            Ok(())
        }
    }
}

async fn token(app: &App, action: TokenAction) -> anyhow::Result<()> {
    let cli = Caller::command_line();
    match action {
        TokenAction::Create {
            user,
            name,
            organisation,
            expires_in_days,
        } => {
            let issued = app
                .create_token(&cli, &user, &name, organisation.as_deref(), expires_in_days)
                .await?;
            eprintln!(
                "token {} created; it is shown once, keep it safe:",
                issued.token.id
            );
            println!("{}", issued.secret);
            Ok(())
        }
        TokenAction::Revoke { id } => {
            app.revoke_token(&cli, &id).await?;
            println!("token {id} revoked");
            Ok(())
        }
        TokenAction::List { format } => {
            let mut t = Table::new(&["id", "user", "name", "role", "organisation", "state"]);
            for k in app.tokens(&cli, true).await? {
                let state = if k.revoked_at.is_some() {
                    "revoked"
                } else {
                    "active"
                };
                t.row([
                    k.id,
                    k.user_id,
                    k.name,
                    k.role,
                    k.organisation_id.unwrap_or_default(),
                    state.to_owned(),
                ]);
            }
            t.print(format, &mut std::io::stdout().lock())?;
            Ok(())
        }
    }
}

/// Runs the command line; errors go to standard error with a non-zero exit.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        // The reader went away (`hcx eval match --cases | head`): done.
        Err(e)
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) =>
        {
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            if let Some(ServiceError::Refused(errors)) = e.downcast_ref::<ServiceError>() {
                for error in errors {
                    eprintln!("  {error}");
                }
            }
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let mut config = Config::load(cli.config.as_deref())?;
    if let Some(db) = &cli.db {
        config.set_database_url(db);
    }
    crate::telemetry::init(config.log_json);
    match cli.command {
        Command::Serve { demo, addr } => {
            if let Some(addr) = addr {
                config.addr = parse_addr(&addr)?;
            }
            crate::server::serve(&config, demo).await
        }
        Command::Migrate => {
            let store = hcx_store::Store::connect(&config.database_url).await?;
            let ran = store.migrate().await?;
            println!("{ran} migration(s) applied");
            Ok(())
        }
        Command::Import { files, format } => {
            let mut sources = Vec::new();
            for path in &files {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("cannot read {}", path.display()))?;
                sources.push(Source {
                    name: path.display().to_string(),
                    text,
                });
            }
            let app = App::open(&config).await?;
            let report = with_progress(async |progress| {
                app.import(&Caller::command_line(), &sources, progress)
                    .await
            })
            .await?;
            print_import(&report, format)
        }
        Command::Export {
            format: ExportFormat::Jsonl,
            out,
        } => {
            let store = hcx_store::Store::connect(&config.database_url).await?;
            store.migrate().await?;
            let mut writer: Box<dyn Write + Send> = match &out {
                Some(path) => Box::new(BufWriter::new(
                    std::fs::File::create(path)
                        .with_context(|| format!("cannot create {}", path.display()))?,
                )),
                None => Box::new(BufWriter::new(std::io::stdout())),
            };
            // A reader that stops early (`hcx export | head`) is not an error.
            let mut closed = false;
            let written = store
                .export(|line| {
                    writeln!(writer, "{line}")
                        .inspect_err(|e| closed = e.kind() == std::io::ErrorKind::BrokenPipe)
                })
                .await;
            if closed {
                return Ok(());
            }
            let n = written?;
            writer.flush()?;
            if let Some(path) = out {
                eprintln!("{n} records written to {}", path.display());
            }
            Ok(())
        }
        Command::Reindex => {
            let app = App::open(&config).await?;
            let n = app.rebuild_index().await?;
            println!("{n} documents indexed");
            Ok(())
        }
        Command::Demo => {
            let app = App::open(&config).await?;
            let report =
                with_progress(async |progress| crate::demo::load(&app, progress).await).await?;
            let added = crate::demo::add_accounts(&app).await?;
            crate::demo::add_twinning_interest(&app).await?;
            let cases = crate::demo::add_diligence(&app).await?;
            let consortia = crate::demo::add_consortium(&app).await?;
            let quotes = crate::demo::add_quote(&app).await?;
            print_import(&report, Format::Table)?;
            println!("{added} demo account(s) added");
            println!("{cases} demo due-diligence case(s) opened");
            println!("{consortia} demo consortium proposed");
            println!("{quotes} demo quote(s) issued");
            Ok(())
        }
        Command::Eval {
            what: EvalWhat::Screen,
            cases,
            threshold,
        } => {
            let report = crate::eval_screen::run(threshold)?;
            let mut out = std::io::stdout().lock();
            write!(out, "{report}")?;
            if cases {
                writeln!(
                    out,
                    "\nquery  variation              name                         expected    got"
                )?;
                for mistake in &report.mistakes {
                    writeln!(out, "{mistake}")?;
                }
            }
            Ok(())
        }
        Command::Eval {
            what: EvalWhat::Match,
            cases,
            ..
        } => {
            let scratch = tempfile::tempdir()?;
            config.set_database_url(&scratch.path().join("eval.db").display().to_string());
            config.index_dir = scratch.path().join("index");
            let app = App::open(&config).await?;
            let report = crate::eval::run(&app).await?;
            let mut out = std::io::stdout().lock();
            write!(out, "{report}")?;
            if cases {
                writeln!(
                    out,
                    "\nneed     kind       NDCG@5 hcx / BM25  hcx's top five (provider:grade)"
                )?;
                for case in &report.cases {
                    writeln!(out, "{case}")?;
                }
            }
            Ok(())
        }
        Command::Match {
            opportunity,
            provider,
            top,
            format,
        } => {
            let app = App::open(&config).await?;
            let cli = Caller::command_line();
            match (opportunity, provider) {
                (Some(opportunity), _) => {
                    let report = app.match_opportunity(&cli, &opportunity, top).await?;
                    print_match(&report, format)
                }
                (None, Some(provider)) => {
                    let report = app.match_provider(&cli, &provider, top).await?;
                    print_provider_match(&report, format)
                }
                (None, None) => anyhow::bail!("give --opportunity ID or --provider ID"),
            }
        }
        Command::Twinning {
            organisation,
            top,
            format,
        } => {
            let app = App::open(&config).await?;
            let report = app
                .twinning(&Caller::command_line(), &organisation, top)
                .await?;
            print_twinning(&report, format)
        }
        Command::Consortium {
            action:
                ConsortiumAction::Plan {
                    opportunity,
                    max_members,
                    time_limit,
                    solver,
                    format,
                },
        } => {
            let time_limit = std::time::Duration::try_from_secs_f64(time_limit)
                .map_err(|_| anyhow::anyhow!("--time-limit: a number of seconds, 0 or more"))?;
            let app = App::open(&config).await?;
            let solving = hcx_domain::consortium::Solving { solver, time_limit };
            let report = app
                .plan_consortium_with(&Caller::command_line(), &opportunity, max_members, solving)
                .await?;
            print_consortium(&report, format)
        }
        Command::Consortium {
            action:
                ConsortiumAction::Propose {
                    opportunity,
                    max_members,
                    note,
                    format,
                },
        } => {
            let app = App::open(&config).await?;
            let c = app
                .propose_consortium(&Caller::command_line(), &opportunity, max_members, &note)
                .await?;
            print_proposal(&c, format)
        }
        Command::Consortium {
            action: ConsortiumAction::List { opportunity },
        } => {
            let app = App::open_without_index(&config).await?;
            let query = crate::services::consortium::ConsortiumQuery { opportunity };
            let page = app
                .consortia(&Caller::command_line(), &query, 0, i64::MAX)
                .await?;
            let mut t = Table::new(&[
                "consortium",
                "opportunity",
                "standing",
                "accepted",
                "members",
                "changed",
            ]);
            for c in &page.items {
                t.row([
                    c.id.clone(),
                    c.opportunity.to_string(),
                    c.standing.as_str().to_owned(),
                    c.members
                        .iter()
                        .filter(|m| m.answer == hcx_domain::agreement::Answer::Accepted)
                        .count()
                        .to_string(),
                    c.members.len().to_string(),
                    crate::web::api::rfc3339(c.updated_at),
                ]);
            }
            t.print(Format::Table, &mut std::io::stdout().lock())?;
            Ok(())
        }
        Command::Consortium {
            action: ConsortiumAction::Show { id, format },
        } => {
            let app = App::open_without_index(&config).await?;
            let c = app.consortium(&Caller::command_line(), &id).await?;
            print_proposal(&c, format)
        }
        Command::Alerts {
            action: AlertsAction::Run,
        } => {
            let app = App::open(&config).await?;
            let run = app.run_due_jobs(crate::services::accounts::now()).await?;
            println!("{} job(s) done, {} failed", run.done, run.failed);
            if run.failed > 0 {
                anyhow::bail!(
                    "{} job(s) failed; they will be tried again later",
                    run.failed
                );
            }
            Ok(())
        }
        Command::Lists { action, format } => {
            crate::screen_cli::lists(&App::open_without_index(&config).await?, action, format).await
        }
        Command::Screen(args) => {
            crate::screen_cli::screen(&App::open_without_index(&config).await?, args).await
        }
        Command::Cases(args) => {
            crate::cases_cli::cases(&App::open_without_index(&config).await?, args).await
        }
        Command::Quote(args) if crate::quote_cli::needs_store(&args) => {
            crate::quote_cli::quote(&App::open_without_index(&config).await?, args).await
        }
        Command::Quote(args) => crate::quote_cli::price_only(args),
        Command::User { action } => user(&App::open_without_index(&config).await?, action).await,
        Command::Token { action } => token(&App::open_without_index(&config).await?, action).await,
        Command::Audit {
            kind,
            record,
            actor,
        } => {
            let app = App::open_without_index(&config).await?;
            let filter = hcx_store::AuditFilter {
                kind,
                record_id: record,
                actor_id: actor,
                before_seq: None,
            };
            let mut out = BufWriter::new(std::io::stdout());
            out.write_all(
                app.export_audit(&Caller::command_line(), &filter)
                    .await?
                    .as_bytes(),
            )?;
            out.flush()?;
            Ok(())
        }
        Command::Backup { file } => {
            let store = hcx_store::Store::connect(&config.database_url).await?;
            store.migrate().await?;
            let out = std::fs::File::create(&file)
                .with_context(|| format!("cannot create {}", file.display()))?;
            let summary = store.backup(BufWriter::new(out)).await?;
            eprintln!("{} rows backed up to {}", summary.rows(), file.display());
            Ok(())
        }
        Command::Restore { file, force } => {
            let store = hcx_store::Store::connect(&config.database_url).await?;
            store.migrate().await?;
            let input = std::fs::File::open(&file)
                .with_context(|| format!("cannot open {}", file.display()))?;
            let summary = store.restore(std::io::BufReader::new(input), force).await?;
            eprintln!("{} rows restored from {}", summary.rows(), file.display());
            // The restored log ends where the backup was taken; the restore follows it.
            store
                .log_event(
                    &Caller::command_line().author(),
                    "restore",
                    "store",
                    &file.display().to_string(),
                )
                .await?;
            // The index is a cache of the store: rebuild it from what was restored.
            let app = App::open(&config).await?;
            let n = app.rebuild_index().await?;
            eprintln!("{n} documents indexed");
            Ok(())
        }
        Command::Bench {
            scenario: Scenario::Screen { queries, generated },
        } => {
            println!("{}", crate::bench_screen::run(queries, generated)?);
            Ok(())
        }
        Command::Bench {
            scenario:
                Scenario::Consortium {
                    instances,
                    time_limit,
                },
        } => {
            let time_limit = std::time::Duration::try_from_secs_f64(time_limit)
                .map_err(|_| anyhow::anyhow!("--time-limit: a number of seconds, 0 or more"))?;
            crate::bench_consortium::run(instances, time_limit)
        }
        Command::Bench { scenario } => {
            let scratch = tempfile::tempdir()?;
            if cli.db.is_none() {
                config.set_database_url(&scratch.path().join("bench.db").display().to_string());
            }
            config.index_dir = scratch.path().join("index");
            let app = App::open(&config).await?;
            match scenario {
                Scenario::Import { opportunities } => {
                    println!("{}", crate::bench::import(&app, opportunities).await?);
                }
                Scenario::Search {
                    opportunities,
                    queries,
                } => {
                    crate::bench::import(&app, opportunities).await?;
                    println!("{}", crate::bench::search(&app, queries).await?);
                }
                Scenario::Load {
                    opportunities,
                    clients,
                    seconds,
                } => {
                    let duration = Duration::from_secs(seconds);
                    let report = crate::bench::load(&app, opportunities, clients, duration).await?;
                    println!("{report}");
                }
                Scenario::Alerts {
                    providers,
                    offers,
                    subscriptions,
                    opportunities,
                } => {
                    let report = crate::bench_alerts::fan_out(
                        &app,
                        providers,
                        offers,
                        subscriptions,
                        opportunities,
                        scratch.path().join("outbox"),
                    )
                    .await?;
                    println!("{report}");
                }
                Scenario::Match {
                    providers,
                    offers,
                    opportunities,
                    queries,
                } => {
                    let report =
                        crate::bench::matching(&app, providers, offers, opportunities, queries)
                            .await?;
                    println!("{report}");
                }
                Scenario::Screen { .. } => unreachable!("screening needs no store"),
                Scenario::Consortium { .. } => unreachable!("the optimiser needs no store"),
            }
            Ok(())
        }
        Command::List {
            what,
            kind,
            status,
            limit,
            format,
        } => {
            let store = hcx_store::Store::connect(&config.database_url).await?;
            store.migrate().await?;
            let table = match what {
                ListWhat::Organisations => {
                    let filter = OrganisationFilter {
                        kinds: kind.into_iter().collect(),
                        ..Default::default()
                    };
                    let page = store.list_organisations(&filter, 0, limit).await?;
                    let mut t = Table::new(&[
                        "id", "name", "kind", "sector", "country", "region", "network",
                    ]);
                    for o in page.items.iter().map(|v| &v.record) {
                        t.row([
                            o.id.to_string(),
                            o.name.clone(),
                            o.kind.as_str().into(),
                            o.sector.as_str().into(),
                            o.country.to_string(),
                            o.region.clone().unwrap_or_default(),
                            o.network
                                .as_ref()
                                .map(ToString::to_string)
                                .unwrap_or_default(),
                        ]);
                    }
                    t
                }
                ListWhat::Offers => {
                    let page = store.list_offers(None, 0, limit).await?;
                    let mut t = Table::new(&["id", "provider", "title", "service_lines"]);
                    for o in page.items.iter().map(|v| &v.record) {
                        let lines: Vec<&str> = o.service_lines.iter().map(|s| s.as_str()).collect();
                        t.row([
                            o.id.to_string(),
                            o.provider.to_string(),
                            o.title.clone(),
                            lines.join(";"),
                        ]);
                    }
                    t
                }
                ListWhat::Opportunities => {
                    let filter = OpportunityFilter {
                        statuses: status.into_iter().collect(),
                        ..Default::default()
                    };
                    let page = store.list_opportunities(&filter, 0, limit).await?;
                    let mut t = Table::new(&["id", "buyer", "country", "status", "value", "title"]);
                    for o in page.items.iter().map(|v| &v.record) {
                        t.row([
                            o.id.to_string(),
                            o.buyer.to_string(),
                            o.country.to_string(),
                            o.status.as_str().into(),
                            o.value
                                .as_ref()
                                .map(ToString::to_string)
                                .unwrap_or_default(),
                            o.title.clone(),
                        ]);
                    }
                    t
                }
            };
            table.print(format, &mut std::io::stdout().lock())?;
            Ok(())
        }
    }
}

/// Runs an import with a progress bar when standard error is a terminal.
async fn with_progress(
    job: impl AsyncFnOnce(&mut (dyn FnMut(Progress) + Send)) -> Result<ImportReport, ServiceError>,
) -> Result<ImportReport, ServiceError> {
    let bar = if std::io::stderr().is_terminal() {
        ProgressBar::new(0)
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template(
            "{msg:12} [{bar:40}] {pos}/{len} records ({per_sec}, {eta} left)",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.enable_steady_tick(Duration::from_millis(200));
    bar.set_message("checking");
    let handle = bar.clone();
    let mut callback = move |p| match p {
        Progress::Checked(total) => {
            handle.set_length(total as u64);
            handle.set_message("writing");
        }
        Progress::Written(n) => handle.set_position(n as u64),
        Progress::Indexing => handle.set_message("indexing"),
    };
    let result = job(&mut callback).await;
    bar.finish_and_clear();
    result
}

fn print_import(report: &ImportReport, format: Format) -> anyhow::Result<()> {
    if let Format::Json = format {
        println!("{}", serde_json::to_string_pretty(report)?);
        return Ok(());
    }
    let mut t = Table::new(&["file", "format", "records"]);
    for f in &report.files {
        t.row([f.file.clone(), f.format.to_string(), f.records.to_string()]);
    }
    t.print(format, &mut std::io::stdout().lock())?;
    if let Format::Table = format {
        let s = &report.summary;
        println!(
            "{} created, {} updated, {} unchanged",
            s.created, s.updated, s.unchanged
        );
    }
    Ok(())
}
