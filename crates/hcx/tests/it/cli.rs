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
