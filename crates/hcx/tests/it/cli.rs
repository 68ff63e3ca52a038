//! The `hcx` binary, run as a user would.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn data(file: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../data")
        .join(file)
}

/// Runs hcx in `dir` (where its default index folder goes) against the SQLite file `db`.
fn hcx(dir: &Path, db: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hcx"))
        .current_dir(dir)
        .env_remove("HCX_DATABASE_URL")
        .env_remove("HCX_INDEX_DIR")
        .arg("--db")
        .arg(format!("sqlite://{}", dir.join(db).display()))
        .args(args)
        .output()
        .expect("hcx runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn the_three_ocds_samples_import_and_reimporting_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let files: Vec<String> = [
        "fictional-tender-package-1.1.json",
        "nsw-belmont-hospital-tender.json",
        "uk-contracts-finder-wellbeing-college.json",
    ]
    .iter()
    .map(|f| data(&format!("ocds/{f}")).display().to_string())
    .collect();
    let mut args = vec!["import"];
    args.extend(files.iter().map(String::as_str));
    let first = hcx(dir.path(), "a.db", &args);
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(
        stdout(&first).contains("6 created, 0 updated, 0 unchanged"),
        "{}",
        stdout(&first)
    );
    let again = hcx(dir.path(), "a.db", &args);
    assert!(
        stdout(&again).contains("0 created, 0 updated, 6 unchanged"),
        "{}",
        stdout(&again)
    );
    let listed = hcx(
        dir.path(),
        "a.db",
        &["list", "opportunities", "--format", "json"],
    );
    let rows: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 3);
}

#[test]
fn a_bad_file_exits_non_zero_and_lists_every_bad_line_on_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.jsonl");
    std::fs::write(
        &file,
        "{\"record\":\"organisation\",\"id\":\"A\",\"name\":\"A\",\"kind\":\"buyer\",\"sector\":\"government\",\"country\":\"JO\"}\n\
         {\"record\":\"organisation\",\"id\":\"B\",\"name\":\"B\",\"kind\":\"buyer\",\"sector\":\"government\",\"country\":\"QQ\"}\n\
         not json\n",
    )
    .unwrap();
    let out = hcx(dir.path(), "b.db", &["import", file.to_str().unwrap()]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("line 2: country"), "{err}");
    assert!(err.contains("line 3: not valid JSON"), "{err}");
    let listed = hcx(
        dir.path(),
        "b.db",
        &["list", "organisations", "--format", "csv"],
    );
    assert_eq!(
        stdout(&listed).lines().count(),
        1,
        "only the header: nothing was written"
    );
}

#[test]
fn export_and_import_round_trip_through_files() {
    let dir = tempfile::tempdir().unwrap();
    assert!(hcx(dir.path(), "one.db", &["demo"]).status.success());
    let first = dir.path().join("first.jsonl");
    let out = hcx(
        dir.path(),
        "one.db",
        &[
            "export",
            "--format",
            "jsonl",
            "--out",
            first.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let import = hcx(dir.path(), "two.db", &["import", first.to_str().unwrap()]);
    assert!(import.status.success(), "{}", stderr(&import));
    let second = hcx(dir.path(), "two.db", &["export"]);
    assert_eq!(stdout(&second), std::fs::read_to_string(&first).unwrap());
    let reindex = hcx(dir.path(), "two.db", &["reindex"]);
    assert!(stdout(&reindex).contains("documents indexed"));
}

#[test]
fn organisations_import_from_csv() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("orgs.csv");
    std::fs::write(&file, "id,name,kind,sector,country,network,aliases\nRR8,Leeds Teaching Hospitals NHS Trust,provider,nhs,GB,HI-YH,LTHT;Leeds\n").unwrap();
    let out = hcx(dir.path(), "c.db", &["import", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let listed = hcx(
        dir.path(),
        "c.db",
        &["list", "organisations", "--kind", "provider"],
    );
    assert!(stdout(&listed).contains("Leeds Teaching Hospitals NHS Trust"));
}

#[test]
fn unknown_databases_and_missing_files_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_hcx"))
        .current_dir(dir.path())
        .args(["--db", "mysql://x", "migrate"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(stderr(&out).contains("unsupported database URL"));
    let missing = hcx(dir.path(), "d.db", &["import", "nope.jsonl"]);
    assert!(stderr(&missing).contains("cannot read nope.jsonl"));
}

/// Runs hcx with `input` on standard input.
fn hcx_with_input(dir: &Path, db: &str, args: &[&str], input: &str) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_hcx"))
        .current_dir(dir)
        .env_remove("HCX_DATABASE_URL")
        .env_remove("HCX_INDEX_DIR")
        .arg("--db")
        .arg(format!("sqlite://{}", dir.join(db).display()))
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("hcx runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().expect("hcx ends")
}

#[test]
fn accounts_and_tokens_are_managed_from_the_command_line_and_audited() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let added = hcx_with_input(
        d,
        "a.db",
        &[
            "user",
            "add",
            "--email",
            "Root@Example.org",
            "--role",
            "admin",
            "--password-stdin",
        ],
        "a very long password\n",
    );
    assert!(added.status.success(), "{}", stderr(&added));
    let short = hcx_with_input(
        d,
        "a.db",
        &[
            "user",
            "add",
            "--email",
            "b@example.org",
            "--role",
            "admin",
            "--password-stdin",
        ],
        "short\n",
    );
    assert!(!short.status.success());
    assert!(
        stderr(&short).contains("at least 10 characters"),
        "{}",
        stderr(&short)
    );
    let bad_role = hcx(
        d,
        "a.db",
        &["user", "add", "--email", "c@example.org", "--role", "king"],
    );
    assert!(
        stderr(&bad_role).contains("is not one of admin, adviser"),
        "{}",
        stderr(&bad_role)
    );
    let orphan = hcx(
        d,
        "a.db",
        &[
            "user",
            "add",
            "--email",
            "c@example.org",
            "--role",
            "provider",
        ],
    );
    assert!(
        stderr(&orphan).contains("at least one organisation"),
        "{}",
        stderr(&orphan)
    );

    let invited = hcx(
        d,
        "a.db",
        &[
            "user",
            "add",
            "--email",
            "d@example.org",
            "--role",
            "adviser",
        ],
    );
    assert!(stdout(&invited).contains("/reset/"), "{}", stdout(&invited));

    let token = hcx(
        d,
        "a.db",
        &[
            "token",
            "create",
            "--user",
            "root@example.org",
            "--name",
            "ci",
        ],
    );
    assert!(token.status.success(), "{}", stderr(&token));
    let secret = stdout(&token).trim().to_owned();
    assert!(secret.starts_with("hcx_"), "{secret}");
    let listed = hcx(d, "a.db", &["token", "list", "--format", "csv"]);
    let id = secret.trim_start_matches("hcx_").split('.').next().unwrap();
    assert!(
        stdout(&listed).contains(id) && !stdout(&listed).contains(&secret),
        "the secret is never listed"
    );
    assert!(hcx(d, "a.db", &["token", "revoke", id]).status.success());
    assert!(stdout(&hcx(d, "a.db", &["token", "list"])).contains("revoked"));

    let disabled = hcx(d, "a.db", &["user", "disable", "d@example.org"]);
    assert!(disabled.status.success(), "{}", stderr(&disabled));
    let users = stdout(&hcx(d, "a.db", &["user", "list", "--format", "csv"]));
    assert!(
        users.contains("root@example.org") && users.contains("disabled"),
        "{users}"
    );

    let audit = stdout(&hcx(d, "a.db", &["audit", "--kind", "user"]));
    let actions: Vec<String> = audit
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .map(|e| {
            format!(
                "{} {}",
                e["action"].as_str().unwrap(),
                e["actor_id"].as_str().unwrap()
            )
        })
        .collect();
    assert!(
        actions.iter().any(|a| a.starts_with("disable cli:")),
        "{actions:?}"
    );
    assert!(
        actions
            .iter()
            .filter(|a| a.starts_with("create cli:"))
            .count()
            >= 2,
        "{actions:?}"
    );
    assert!(
        !audit.contains("argon2"),
        "no password hashes in the audit log"
    );
}

#[test]
fn a_backup_restores_into_an_empty_store_and_refuses_a_full_one_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    assert!(hcx(d, "a.db", &["demo"]).status.success());
    let backup = d.join("hcx.backup.gz");
    let taken = hcx(d, "a.db", &["backup", backup.to_str().unwrap()]);
    assert!(taken.status.success(), "{}", stderr(&taken));
    let restored = hcx(d, "b.db", &["restore", backup.to_str().unwrap()]);
    assert!(restored.status.success(), "{}", stderr(&restored));
    assert!(
        stderr(&restored).contains("documents indexed"),
        "{}",
        stderr(&restored)
    );
    let export = |db: &str| stdout(&hcx(d, db, &["export"]));
    assert_eq!(export("a.db"), export("b.db"));
    assert_eq!(
        stdout(&hcx(d, "a.db", &["user", "list", "--format", "csv"])),
        stdout(&hcx(d, "b.db", &["user", "list", "--format", "csv"])),
        "accounts come back too"
    );
    let refused = hcx(d, "b.db", &["restore", backup.to_str().unwrap()]);
    assert!(!refused.status.success());
    assert!(stderr(&refused).contains("--force"), "{}", stderr(&refused));
    let forced = hcx(d, "b.db", &["restore", "--force", backup.to_str().unwrap()]);
    assert!(forced.status.success(), "{}", stderr(&forced));
    let audit = stdout(&hcx(d, "b.db", &["audit", "--kind", "store"]));
    assert!(
        audit.contains("\"action\":\"restore\""),
        "the restore is on record: {audit}"
    );
    let searched = hcx(d, "b.db", &["list", "opportunities", "--format", "csv"]);
    assert!(stdout(&searched).lines().count() > 40);
}

#[test]
fn match_ranks_providers_with_reasons_and_lists_those_the_rules_keep_out() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    assert!(hcx(d, "a.db", &["demo"]).status.success());
    let out = hcx(
        d,
        "a.db",
        &[
            "match",
            "--opportunity",
            "SA-MOH-2027-01",
            "--top",
            "5",
            "--format",
            "json",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(report["opportunity"], "SA-MOH-2027-01");
    let matches = report["matches"].as_array().unwrap();
    assert_eq!(matches.len(), 5);
    let scores: Vec<f64> = matches
        .iter()
        .map(|m| m["score"].as_f64().unwrap())
        .collect();
    assert!(
        scores.windows(2).all(|w| w[0] >= w[1]),
        "best first: {scores:?}"
    );
    assert!(scores.iter().all(|s| (0.0..=1.0).contains(s)));
    for m in matches {
        let features = m["features"].as_array().unwrap();
        let sum: f64 = features
            .iter()
            .map(|f| f["contribution"].as_f64().unwrap())
            .sum();
        assert!((sum - m["score"].as_f64().unwrap()).abs() < 1e-6, "{m}");
        assert!(
            features
                .iter()
                .all(|f| !f["reason"].as_str().unwrap().is_empty())
        );
    }
    let excluded = report["excluded"].as_array().unwrap();
    let saudi_excluders: Vec<&str> = excluded
        .iter()
        .filter(|e| e["rule"] == "excluded_country")
        .map(|e| e["provider"].as_str().unwrap())
        .collect();
    assert!(!saudi_excluders.is_empty(), "{excluded:?}");
    assert!(
        matches
            .iter()
            .all(|m| !saudi_excluders.contains(&m["provider"].as_str().unwrap())),
        "no excluded provider is recommended"
    );
    let table = hcx(d, "a.db", &["match", "--opportunity", "SA-MOH-2027-01"]);
    assert!(
        stdout(&table).contains("kept out by the rules"),
        "{}",
        stdout(&table)
    );
    let for_provider = hcx(
        d,
        "a.db",
        &["match", "--provider", "RR8", "--format", "json"],
    );
    assert!(for_provider.status.success(), "{}", stderr(&for_provider));
    let report: serde_json::Value = serde_json::from_str(&stdout(&for_provider)).unwrap();
    let ruled_out: Vec<&str> = report["excluded"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["rule"].as_str().unwrap())
        .collect();
    assert!(!report["matches"].as_array().unwrap().is_empty());
    assert!(
        report["matches"].as_array().unwrap().iter().all(
            |m| m["opportunity"].is_string() && m["offer"].as_str().unwrap().starts_with("RR8")
        ),
        "{report}"
    );
    assert!(ruled_out.iter().all(|r| !r.is_empty()));
    let neither = hcx(d, "a.db", &["match"]);
    assert!(!neither.status.success());
    let missing = hcx(d, "a.db", &["match", "--opportunity", "NOPE"]);
    assert!(!missing.status.success());
    assert!(
        stderr(&missing).contains("\"NOPE\" was not found"),
        "{}",
        stderr(&missing)
    );
}

#[test]
fn twinning_suggests_partners_best_first_and_the_demo_has_a_double_match() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    assert!(hcx(d, "a.db", &["demo"]).status.success());
    let out = hcx(
        d,
        "a.db",
        &["twinning", "--organisation", "RR8", "--format", "json"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(report["side"], "provider");
    let suggestions = report["suggestions"].as_array().unwrap();
    let scores: Vec<f64> = suggestions
        .iter()
        .map(|s| s["score"].as_f64().unwrap())
        .collect();
    assert!(scores.iter().all(|s| (0.0..=1.0).contains(s)));
    let khcf = suggestions
        .iter()
        .find(|s| s["partner"] == "KHCF")
        .expect("the demo's twinned pair is suggested");
    assert_eq!(khcf["double_match"], true, "{khcf}");
    let table = hcx(d, "a.db", &["twinning", "--organisation", "KHCF"]);
    assert!(
        stdout(&table).contains("double match"),
        "{}",
        stdout(&table)
    );
    let agency = hcx(d, "a.db", &["twinning", "--organisation", "HCUK"]);
    assert!(!agency.status.success());
    assert!(
        stderr(&agency).contains("twinning pairs a UK provider with an overseas buyer"),
        "{}",
        stderr(&agency)
    );
}

#[test]
fn eval_match_scores_hcx_beside_bm25_on_the_labelled_set() {
    let dir = tempfile::tempdir().unwrap();
    let out = hcx(dir.path(), "unused.db", &["eval", "match", "--cases"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let row = |name: &str| -> Vec<f64> {
        let line = text
            .lines()
            .find(|l| l.starts_with(name))
            .unwrap_or_else(|| panic!("no {name} row in {text}"));
        line.split_whitespace()
            .filter_map(|w| w.parse::<f64>().ok())
            .collect()
    };
    // cases, then hcx / BM25 pairs: NDCG@5, NDCG@10, precision@3, violations@5.
    let all = row("all");
    assert_eq!(all[0], 40.0, "{text}");
    let (ndcg5, bm25_ndcg5) = (all[1], all[2]);
    assert!(ndcg5 > bm25_ndcg5, "hcx ahead of BM25: {text}");
    assert!(ndcg5 >= 0.90, "NDCG@5 of at least 0.90: {text}");
    let (free, structured) = (row("free text")[1], row("structured")[1]);
    assert!(
        (free - structured).abs() <= 0.05,
        "free-text needs within 0.05 of structured ones: {text}"
    );
    assert_eq!(
        all[7], 0.0,
        "no provider a rule keeps out is in hcx's top 5: {text}"
    );
    assert!(all[8] > 0.0, "BM25 alone does recommend them: {text}");
    assert_eq!(row("free text")[0], 20.0);
    // Each need on its own line, with hcx's top five and their grades.
    let case = row("EVAL-21");
    assert_eq!(case.len(), 2, "NDCG@5 of hcx and BM25: {text}");
    let line = text.lines().find(|l| l.starts_with("EVAL-21")).unwrap();
    assert_eq!(line.matches(':').count(), 5, "{line}");
}

#[test]
fn accounts_tokens_and_the_audit_log_are_managed_while_a_server_holds_the_index() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    /// Stops the server however the test ends.
    struct Server(std::process::Child);
    impl Drop for Server {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let mut server = Command::new(env!("CARGO_BIN_EXE_hcx"))
        .current_dir(d)
        .env_remove("HCX_DATABASE_URL")
        .env_remove("HCX_INDEX_DIR")
        .args(["--db", &format!("sqlite://{}", d.join("a.db").display())])
        .args(["serve", "--addr", "127.0.0.1:0"])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map(Server)
        .unwrap();
    // Serving once it says so: it holds the index from then on.
    let mut said = std::io::BufReader::new(server.0.stderr.take().unwrap());
    let mut line = String::new();
    while !line.contains("hcx is serving") {
        line.clear();
        let read = std::io::BufRead::read_line(&mut said, &mut line).unwrap();
        assert!(read > 0, "the server stopped before serving");
    }
    let search = hcx(d, "a.db", &["match", "--opportunity", "O1"]);
    assert!(
        stderr(&search).contains("cannot open the search index"),
        "commands that search still need the index: {}",
        stderr(&search)
    );
    let added = hcx(
        d,
        "a.db",
        &[
            "user",
            "add",
            "--email",
            "a@example.org",
            "--role",
            "adviser",
        ],
    );
    assert!(added.status.success(), "{}", stderr(&added));
    let listed = hcx(d, "a.db", &["user", "list"]);
    assert!(
        stdout(&listed).contains("a@example.org"),
        "{}",
        stderr(&listed)
    );
    let token = hcx(
        d,
        "a.db",
        &["token", "create", "--user", "a@example.org", "--name", "ci"],
    );
    assert!(token.status.success(), "{}", stderr(&token));
    let audit = hcx(d, "a.db", &["audit"]);
    assert!(audit.status.success(), "{}", stderr(&audit));
    assert!(
        stdout(&audit).contains("a@example.org"),
        "{}",
        stdout(&audit)
    );
}

#[test]
fn the_ofac_sample_imports_as_a_list_and_names_are_screened_one_or_many() {
    let dir = tempfile::tempdir().unwrap();
    let sample = data("sanctions/ofac_sdn_2024-05-03.ftm.jsonl");
    let sample = sample.to_str().unwrap();
    let imported = hcx(
        dir.path(),
        "s.db",
        &["lists", "import", "--name", "ofac", sample],
    );
    assert!(imported.status.success(), "{}", stderr(&imported));
    assert!(
        stdout(&imported).contains("list ofac is now version 1: 14965 entities"),
        "{}",
        stdout(&imported)
    );
    let again = hcx(
        dir.path(),
        "s.db",
        &[
            "lists",
            "import",
            "--name",
            "ofac",
            "--label",
            "2024-05-03",
            sample,
        ],
    );
    assert!(stdout(&again).contains("version 2"), "{}", stdout(&again));
    let lists = hcx(dir.path(), "s.db", &["lists", "--format", "csv"]);
    assert!(
        stdout(&lists).contains("ofac,2,2024-05-03,14965,"),
        "{}",
        stdout(&lists)
    );

    let one = hcx(
        dir.path(),
        "s.db",
        &[
            "screen",
            "--list",
            "ofac",
            "--name",
            "NASRALLAH, Hassan",
            "--schema",
            "Person",
            "--birth-date",
            "1960-08-31",
        ],
    );
    assert!(one.status.success(), "{}", stderr(&one));
    let first_row = stdout(&one).lines().nth(2).unwrap_or_default().to_owned();
    assert!(
        first_row.contains("MATCH")
            && first_row.contains("ofac-2686")
            && first_row.contains("born on 1960-08-31"),
        "{}",
        stdout(&one)
    );

    let queries = dir.path().join("q.jsonl");
    std::fs::write(
        &queries,
        concat!(
            r#"{"id":"a","schema":"Person","properties":{"name":["Владимир Путин"]}}"#,
            "\n",
            r#"{"id":"b","schema":"Person","properties":{"name":["Margaret Thompson"],"country":["gb"]}}"#,
            "\n",
        ),
    )
    .unwrap();
    let many = hcx(
        dir.path(),
        "s.db",
        &[
            "screen",
            "--list",
            "ofac",
            "--queries",
            queries.to_str().unwrap(),
            "--limit",
            "2",
        ],
    );
    assert!(many.status.success(), "{}", stderr(&many));
    let lines: Vec<serde_json::Value> = stdout(&many)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["query_id"], "a");
    assert_eq!(lines[0]["results"][0]["id"], "ofac-35096");
    assert_eq!(lines[0]["results"][0]["match"], true);
    assert!(lines[0]["results"].as_array().unwrap().len() <= 2);
    assert_eq!(lines[1]["query_id"], "b");
    assert!(
        lines[1]["results"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["match"] == false)
    );

    std::fs::write(
        &queries,
        "{\"id\":\"a\",\"schema\":\"Person\",\"properties\":{}}\n",
    )
    .unwrap();
    let bad = hcx(
        dir.path(),
        "s.db",
        &[
            "screen",
            "--list",
            "ofac",
            "--queries",
            queries.to_str().unwrap(),
        ],
    );
    assert!(!bad.status.success());
    assert!(
        stderr(&bad).contains("line 1: properties.name"),
        "{}",
        stderr(&bad)
    );
    let unknown = hcx(
        dir.path(),
        "s.db",
        &["screen", "--list", "un", "--name", "X"],
    );
    assert!(
        stderr(&unknown).contains("screening list \"un\" was not found"),
        "{}",
        stderr(&unknown)
    );
}

#[test]
fn the_demo_opens_due_diligence_cases_that_hcx_cases_lists_and_shows() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let demo = hcx(d, "a.db", &["demo"]);
    assert!(demo.status.success(), "{}", stderr(&demo));
    assert!(stdout(&demo).contains("2 demo due-diligence case(s) opened"));
    let again = hcx(d, "a.db", &["demo"]);
    assert!(stdout(&again).contains("0 demo due-diligence case(s) opened"));

    let listed = hcx(d, "a.db", &["cases", "--format", "csv"]);
    assert!(listed.status.success(), "{}", stderr(&listed));
    let text = stdout(&listed);
    let rows: Vec<Vec<&str>> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    assert_eq!(rows.len(), 2, "{text}");
    let approved = rows
        .iter()
        .find(|r| r[3] == "approved")
        .expect("an approved case");
    assert_eq!(
        (approved[1], approved[2], approved[5]),
        ("KW-MOH", "RP4", "low")
    );
    assert!(!approved[6].is_empty(), "the approval expires");
    let open = rows.iter().find(|r| r[3] == "open").expect("an open case");

    let shown = hcx(d, "a.db", &["cases", "show", open[0]]);
    assert!(shown.status.success(), "{}", stderr(&shown));
    let text = stdout(&shown);
    assert!(
        text.contains("Khalid Al-Fawaz") && text.contains("AL-FAWAZ"),
        "{text}"
    );
    assert!(text.contains("pending"), "the hit awaits review: {text}");
    let json = hcx(
        d,
        "a.db",
        &["cases", "show", approved[0], "--format", "json"],
    );
    let case: serde_json::Value = serde_json::from_str(&stdout(&json)).unwrap();
    assert_eq!(case["decision"]["outcome"], "approved");
    assert!(
        case["hits"]
            .as_array()
            .unwrap()
            .iter()
            .all(|h| h["verdict"] == "false_positive")
    );
    let only_open = hcx(
        d,
        "a.db",
        &["cases", "--status", "open", "--format", "json"],
    );
    let only_open: serde_json::Value = serde_json::from_str(&stdout(&only_open)).unwrap();
    assert_eq!(only_open.as_array().unwrap().len(), 1);

    let missing = hcx(d, "a.db", &["cases", "show", "DD-NOPE"]);
    assert!(!missing.status.success());
    assert!(
        stderr(&missing).contains("\"DD-NOPE\" was not found"),
        "{}",
        stderr(&missing)
    );
    let bad = hcx(d, "a.db", &["cases", "--status", "closed"]);
    assert!(stderr(&bad).contains("status"), "{}", stderr(&bad));

    // The demo proposes the bundle's team, its lead already agreed.
    assert!(stdout(&demo).contains("1 demo consortium proposed"));
    let listed = hcx(d, "a.db", &["consortium", "list"]);
    assert!(listed.status.success(), "{}", stderr(&listed));
    assert!(
        stdout(&listed).contains("SA-MOH-2027-01-T1"),
        "{}",
        stdout(&listed)
    );
    let shown = hcx(
        d,
        "a.db",
        &[
            "consortium",
            "show",
            "SA-MOH-2027-01-T1",
            "--format",
            "json",
        ],
    );
    let c: serde_json::Value = serde_json::from_str(&stdout(&shown)).unwrap();
    assert_eq!(c["standing"], "proposed");
    let members = c["members"].as_array().unwrap();
    assert_eq!(members[0]["provider"], "RP4");
    assert_eq!(members[0]["answer"], "accepted");
    assert!(members[1..].iter().all(|m| m["answer"] == "pending"));
    let shares: u64 = members
        .iter()
        .map(|m| m["share_bp"].as_u64().unwrap())
        .sum();
    assert_eq!(shares, 10_000);
    let second = hcx(
        d,
        "a.db",
        &[
            "consortium",
            "propose",
            "--opportunity",
            "SA-MOH-2027-01",
            "--max-members",
            "3",
        ],
    );
    assert!(second.status.success(), "{}", stderr(&second));
    assert!(
        stdout(&second).contains("SA-MOH-2027-01-T2 for SA-MOH-2027-01: proposed"),
        "{}",
        stdout(&second)
    );
    let alone = hcx(
        d,
        "a.db",
        &[
            "consortium",
            "propose",
            "--opportunity",
            "SA-MOH-2027-01",
            "--max-members",
            "1",
        ],
    );
    assert!(!alone.status.success());
    assert!(
        stderr(&alone).contains("no team of at most 1"),
        "{}",
        stderr(&alone)
    );
}

#[test]
fn a_reader_that_stops_early_ends_the_output_quietly() {
    use std::process::{Command, Stdio};
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_hcx"))
        .current_dir(dir.path())
        .args(["eval", "match", "--cases"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The reader is gone before the report is written, as `| head -0` would be.
    drop(child.stdout.take());
    let done = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&done.stderr);
    assert!(done.status.success(), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn quote_price_prices_the_example_file_to_the_penny_without_a_database() {
    let dir = tempfile::tempdir().unwrap();
    let example = data("pricing/example_quote.json").display().to_string();
    let table = hcx(dir.path(), "q.db", &["quote", "price", "--input", &example]);
    assert!(table.status.success(), "{}", stderr(&table));
    let text = stdout(&table);
    for needle in [
        "£100,494.55",
        "£83,745.45",
        "£79,558.18",
        "USD 141,384.22",
        "all 40 days away are backfilled",
        "Interim",
    ] {
        assert!(text.contains(needle), "{needle:?} is missing from:\n{text}");
    }
    assert!(
        !dir.path().join("q.db").exists(),
        "pricing alone stores nothing"
    );
    let json = hcx(
        dir.path(),
        "q.db",
        &["quote", "price", "--input", &example, "--format", "json"],
    );
    let priced: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(priced["price_gbp_pence"], 10_049_455);
    assert_eq!(priced["margin_pence"], 1_591_164);

    let bad = dir.path().join("bad.json");
    std::fs::write(
        &bad,
        r#"{"lines": [{"grade": "band_99", "days": -1}], "country": "KW", "currency": "KWD", "partner_type": "government"}"#,
    )
    .unwrap();
    let refused = hcx(
        dir.path(),
        "q.db",
        &["quote", "price", "--input", &bad.display().to_string()],
    );
    assert!(!refused.status.success());
    let err = stderr(&refused);
    assert!(
        err.contains("lines[0].grade") && err.contains("lines[0].days") && err.contains("currency"),
        "{err}"
    );
}

#[test]
fn a_quote_is_created_issued_listed_and_shown_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let demo = hcx(
        dir.path(),
        "q.db",
        &["import", &data("demo/world.jsonl").display().to_string()],
    );
    assert!(demo.status.success(), "{}", stderr(&demo));
    let example = data("pricing/example_quote.json").display().to_string();
    let created = hcx(
        dir.path(),
        "q.db",
        &[
            "quote",
            "create",
            "--provider",
            "RP4",
            "--opportunity",
            "KW-MOH-2026-01",
            "--input",
            &example,
        ],
    );
    assert!(created.status.success(), "{}", stderr(&created));
    let id = stdout(&created).trim().to_owned();
    assert!(id.starts_with("Q-"), "{id}");
    let issued = hcx(dir.path(), "q.db", &["quote", "issue", &id]);
    assert!(
        stdout(&issued).contains("version 1 issued"),
        "{}",
        stderr(&issued)
    );
    let listed = hcx(dir.path(), "q.db", &["quote", "list", "--format", "json"]);
    let rows: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(rows[0]["id"], id.as_str());
    assert_eq!(rows[0]["status"], "issued");
    assert_eq!(rows[0]["price_gbp"], "£100,494.55");
    let shown = hcx(
        dir.path(),
        "q.db",
        &["quote", "show", &id, "--version", "1"],
    );
    assert!(
        stdout(&shown).contains("USD 141,384.22"),
        "{}",
        stderr(&shown)
    );
    let missing = hcx(
        dir.path(),
        "q.db",
        &["quote", "show", &id, "--version", "2"],
    );
    assert!(!missing.status.success());
    let pot = hcx(
        dir.path(),
        "q.db",
        &["quote", "reinvestment", "--provider", "RP4"],
    );
    assert!(stdout(&pot).contains("balance: £0.00"), "{}", stderr(&pot));
}
