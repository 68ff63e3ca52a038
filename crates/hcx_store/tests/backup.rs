//! Backups and restores, on SQLite and on PostgreSQL and from one to the other.

use std::io::{Read, Write};

use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use hcx_domain::Record;
use hcx_store::testing::{self, TestStore};
use hcx_store::{
    AuditFilter, Author, BACKUP_FORMAT, Backend, Expect, NewToken, NewUser, Session, Store,
    StoreError, test_both_backends,
};

fn author() -> Author {
    Author {
        actor_id: "cli:admin".into(),
        actor_name: "admin".into(),
        request_id: None,
    }
}

fn record(line: &str) -> Record {
    Record::parse_line(line).unwrap_or_else(|e| panic!("{line}: {e}"))
}

fn organisation(id: &str, kind: &str) -> Record {
    record(&format!(
        r#"{{"record":"organisation","id":"{id}","name":"Organisation {id} — “quoted”","kind":"{kind}","sector":"nhs","country":"GB","region":"North West"}}"#
    ))
}

fn offer(id: &str, provider: &str) -> Record {
    record(&format!(
        r#"{{"record":"offer","id":"{id}","provider":"{provider}","title":"Oncology nursing {id}","description":"Training.\nTwo lines.","service_lines":["education_training"],"delivery_modes":["in_country"]}}"#
    ))
}

fn strategy(id: &str, provider: &str) -> Record {
    record(&format!(
        r#"{{"record":"strategy","id":"{id}","provider":"{provider}","domestic_status":"green","min_contract_gbp":25000}}"#
    ))
}

fn opportunity(id: &str, status: &str) -> Record {
    record(&format!(
        r#"{{"record":"opportunity","id":"{id}","buyer":"KHCF","country":"JO","title":"Need {id}","description":"A need.","value":{{"amount":1200000,"currency":"JOD"}},"source":"post","status":"{status}"}}"#
    ))
}

fn unpriced_opportunity(id: &str) -> Record {
    record(&format!(
        r#"{{"record":"opportunity","id":"{id}","buyer":"KHCF","country":"JO","title":"Need {id}","description":"A need.","source":"post","status":"draft"}}"#
    ))
}

/// Rows in every table: records (with an update, so versions differ), a user
/// with memberships, a session, a token, a reset link, an introduction, an
/// interest in twinning, a due-diligence case with a notification of a hit
/// and audit events.
async fn populate(store: &Store) {
    let mut records = vec![
        organisation("RR8", "provider"),
        organisation("RBV", "provider"),
        organisation("KHCF", "buyer"),
        offer("RR8-onc", "RR8"),
        strategy("RR8-strategy", "RR8"),
        unpriced_opportunity("O0"),
    ];
    // Enough opportunities to take several insert statements per table.
    records.extend((1..=45).map(|i| opportunity(&format!("O{i:02}"), "published")));
    store.apply(&records, &author()).await.unwrap();
    store
        .put(&opportunity("O01", "closed"), Expect::Version(1), &author())
        .await
        .unwrap();
    store
        .introduce("O02", "RR8", Some("RR8-onc"), Some("oncology"), &author())
        .await
        .unwrap();
    store
        .express_interest("RR8", "KHCF", &author())
        .await
        .unwrap();
    let listed: Vec<hcx_store::ListEntityRow> = (0..25)
        .map(|i| hcx_store::ListEntityRow {
            id: format!("ofac-{i}"),
            body: format!(
                r#"{{"id":"ofac-{i}","schema":"Person","properties":{{"name":["Name {i}"]}}}}"#
            ),
        })
        .collect();
    store
        .replace_list("ofac", "sdn", "digest", &listed, &author())
        .await
        .unwrap();
    store
        .create_user(
            &NewUser {
                id: "u1".into(),
                email: "ada@example.org".into(),
                name: "Ada".into(),
                role: "provider".into(),
                password_hash: Some("$argon2id$stand-in".into()),
                organisations: vec!["RR8".into(), "RBV".into()],
            },
            &author(),
        )
        .await
        .unwrap();
    store
        .create_user(
            &NewUser {
                id: "u2".into(),
                email: "bob@example.org".into(),
                name: "Bob".into(),
                role: "admin".into(),
                password_hash: None,
                organisations: vec![],
            },
            &author(),
        )
        .await
        .unwrap();
    store
        .start_session(
            "session-digest",
            &Session {
                user_id: "u1".into(),
                csrf_token: "csrf".into(),
                created_at: 1_000,
                last_seen_at: 2_000,
                expires_at: 3_000,
            },
            &author(),
        )
        .await
        .unwrap();
    store
        .create_token(
            &NewToken {
                id: "t1".into(),
                user_id: "u1".into(),
                name: "ci".into(),
                secret_hash: "token-digest".into(),
                role: "provider".into(),
                organisation_id: Some("RR8".into()),
                expires_at: None,
            },
            &author(),
        )
        .await
        .unwrap();
    store
        .create_reset("reset-digest", Some("u2"), 9_000, &author())
        .await
        .unwrap();
    store
        .create_reset("setup-digest", None, 9_000, &author())
        .await
        .unwrap();
    store
        .log_event(&author(), "sign_out", "user", "u1")
        .await
        .unwrap();
    store
        .create_subscription(
            &hcx_store::NewSubscription {
                id: "s1".into(),
                user_id: "u1".into(),
                organisation_id: Some("RR8".into()),
                kind: "my_offers".into(),
                query: None,
                cadence: "daily".into(),
                token: "feed-token".into(),
            },
            &author(),
        )
        .await
        .unwrap();
    store
        .add_notifications("O02", &[("u1".into(), "s1".into())], &author())
        .await
        .unwrap();
    diligence_case(store).await;
    accepted_quote(store).await;
}

/// A quote in two versions, issued and accepted (so its profit is credited
/// to the provider's pot), and a spend from the pot.
async fn accepted_quote(store: &Store) {
    use hcx_domain::quote::LedgerKind;
    use hcx_domain::{OpportunityId, OrganisationId, QuoteId};
    use hcx_store::{NewQuote, PricedVersion};

    let figures = |margin: i64| PricedVersion {
        input: r#"{"country":"JO","note":"“quoted”\nline"}"#.into(),
        priced: r#"{"price_gbp_pence":7200000}"#.into(),
        currency: "JOD".into(),
        price_gbp_pence: 7_200_000,
        price_buyer_minor: 6_480_000,
        cost_pence: 7_200_000 - margin,
        margin_pence: margin,
    };
    let new = NewQuote {
        id: QuoteId::parse("Q-1").unwrap(),
        provider: OrganisationId::parse("RR8").unwrap(),
        opportunity: Some(OpportunityId::parse("O01").unwrap()),
        buyer: Some(OrganisationId::parse("KHCF").unwrap()),
        title: "Oncology nurse training".into(),
    };
    let q = store
        .create_quote(&new, &figures(1_000_000), &author())
        .await
        .unwrap();
    let q = store
        .revise_quote(&q.id, q.version, &figures(1_200_000), &author())
        .await
        .unwrap();
    let q = store
        .issue_quote(&q.id, q.version, &author())
        .await
        .unwrap();
    store
        .answer_quote(&q.id, q.version, true, "Agreed.", 2_000, &author())
        .await
        .unwrap();
    store
        .record_reinvestment(
            &new.provider,
            LedgerKind::Spend,
            100_000,
            "Scoping visit.",
            &author(),
        )
        .await
        .unwrap();
}

/// A due-diligence case with a person, a hit on each subject (one reviewed)
/// and an answered checklist.
async fn diligence_case(store: &Store) {
    use hcx_domain::diligence::{
        Answer, CaseEdit, ChecklistAnswer, ChecklistItem, Finding, NewCase, Person, Rating,
        Subject, Verdict,
    };
    use hcx_domain::{CaseId, CountryCode, OrganisationId, PersonId};

    let person = Person {
        id: PersonId::parse("p1").unwrap(),
        name: "Ahmad “Abu Omar” Al-Awadhi".into(),
        role: "Director".into(),
        birth_date: Some("1961".into()),
        country: Some(CountryCode::parse("JO").unwrap()),
    };
    let case = store
        .open_case(
            &NewCase {
                id: CaseId::parse("DD-1").unwrap(),
                partner: OrganisationId::parse("KHCF").unwrap(),
                owner: Some(OrganisationId::parse("RR8").unwrap()),
                people: vec![person.clone()],
            },
            &author(),
        )
        .await
        .unwrap();
    let finding = Finding {
        list_name: "us_ofac_sdn".into(),
        list_version: "20261101".into(),
        entity_id: "ofac-1".into(),
        caption: "AL-AWADHI, Ahmad".into(),
        schema: hcx_domain::screening::entity::Schema::Person,
        topics: vec!["sanction".into()],
        score: 0.8,
    };
    let p1 = Subject::Person(person.id.clone());
    for subject in [&Subject::Organisation, &p1] {
        store
            .record_hits(&case.id, subject, std::slice::from_ref(&finding), &author())
            .await
            .unwrap();
    }
    let case = store
        .mark_hit(
            &case.id,
            3,
            1,
            Verdict::FalsePositive,
            "Another man.",
            &author(),
        )
        .await
        .unwrap();
    let edit = CaseEdit {
        people: vec![person],
        financial_notes: "Pays on time.".into(),
        checklist: vec![ChecklistAnswer {
            item: ChecklistItem::Ethics,
            answer: Answer::Concern,
            note: "Line\nbreaks kept.".into(),
        }],
        rating: Some(Rating::Medium),
        rating_reasons: "One open question.".into(),
    };
    store
        .edit_case(&case.id, case.version, &edit, &author())
        .await
        .unwrap();
    store
        .add_case_notifications(&case.id, &[("u1".into(), 2)], &author())
        .await
        .unwrap();
    populate_consortium(store).await;
}

/// A consortium of Leeds and the Christie for O03, one member answered.
async fn populate_consortium(store: &Store) {
    use hcx_domain::agreement::{Answer, Consortium, Place, PlacePart, Standing};
    use hcx_domain::{OpportunityId, OrganisationId};
    let place = |provider: &str, lead: bool, share_bp: u32| Place {
        provider: OrganisationId::parse(provider).unwrap(),
        lead,
        parts: vec![PlacePart {
            requirement: "R1".into(),
            offer: "RR8-onc".into(),
            days: 90,
            fit: 0.8125,
        }],
        contribution_pence: 4_200_000,
        share_bp,
        answer: Answer::Pending,
        answered_by: None,
        answered_at: None,
        note: String::new(),
    };
    let c = store
        .propose_consortium(
            Consortium {
                id: String::new(),
                opportunity: OpportunityId::parse("O03").unwrap(),
                standing: Standing::Proposed,
                objective: 1.525,
                solver: "microlp".into(),
                members: vec![place("RR8", true, 5_000), place("RBV", false, 5_000)],
                proposed_by: "user:u1".into(),
                note: String::new(),
                agreed_at: None,
                version: 0,
                created_at: 0,
                updated_at: 0,
            },
            &author(),
        )
        .await
        .unwrap();
    store
        .answer_consortium(
            &c.id,
            c.version,
            &OrganisationId::parse("RR8").unwrap(),
            Answer::Accepted,
            "",
            &author(),
        )
        .await
        .unwrap();
}

async fn backup(store: &Store) -> Vec<u8> {
    let mut out = Vec::new();
    store.backup(&mut out).await.unwrap();
    out
}

fn unzip(bytes: &[u8]) -> String {
    let mut text = String::new();
    GzDecoder::new(bytes).read_to_string(&mut text).unwrap();
    text
}

fn zip(text: &str) -> Vec<u8> {
    let mut out = GzEncoder::new(Vec::new(), Compression::fast());
    out.write_all(text.as_bytes()).unwrap();
    out.finish().unwrap()
}

/// Everything a backup holds but its header: the tables as they are.
async fn contents(store: &Store) -> Vec<String> {
    let text = unzip(&backup(store).await);
    text.lines().skip(1).map(str::to_owned).collect()
}

fn header(bytes: &[u8]) -> serde_json::Value {
    let text = unzip(bytes);
    serde_json::from_str(text.lines().next().unwrap()).unwrap()
}

async fn exported(store: &Store) -> Vec<String> {
    let mut out = Vec::new();
    store
        .export(|line| {
            out.push(line.to_owned());
            Ok(())
        })
        .await
        .unwrap();
    out
}

/// A fresh migrated store on the backend given.
async fn fresh(backend: Backend) -> TestStore {
    match backend {
        Backend::Sqlite => testing::sqlite().await,
        Backend::Postgres => testing::postgres()
            .await
            .expect("PostgreSQL ran the first store"),
    }
}

async fn latest_audit(store: &Store) -> i64 {
    store
        .audit_events(&AuditFilter::default(), 1)
        .await
        .unwrap()
        .first()
        .map_or(0, |e| e.seq)
}

/// On PostgreSQL, whether the database still refuses to delete audit events.
async fn audit_log_is_guarded(store: &Store) -> bool {
    store.backend() != Backend::Postgres
        || store
            .execute_unchecked("delete from audit_events")
            .await
            .is_err_and(|e| e.to_string().contains("append-only"))
}

fn is_backup_error(err: &StoreError, needle: &str) -> bool {
    matches!(err, StoreError::Backup(m) if m.contains(needle))
}

test_both_backends!(
    async fn a_restored_store_backs_up_identically(store: &Store) {
        populate(store).await;
        let bytes = backup(store).await;
        let head = header(&bytes);
        assert_eq!(head["format"], BACKUP_FORMAT);
        assert_eq!(head["schema_version"], hcx_store::SCHEMA_VERSION);
        assert!(head["created_at"].as_i64().unwrap() > 0);
        let name = match store.backend() {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        };
        assert_eq!(head["backend"], name);

        let target = fresh(store.backend()).await;
        let summary = target.store.restore(&bytes[..], false).await.unwrap();
        assert_eq!(summary.schema_version, hcx_store::SCHEMA_VERSION);
        assert_eq!(summary.source_backend, name);
        assert_eq!(summary.replaced, 0);
        assert_eq!(summary.tables.len(), 28);
        assert!(
            summary.tables.iter().all(|t| t.rows > 0),
            "every table has rows: {:?}",
            summary.tables
        );

        let again = target.store.backup(Vec::new()).await.unwrap();
        assert_eq!(again.tables, summary.tables, "rows per table");
        assert_eq!(contents(&target.store).await, contents(store).await);
        assert_eq!(exported(&target.store).await, exported(store).await);
        assert_eq!(
            target.store.latest_change().await.unwrap(),
            store.latest_change().await.unwrap()
        );
        let user = target.store.user("u1").await.unwrap().unwrap();
        assert_eq!(user.organisations, ["RBV", "RR8"]);
        assert!(
            target
                .store
                .session("session-digest")
                .await
                .unwrap()
                .is_some()
        );
        assert!(audit_log_is_guarded(&target.store).await);
    }
);

test_both_backends!(
    async fn a_backup_of_an_empty_store_restores_to_an_empty_store(store: &Store) {
        let bytes = backup(store).await;
        let target = fresh(store.backend()).await;
        let summary = target.store.restore(&bytes[..], false).await.unwrap();
        assert_eq!(summary.rows(), 0);
        assert!(target.store.is_empty().await.unwrap());
        let put = target
            .store
            .put(&organisation("RR8", "provider"), Expect::New, &author())
            .await;
        assert!(put.is_ok(), "{put:?}");
        assert_eq!(target.store.latest_change().await.unwrap(), 1);
    }
);

test_both_backends!(
    async fn restoring_over_data_needs_force(store: &Store) {
        populate(store).await;
        let bytes = backup(store).await;
        let target = fresh(store.backend()).await;
        target
            .store
            .apply(&[organisation("OTHER", "buyer")], &author())
            .await
            .unwrap();
        let before = contents(&target.store).await;

        let err = target.store.restore(&bytes[..], false).await.unwrap_err();
        assert!(
            matches!(err, StoreError::Conflict(ref m) if m.contains("--force") && m.contains("organisations")),
            "{err}"
        );
        assert_eq!(contents(&target.store).await, before, "nothing changed");

        let summary = target.store.restore(&bytes[..], true).await.unwrap();
        assert_eq!(
            summary.replaced, 3,
            "an organisation, its change and its event"
        );
        assert_eq!(contents(&target.store).await, contents(store).await);
        assert!(target.store.organisation("OTHER").await.unwrap().is_none());
        assert!(audit_log_is_guarded(&target.store).await);
    }
);

test_both_backends!(
    async fn a_damaged_or_foreign_backup_is_refused_and_changes_nothing(store: &Store) {
        populate(store).await;
        let bytes = backup(store).await;
        let text = unzip(&bytes);
        let lines: Vec<&str> = text.lines().collect();
        let with = |n: usize, replacement: &str| {
            let mut edited = lines.clone();
            edited[n - 1] = replacement;
            zip(&(edited.join("\n") + "\n"))
        };
        let last = lines.len();
        let section = |table: &str| {
            1 + lines
                .iter()
                .position(|l| l.starts_with(&format!(r#"{{"table":"{table}""#)))
                .unwrap()
        };
        let users = section("users");

        let target = fresh(store.backend()).await;
        target
            .store
            .apply(&[organisation("OTHER", "buyer")], &author())
            .await
            .unwrap();
        let before = contents(&target.store).await;

        let header_of = |fields: &str| with(1, fields);
        let cases: Vec<(&str, Vec<u8>, String)> = vec![
            (
                "truncated",
                bytes[..bytes.len() / 2].to_vec(),
                "damaged or incomplete".into(),
            ),
            (
                "trailer cut",
                bytes[..bytes.len() - 4].to_vec(),
                "damaged or incomplete".into(),
            ),
            (
                "not gzip",
                text.as_bytes().to_vec(),
                "not gzip-compressed".into(),
            ),
            ("empty", Vec::new(), "empty".into()),
            (
                "a cut last line",
                with(last, "[\"x\""),
                format!("line {last} of the backup"),
            ),
            (
                "a row of the wrong type",
                with(
                    users + 1,
                    r#"["u1","ada@example.org","Ada","provider",null,null,"zero",null,1,1,1]"#,
                ),
                format!("line {} of the backup", users + 1),
            ),
            (
                "a row too short",
                with(users + 1, r#"["u1"]"#),
                format!("line {} of the backup", users + 1),
            ),
            (
                "a stray value",
                with(2, "42"),
                "line 2 of the backup".into(),
            ),
            (
                "a table out of order",
                with(users, r#"{"table":"sessions","columns":["id_hash"]}"#),
                format!("line {users} of the backup: expected table users"),
            ),
            (
                "an unknown column",
                with(users, &lines[users - 1].replace("\"email\"", "\"e_mail\"")),
                "no column \"e_mail\"".into(),
            ),
            (
                "a missing table",
                zip(&(lines[..users - 1].join("\n") + "\n")),
                "ends before table users".into(),
            ),
            (
                "a row without its parent",
                // The first user goes, so its memberships refer to nobody.
                zip(&(lines[..users]
                    .iter()
                    .chain(&lines[users + 1..])
                    .copied()
                    .collect::<Vec<_>>()
                    .join("\n")
                    + "\n")),
                "cannot be restored".into(),
            ),
            (
                "another format",
                header_of(
                    r#"{"format":"hcx-backup/2","schema_version":2,"created_at":1,"backend":"sqlite"}"#,
                ),
                "hcx-backup/2".into(),
            ),
            (
                "not a backup",
                header_of(r#"{"record":"organisation"}"#),
                "not an hcx backup".into(),
            ),
            (
                "another schema",
                header_of(
                    r#"{"format":"hcx-backup/1","schema_version":1,"created_at":1,"backend":"sqlite"}"#,
                ),
                format!(
                    "schema version 1 but this database is at version {}",
                    hcx_store::SCHEMA_VERSION
                ),
            ),
        ];
        for (name, input, needle) in cases {
            let err = target.store.restore(&input[..], true).await.unwrap_err();
            assert!(is_backup_error(&err, &needle), "{name}: {err}");
            assert_eq!(
                contents(&target.store).await,
                before,
                "{name}: nothing changed"
            );
            assert!(audit_log_is_guarded(&target.store).await, "{name}");
        }
    }
);

test_both_backends!(
    async fn new_writes_number_on_from_the_restored_maximum(store: &Store) {
        populate(store).await;
        let bytes = backup(store).await;
        let changes = store.latest_change().await.unwrap();
        let events = latest_audit(store).await;

        // The target's own history is longer than the backup's, so its
        // numbering must move back to carry on from what was restored.
        let target = fresh(store.backend()).await;
        populate(&target.store).await;
        populate_more(&target.store).await;
        assert!(target.store.latest_change().await.unwrap() > changes);
        target.store.restore(&bytes[..], true).await.unwrap();
        assert_eq!(target.store.latest_change().await.unwrap(), changes);

        target
            .store
            .put(&organisation("NEW", "buyer"), Expect::New, &author())
            .await
            .unwrap();
        assert_eq!(target.store.latest_change().await.unwrap(), changes + 1);
        assert_eq!(latest_audit(&target.store).await, events + 1);
        let listed = target.store.changes_since(changes, 10).await.unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].record_id, "NEW");
    }
);

#[tokio::test]
async fn an_unmigrated_database_is_named_as_such() {
    let source = testing::sqlite().await;
    let bytes = backup(&source.store).await;
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("bare.db").display());
    let bare = Store::connect(&url).await.unwrap();
    let err = bare.restore(&bytes[..], false).await.unwrap_err();
    assert!(is_backup_error(&err, "hcx migrate"), "{err}");
    let err = bare.backup(Vec::new()).await.unwrap_err();
    assert!(is_backup_error(&err, "hcx migrate"), "{err}");
}

async fn populate_more(store: &Store) {
    let more: Vec<Record> = (50..=80)
        .map(|i| opportunity(&format!("O{i:02}"), "published"))
        .collect();
    store.apply(&more, &author()).await.unwrap();
}

/// Restores a backup from one backend into the other and checks the copy
/// backs up to the same tables, row for row.
async fn across(from: &Store, to: &Store) {
    populate(from).await;
    let bytes = backup(from).await;
    let summary = to.restore(&bytes[..], false).await.unwrap();
    assert!(summary.rows() > 0);
    assert_eq!(contents(to).await, contents(from).await);
    assert_eq!(exported(to).await, exported(from).await);
    to.put(&organisation("NEW", "buyer"), Expect::New, &author())
        .await
        .unwrap();
    assert_eq!(
        to.latest_change().await.unwrap(),
        from.latest_change().await.unwrap() + 1
    );
    assert!(audit_log_is_guarded(to).await);
}

#[tokio::test]
async fn a_sqlite_backup_restores_into_postgres() {
    let Some(postgres) = testing::postgres().await else {
        return;
    };
    let sqlite = testing::sqlite().await;
    across(&sqlite.store, &postgres.store).await;
}

#[tokio::test]
async fn a_postgres_backup_restores_into_sqlite() {
    let Some(postgres) = testing::postgres().await else {
        return;
    };
    let sqlite = testing::sqlite().await;
    across(&postgres.store, &sqlite.store).await;
}

#[tokio::test]
async fn a_backup_is_taken_while_the_store_is_written() {
    let db = testing::sqlite().await;
    populate(&db.store).await;
    let writer = db.store.clone();
    let writes = tokio::spawn(async move {
        for i in 100..140 {
            writer
                .put(
                    &opportunity(&format!("O{i}"), "draft"),
                    Expect::New,
                    &author(),
                )
                .await
                .unwrap();
        }
    });
    let bytes = backup(&db.store).await;
    writes.await.unwrap();
    // Whatever moment the snapshot caught, its records and change log agree.
    let target = testing::sqlite().await;
    target.store.restore(&bytes[..], false).await.unwrap();
    let opportunities = contents(&target.store)
        .await
        .iter()
        // Opportunity rows; the introduction row's id starts with "O" too,
        // and so do the consortium's rows (O03-T1).
        .filter(|l| {
            l.starts_with("[\"O") && !l.contains("\"introduced\"") && !l.starts_with("[\"O03-T")
        })
        .count();
    let changes = target.store.latest_change().await.unwrap();
    assert_eq!(changes as usize, 6 + 45 + 1 + (opportunities - 46));
}
