//! Every store function, on SQLite and on PostgreSQL.

use hcx_domain::Record;
use hcx_store::{
    AuditFilter, Author, Backend, Expect, NewToken, NewUser, OpportunityFilter, OrganisationFilter,
    Session, Store, StoreError, test_both_backends,
};

fn author() -> Author {
    Author {
        actor_id: "user:u1".into(),
        actor_name: "ada@example.org".into(),
        request_id: Some("req-1".into()),
    }
}

fn new_user(id: &str, email: &str, organisations: &[&str]) -> NewUser {
    NewUser {
        id: id.into(),
        email: email.into(),
        name: "A Person".into(),
        role: "provider".into(),
        password_hash: Some("$argon2id$stand-in".into()),
        organisations: organisations.iter().map(|o| o.to_string()).collect(),
    }
}

fn record(line: &str) -> Record {
    Record::parse_line(line).unwrap_or_else(|e| panic!("{line}: {e}"))
}

fn leeds() -> Record {
    record(
        r#"{"record":"organisation","id":"RR8","name":"Leeds Teaching Hospitals NHS Trust","kind":"provider","sector":"nhs","country":"GB","ods_code":"RR8","region":"North East and Yorkshire","network":"HI-YH"}"#,
    )
}

fn christie() -> Record {
    record(
        r#"{"record":"organisation","id":"RBV","name":"The Christie NHS Foundation Trust","kind":"provider","sector":"nhs","country":"GB","region":"North West","network":"HI-Man"}"#,
    )
}

fn khcf() -> Record {
    record(
        r#"{"record":"organisation","id":"KHCF","name":"King Hussein Cancer Foundation","kind":"buyer","sector":"charity","country":"JO"}"#,
    )
}

fn offer(id: &str, provider: &str) -> Record {
    record(&format!(
        r#"{{"record":"offer","id":"{id}","provider":"{provider}","title":"Oncology nursing {id}","description":"Training.","service_lines":["education_training"],"specialties":["370"],"delivery_modes":["in_country"]}}"#
    ))
}

fn strategy(id: &str, provider: &str) -> Record {
    record(&format!(
        r#"{{"record":"strategy","id":"{id}","provider":"{provider}","excluded_countries":["RU"],"domestic_status":"green","min_contract_gbp":25000}}"#
    ))
}

fn opportunity(id: &str, status: &str) -> Record {
    record(&format!(
        r#"{{"record":"opportunity","id":"{id}","buyer":"KHCF","country":"JO","title":"Need {id}","description":"A need.","value":{{"amount":1200000,"currency":"JOD"}},"source":"post","status":"{status}"}}"#
    ))
}

fn world() -> Vec<Record> {
    vec![
        opportunity("O1", "published"),
        offer("RR8-onc", "RR8"),
        leeds(),
        khcf(),
        christie(),
        strategy("RR8-strategy", "RR8"),
        opportunity("O2", "draft"),
        opportunity("O3", "published"),
    ]
}

async fn lines(store: &Store) -> Vec<String> {
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

test_both_backends!(
    async fn migrations_apply_once(store: &Store) {
        assert_eq!(store.migrate().await.unwrap(), 0);
        store.ping().await.unwrap();
    }
);

test_both_backends!(
    async fn a_bulk_write_orders_references_and_reapplying_changes_nothing(store: &Store) {
        assert!(store.is_empty().await.unwrap());
        let summary = store.apply(&world(), &author()).await.unwrap();
        assert_eq!(
            (summary.created, summary.updated, summary.unchanged),
            (8, 0, 0)
        );
        let seq = store.latest_change().await.unwrap();
        let again = store.apply(&world(), &author()).await.unwrap();
        assert_eq!((again.created, again.updated, again.unchanged), (0, 0, 8));
        assert_eq!(
            store.latest_change().await.unwrap(),
            seq,
            "no change logged for identical records"
        );
        assert!(!store.is_empty().await.unwrap());
    }
);

test_both_backends!(
    async fn records_read_back_as_written_with_versions(store: &Store) {
        store.apply(&world(), &author()).await.unwrap();
        let o = store.opportunity("O1").await.unwrap().unwrap();
        assert_eq!(o.version, 1);
        assert_eq!(o.record.value.as_ref().unwrap().minor, 1_200_000_000);
        assert_eq!(
            Record::Opportunity(o.record.clone()),
            opportunity("O1", "published")
        );
        assert_eq!(
            store
                .offer("RR8-onc")
                .await
                .unwrap()
                .unwrap()
                .record
                .provider
                .as_str(),
            "RR8"
        );
        assert_eq!(
            store
                .strategy_of("RR8")
                .await
                .unwrap()
                .unwrap()
                .record
                .id
                .as_str(),
            "RR8-strategy"
        );
        assert!(store.strategy("RR8-strategy").await.unwrap().is_some());
        assert!(store.organisation("NOPE").await.unwrap().is_none());

        let version = store
            .put(&opportunity("O1", "closed"), Expect::Version(1), &author())
            .await
            .unwrap();
        assert_eq!(version, 2);
        let o = store.opportunity("O1").await.unwrap().unwrap();
        assert_eq!((o.version, o.record.status.as_str()), (2, "closed"));
        assert!(o.updated_at >= o.created_at);
        assert_eq!(
            store
                .put(&opportunity("O1", "closed"), Expect::Any, &author())
                .await
                .unwrap(),
            2,
            "same body, same version"
        );
    }
);

test_both_backends!(
    async fn a_stale_or_duplicate_write_is_a_conflict(store: &Store) {
        store.apply(&world(), &author()).await.unwrap();
        store
            .put(&opportunity("O1", "closed"), Expect::Version(1), &author())
            .await
            .unwrap();
        let stale = store
            .put(
                &opportunity("O1", "withdrawn"),
                Expect::Version(1),
                &author(),
            )
            .await
            .unwrap_err();
        assert!(
            matches!(stale, StoreError::Conflict(ref m) if m.contains("version 1") && m.contains("version 2")),
            "{stale}"
        );
        let dup = store
            .put(&khcf(), Expect::New, &author())
            .await
            .unwrap_err();
        assert!(matches!(dup, StoreError::Conflict(_)));
        let missing = store
            .put(&opportunity("O9", "draft"), Expect::Version(1), &author())
            .await
            .unwrap_err();
        assert!(matches!(missing, StoreError::NotFound { .. }));
        let second_strategy = store
            .put(&strategy("RR8-other", "RR8"), Expect::New, &author())
            .await
            .unwrap_err();
        assert!(
            matches!(second_strategy, StoreError::Conflict(_)),
            "{second_strategy}"
        );
    }
);

test_both_backends!(
    async fn referenced_organisations_cannot_be_deleted(store: &Store) {
        store.apply(&world(), &author()).await.unwrap();
        let err = store
            .delete_organisation("RR8", Expect::Any, &author())
            .await
            .unwrap_err();
        assert!(
            matches!(err, StoreError::Conflict(ref m) if m.contains("refer")),
            "{err}"
        );
        assert!(
            store.organisation("RR8").await.unwrap().is_some(),
            "nothing half-deleted"
        );
        store
            .delete_offer("RR8-onc", Expect::Version(1), &author())
            .await
            .unwrap();
        store
            .delete_strategy("RR8-strategy", Expect::Any, &author())
            .await
            .unwrap();
        store
            .delete_organisation("RR8", Expect::Any, &author())
            .await
            .unwrap();
        assert!(matches!(
            store
                .delete_opportunity("O404", Expect::Any, &author())
                .await,
            Err(StoreError::NotFound { .. })
        ));
        store
            .delete_opportunity("O2", Expect::Any, &author())
            .await
            .unwrap();
        let changes = store.changes_since(0, 1000).await.unwrap();
        let last = changes.last().unwrap();
        assert_eq!(
            (
                last.kind.as_str(),
                last.record_id.as_str(),
                last.op.as_str()
            ),
            ("opportunity", "O2", "delete")
        );
        assert!(changes.windows(2).all(|w| w[0].seq < w[1].seq));
    }
);

test_both_backends!(
    async fn organisations_filter_by_kind_network_country_and_name(store: &Store) {
        store.apply(&world(), &author()).await.unwrap();
        let providers = OrganisationFilter {
            kinds: vec!["provider".into()],
            ..Default::default()
        };
        let page = store.list_organisations(&providers, 0, 10).await.unwrap();
        assert_eq!(page.total, 2);
        assert_eq!(
            page.items[0].record.name, "Leeds Teaching Hospitals NHS Trust",
            "sorted by name"
        );
        let network = OrganisationFilter {
            networks: vec!["HI-Man".into()],
            ..Default::default()
        };
        assert_eq!(
            store
                .list_organisations(&network, 0, 10)
                .await
                .unwrap()
                .items[0]
                .record
                .id
                .as_str(),
            "RBV"
        );
        let jordan = OrganisationFilter {
            countries: vec!["JO".into()],
            ..Default::default()
        };
        assert_eq!(
            store
                .list_organisations(&jordan, 0, 10)
                .await
                .unwrap()
                .total,
            1
        );
        let name = OrganisationFilter {
            name: Some("christie".into()),
            ..Default::default()
        };
        assert_eq!(
            store.list_organisations(&name, 0, 10).await.unwrap().total,
            1
        );
        let page2 = store
            .list_organisations(&OrganisationFilter::default(), 1, 1)
            .await
            .unwrap();
        assert_eq!((page2.total, page2.items.len()), (3, 1));
    }
);

test_both_backends!(
    async fn opportunities_list_by_status_and_load_by_ids_in_order(store: &Store) {
        store.apply(&world(), &author()).await.unwrap();
        let published = OpportunityFilter {
            statuses: vec!["published".into()],
            ..Default::default()
        };
        let page = store.list_opportunities(&published, 0, 10).await.unwrap();
        assert_eq!(page.total, 2);
        let ids: Vec<String> = ["O3", "O404", "O1"].map(String::from).to_vec();
        let found = store.opportunities_by_ids(&ids).await.unwrap();
        let got: Vec<&str> = found.iter().map(|o| o.record.id.as_str()).collect();
        assert_eq!(got, ["O3", "O1"]);
        assert_eq!(
            store
                .offers_by_ids(&["RR8-onc".into()])
                .await
                .unwrap()
                .len(),
            1
        );
        assert_eq!(
            store.list_offers(Some("RR8"), 0, 10).await.unwrap().total,
            1
        );
        assert_eq!(
            store.list_offers(Some("RBV"), 0, 10).await.unwrap().total,
            0
        );
        assert_eq!(store.list_strategies(0, 10).await.unwrap().total, 1);
        let all = store.all_opportunities().await.unwrap();
        let ids: Vec<&str> = all.iter().map(|o| o.record.id.as_str()).collect();
        assert_eq!(ids, ["O1", "O2", "O3"]);
        assert_eq!(store.all_offers().await.unwrap().len(), 1);
        assert_eq!(store.all_strategies().await.unwrap().len(), 1);
        let organisations = store.all_organisations().await.unwrap();
        assert!(
            organisations
                .windows(2)
                .all(|w| w[0].record.id < w[1].record.id)
        );
    }
);

test_both_backends!(
    async fn export_writes_every_kind_in_dependency_order(store: &Store) {
        store.apply(&world(), &author()).await.unwrap();
        let out = lines(store).await;
        assert_eq!(out.len(), 8);
        let kinds: Vec<String> = out.iter().map(|l| record(l).kind().to_owned()).collect();
        assert_eq!(
            kinds,
            [
                "organisation",
                "organisation",
                "organisation",
                "offer",
                "strategy",
                "opportunity",
                "opportunity",
                "opportunity"
            ]
        );
        assert_eq!(out[0], khcf().to_line(), "organisations by id");
    }
);

test_both_backends!(
    async fn counts_and_reference_lookups_cover_the_registry(store: &Store) {
        store.apply(&world(), &author()).await.unwrap();
        let counts = store.counts().await.unwrap();
        assert_eq!(
            counts.organisations_by_kind,
            [("buyer".to_owned(), 1), ("provider".to_owned(), 2)]
        );
        assert_eq!((counts.offers, counts.strategies), (1, 1));
        assert_eq!(
            counts.opportunities_by_status,
            [("draft".to_owned(), 1), ("published".to_owned(), 2)]
        );
        let kinds = store.organisation_kinds().await.unwrap();
        assert_eq!(kinds.len(), 3);
        assert_eq!(
            store.strategy_ids_by_provider().await.unwrap()["RR8"],
            "RR8-strategy"
        );
        assert_eq!(
            store.organisation_names().await.unwrap()["KHCF"],
            "King Hussein Cancer Foundation"
        );
        let some = store
            .organisation_names_of(&["RR8".into(), "NOPE".into()])
            .await
            .unwrap();
        assert_eq!(some.len(), 1);
        assert_eq!(some["RR8"], "Leeds Teaching Hospitals NHS Trust");
    }
);

test_both_backends!(
    async fn a_failed_bulk_write_leaves_nothing_behind(store: &Store) {
        // An offer whose provider does not exist breaks the foreign key mid-transaction.
        let err = store
            .apply(&[leeds(), offer("X", "GHOST")], &author())
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Conflict(_)), "{err}");
        assert!(store.is_empty().await.unwrap());
        assert_eq!(store.latest_change().await.unwrap(), 0);
    }
);

#[tokio::test]
async fn unsupported_urls_are_refused_by_name() {
    let err = Store::connect("mysql://x").await.unwrap_err();
    assert!(
        err.to_string().contains("unsupported database URL"),
        "{err}"
    );
}

test_both_backends!(
    async fn every_registry_write_is_audited_with_before_and_after(store: &Store) {
        store.apply(&world(), &author()).await.unwrap();
        store.apply(&world(), &author()).await.unwrap();
        let created = store
            .audit_events(&AuditFilter::default(), 100)
            .await
            .unwrap();
        assert_eq!(created.len(), 8, "identical re-imports are not events");
        assert!(created.iter().all(|e| e.action == "create"
            && e.before.is_none()
            && e.after.is_some()
            && e.actor_id == "user:u1"
            && e.request_id.as_deref() == Some("req-1")));

        store
            .put_as(
                &opportunity("O1", "closed"),
                Expect::Version(1),
                &author(),
                Some("close"),
            )
            .await
            .unwrap();
        store
            .delete_opportunity("O2", Expect::Any, &author())
            .await
            .unwrap();
        let o1 = AuditFilter {
            kind: Some("opportunity".into()),
            record_id: Some("O1".into()),
            ..AuditFilter::default()
        };
        let history = store.audit_events(&o1, 10).await.unwrap();
        assert_eq!(history.len(), 2);
        assert_eq!(history[0].action, "close");
        assert!(
            history[0]
                .before
                .as_deref()
                .unwrap()
                .contains("\"published\"")
        );
        assert!(history[0].after.as_deref().unwrap().contains("\"closed\""));
        let deleted = store
            .audit_events(
                &AuditFilter {
                    record_id: Some("O2".into()),
                    ..AuditFilter::default()
                },
                10,
            )
            .await
            .unwrap();
        assert_eq!(deleted[0].action, "delete");
        assert!(deleted[0].before.is_some() && deleted[0].after.is_none());

        let mut exported = Vec::new();
        let n = store
            .export_audit(&o1, |e| {
                exported.push(e.seq);
                Ok(())
            })
            .await
            .unwrap();
        assert_eq!(n, 2);
        let older = AuditFilter {
            before_seq: Some(exported[0]),
            ..o1
        };
        assert_eq!(store.audit_events(&older, 10).await.unwrap().len(), 1);
    }
);

test_both_backends!(
    async fn postgres_itself_refuses_to_change_the_audit_log(store: &Store) {
        store.apply(&world(), &author()).await.unwrap();
        if store.backend() != Backend::Postgres {
            return;
        }
        for sql in [
            "update audit_events set actor_id = 'someone-else'",
            "delete from audit_events",
            "truncate audit_events",
        ] {
            let err = store.execute_unchecked(sql).await.unwrap_err();
            assert!(err.to_string().contains("append-only"), "{sql}: {err}");
        }
    }
);

test_both_backends!(
    async fn accounts_keep_their_organisations_and_refuse_duplicate_emails(store: &Store) {
        store.apply(&world(), &author()).await.unwrap();
        let user = store
            .create_user(&new_user("u1", "ada@example.org", &["RR8"]), &author())
            .await
            .unwrap();
        assert_eq!(user.organisations, vec!["RR8".to_string()]);
        let dup = store
            .create_user(&new_user("u2", "ada@example.org", &[]), &author())
            .await
            .unwrap_err();
        assert!(matches!(dup, StoreError::Conflict(_)), "{dup}");
        let ghost = store
            .create_user(&new_user("u3", "bob@example.org", &["GHOST"]), &author())
            .await
            .unwrap_err();
        assert!(matches!(ghost, StoreError::NotFound { .. }), "{ghost}");
        assert!(
            store.user("u3").await.unwrap().is_none(),
            "nothing half-written"
        );
        let members = store.memberships("u1").await.unwrap();
        assert_eq!(members[0].organisation.as_str(), "RR8");
        let (found, hash) = store
            .user_by_email("ada@example.org")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (found.id.as_str(), hash.as_deref()),
            ("u1", Some("$argon2id$stand-in"))
        );
        assert_eq!(store.list_users().await.unwrap().len(), 1);
        let audited = store
            .audit_events(
                &AuditFilter {
                    kind: Some("user".into()),
                    ..AuditFilter::default()
                },
                10,
            )
            .await
            .unwrap();
        assert_eq!(audited.len(), 1);
        assert!(
            !audited[0].after.as_deref().unwrap().contains("argon2"),
            "no hashes in the log"
        );
    }
);

test_both_backends!(
    async fn failed_sign_ins_lock_an_account_and_a_new_password_ends_its_sessions(store: &Store) {
        store.apply(&world(), &author()).await.unwrap();
        store
            .create_user(&new_user("u1", "ada@example.org", &["RR8"]), &author())
            .await
            .unwrap();
        for expected in 1..=2 {
            let u = store
                .record_failed_sign_in("u1", 3, 99, &author())
                .await
                .unwrap();
            assert_eq!((u.failed_logins, u.locked_until), (expected, None));
        }
        let locked = store
            .record_failed_sign_in("u1", 3, 99, &author())
            .await
            .unwrap();
        assert_eq!((locked.failed_logins, locked.locked_until), (0, Some(99)));

        let session = Session {
            user_id: "u1".into(),
            csrf_token: "c".into(),
            created_at: 10,
            last_seen_at: 10,
            expires_at: 1000,
        };
        store
            .start_session("h1", &session, &author())
            .await
            .unwrap();
        assert_eq!(store.session("h1").await.unwrap(), Some(session));
        assert_eq!(store.user("u1").await.unwrap().unwrap().locked_until, None);
        store.touch_session("h1", 20).await.unwrap();
        assert_eq!(store.session("h1").await.unwrap().unwrap().last_seen_at, 20);
        store
            .set_password("u1", "$argon2id$new", &author())
            .await
            .unwrap();
        assert_eq!(store.session("h1").await.unwrap(), None);

        let disabled = store
            .set_user_disabled("u1", true, &author())
            .await
            .unwrap();
        assert!(disabled.disabled_at.is_some());
        assert!(disabled.version > 1);
    }
);

test_both_backends!(
    async fn tokens_are_revoked_for_good_and_reset_links_work_once(store: &Store) {
        store.apply(&world(), &author()).await.unwrap();
        store
            .create_user(&new_user("u1", "ada@example.org", &["RR8"]), &author())
            .await
            .unwrap();
        let new = NewToken {
            id: "t1".into(),
            user_id: "u1".into(),
            name: "CRM sync".into(),
            secret_hash: "digest".into(),
            role: "provider".into(),
            organisation_id: Some("RR8".into()),
            expires_at: None,
        };
        store.create_token(&new, &author()).await.unwrap();
        assert_eq!(
            store.token("t1").await.unwrap().unwrap().secret_hash,
            "digest"
        );
        store.touch_token("t1", 55).await.unwrap();
        assert_eq!(
            store.list_tokens(Some("u1")).await.unwrap()[0].last_used_at,
            Some(55)
        );
        let revoked = store.revoke_token("t1", &author()).await.unwrap();
        assert!(revoked.revoked_at.is_some());
        assert!(matches!(
            store.revoke_token("t404", &author()).await,
            Err(StoreError::NotFound { .. })
        ));

        store
            .create_reset("r1", Some("u1"), 100, &author())
            .await
            .unwrap();
        assert_eq!(
            store.reset("r1", 50).await.unwrap(),
            Some(Some("u1".into()))
        );
        assert_eq!(store.reset("r1", 150).await.unwrap(), None, "expired");
        assert!(store.use_reset("r1", 50).await.unwrap());
        assert!(!store.use_reset("r1", 50).await.unwrap(), "spent");
        store
            .create_reset("setup", None, 100, &author())
            .await
            .unwrap();
        assert_eq!(store.reset("setup", 50).await.unwrap(), Some(None));
    }
);

test_both_backends!(
    async fn organisations_and_strategies_are_read_in_batches(store: &Store) {
        store.apply(&world(), &author()).await.unwrap();
        let ids = vec!["RR8".to_string(), "GHOST".into(), "KHCF".into()];
        let found = store.organisations_by_ids(&ids).await.unwrap();
        let names: Vec<&str> = found.iter().map(|o| o.record.id.as_str()).collect();
        assert_eq!(
            names,
            ["RR8", "KHCF"],
            "in the order asked, missing ones skipped"
        );
        let strategies = store.strategies_of(&ids).await.unwrap();
        assert_eq!(strategies.len(), 1);
        assert_eq!(strategies[0].record.provider.as_str(), "RR8");
    }
);

test_both_backends!(
    async fn introductions_are_made_once_answered_at_their_version_and_audited(store: &Store) {
        store.apply(&world(), &author()).await.unwrap();
        let made = store
            .introduce(
                "O1",
                "RR8",
                Some("RR8-onc"),
                Some("strong oncology fit"),
                &author(),
            )
            .await
            .unwrap();
        assert_eq!(
            (made.id.as_str(), made.status.as_str(), made.version),
            ("O1/RR8", "introduced", 1)
        );
        let again = store
            .introduce("O1", "RR8", None, None, &author())
            .await
            .unwrap_err();
        assert!(matches!(again, StoreError::Conflict(_)), "{again}");
        let ghost = store
            .introduce("O1", "GHOST", None, None, &author())
            .await
            .unwrap_err();
        assert!(matches!(ghost, StoreError::NotFound { .. }), "{ghost}");

        let answered = store
            .answer_introduction(
                "O1/RR8",
                1,
                "declined",
                Some("no capacity this year"),
                &author(),
            )
            .await
            .unwrap();
        assert_eq!(
            (answered.status.as_str(), answered.version),
            ("declined", 2)
        );
        let stale = store
            .answer_introduction("O1/RR8", 1, "interested", None, &author())
            .await
            .unwrap_err();
        assert!(matches!(stale, StoreError::Conflict(_)));
        assert_eq!(
            store.introductions(Some("O1"), None).await.unwrap().len(),
            1
        );
        assert_eq!(
            store.introductions(None, Some("RR8")).await.unwrap()[0]
                .reason
                .as_deref(),
            Some("no capacity this year")
        );
        assert!(
            store
                .introductions(None, Some("KHCF"))
                .await
                .unwrap()
                .is_empty()
        );
        let events = store
            .audit_events(
                &AuditFilter {
                    kind: Some("introduction".into()),
                    ..AuditFilter::default()
                },
                10,
            )
            .await
            .unwrap();
        let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(actions, ["declined", "introduce"]);
    }
);

test_both_backends!(
    async fn twinning_interest_is_said_once_withdrawn_and_audited(store: &Store) {
        store.apply(&world(), &author()).await.unwrap();
        let said = store
            .express_interest("RR8", "KHCF", &author())
            .await
            .unwrap();
        assert_eq!(
            (said.id.as_str(), said.expressed_by.as_str()),
            ("RR8/KHCF", "user:u1")
        );
        let again = store
            .express_interest("RR8", "KHCF", &author())
            .await
            .unwrap_err();
        assert!(matches!(again, StoreError::Conflict(_)), "{again}");
        let ghost = store
            .express_interest("RR8", "GHOST", &author())
            .await
            .unwrap_err();
        assert!(matches!(ghost, StoreError::NotFound { .. }), "{ghost}");
        store
            .express_interest("KHCF", "RR8", &author())
            .await
            .unwrap();
        let pairs = |list: Vec<hcx_store::TwinningInterest>| {
            list.into_iter().map(|i| i.id).collect::<Vec<_>>()
        };
        assert_eq!(
            pairs(store.interests_involving("KHCF").await.unwrap()),
            ["RR8/KHCF", "KHCF/RR8"]
        );
        store
            .withdraw_interest("RR8", "KHCF", &author())
            .await
            .unwrap();
        assert_eq!(
            pairs(store.interests_involving("RR8").await.unwrap()),
            ["KHCF/RR8"]
        );
        let gone = store
            .withdraw_interest("RR8", "KHCF", &author())
            .await
            .unwrap_err();
        assert!(matches!(gone, StoreError::NotFound { .. }), "{gone}");
        let events = store
            .audit_events(
                &AuditFilter {
                    record_id: Some("RR8/KHCF".into()),
                    ..AuditFilter::default()
                },
                10,
            )
            .await
            .unwrap();
        let actions: Vec<(&str, bool, bool)> = events
            .iter()
            .map(|e| (e.action.as_str(), e.before.is_some(), e.after.is_some()))
            .collect();
        assert_eq!(
            actions,
            [
                ("withdraw_interest", true, false),
                ("express_interest", false, true)
            ]
        );
    }
);

/// The payloads of the fan-out jobs not yet done, oldest first.
async fn fan_outs(store: &Store) -> Vec<serde_json::Value> {
    let mut jobs = store.jobs(true).await.unwrap();
    jobs.reverse();
    jobs.iter()
        .filter(|j| j.kind == hcx_store::FAN_OUT_JOB)
        .map(|j| serde_json::from_str(&j.payload).unwrap())
        .collect()
}

test_both_backends!(
    async fn publishing_enqueues_one_fan_out_in_the_same_write(store: &Store) {
        store.apply(&world(), &author()).await.unwrap();
        assert_eq!(
            fan_outs(store).await,
            [serde_json::json!({"opportunities": ["O1", "O3"]})],
            "an import of published opportunities enqueues their fan-out"
        );
        store.apply(&world(), &author()).await.unwrap();
        store
            .put(&opportunity("O3", "closed"), Expect::Any, &author())
            .await
            .unwrap();
        assert_eq!(fan_outs(store).await.len(), 1, "nothing newly published");
        store
            .put_as(
                &opportunity("O2", "published"),
                Expect::Version(1),
                &author(),
                Some("publish"),
            )
            .await
            .unwrap();
        let queued = fan_outs(store).await;
        assert_eq!(queued.len(), 2);
        assert_eq!(queued[1], serde_json::json!({"opportunities": ["O2"]}));
    }
);

test_both_backends!(
    async fn notifications_come_once_per_alert_and_are_read_by_their_owner_only(store: &Store) {
        store.apply(&world(), &author()).await.unwrap();
        store
            .create_user(&new_user("u1", "ada@example.org", &["RR8"]), &author())
            .await
            .unwrap();
        store
            .create_user(&new_user("u2", "bob@example.org", &["RBV"]), &author())
            .await
            .unwrap();
        let subscribe = |id: &str, user: &str, cadence: &str| hcx_store::NewSubscription {
            id: id.into(),
            user_id: user.into(),
            organisation_id: None,
            kind: "search".into(),
            query: Some("{}".into()),
            cadence: cadence.into(),
            token: format!("token-{id}"),
        };
        store
            .create_subscription(&subscribe("s1", "u1", "immediate"), &author())
            .await
            .unwrap();
        store
            .create_subscription(&subscribe("s2", "u2", "daily"), &author())
            .await
            .unwrap();
        let pairs = vec![
            ("u1".to_owned(), "s1".to_owned()),
            ("u2".to_owned(), "s2".to_owned()),
        ];
        let made = store
            .add_notifications("O1", &pairs, &author())
            .await
            .unwrap();
        assert_eq!(made.len(), 2);
        let again = store
            .add_notifications("O1", &pairs, &author())
            .await
            .unwrap();
        assert!(again.is_empty(), "a fan-out run twice notifies once");
        assert_eq!(store.unread_count("u1").await.unwrap(), 1);
        let mine = store.notifications_of("u1", 10).await.unwrap();
        assert_eq!(mine.len(), 1);
        let theirs = store.notifications_of("u2", 10).await.unwrap()[0].id;
        assert!(matches!(
            store.mark_read("u1", theirs, &author()).await,
            Err(StoreError::NotFound { .. })
        ));
        store.mark_read("u1", mine[0].id, &author()).await.unwrap();
        assert_eq!(store.unread_count("u1").await.unwrap(), 0);

        let daily = store.unemailed("daily").await.unwrap();
        assert_eq!(daily.len(), 1);
        store
            .mark_emailed("s2", &[daily[0].id], &author())
            .await
            .unwrap();
        assert!(store.unemailed("daily").await.unwrap().is_empty());

        assert!(
            store
                .deactivate_subscription("s1", &author())
                .await
                .unwrap()
        );
        assert!(
            !store
                .deactivate_subscription("s1", &author())
                .await
                .unwrap()
        );
        let active: Vec<String> = store
            .active_subscriptions()
            .await
            .unwrap()
            .into_iter()
            .map(|s| s.id)
            .collect();
        assert_eq!(active, ["s2"]);
        store.delete_subscription("s2", &author()).await.unwrap();
        let kept = store.notifications_of("u2", 10).await.unwrap();
        assert_eq!(
            kept[0].subscription_id, None,
            "notifications outlive their alert"
        );
        let events = store
            .audit_events(
                &AuditFilter {
                    kind: Some("subscription".into()),
                    ..Default::default()
                },
                20,
            )
            .await
            .unwrap();
        let actions: Vec<&str> = events.iter().rev().map(|e| e.action.as_str()).collect();
        assert_eq!(
            actions,
            ["subscribe", "subscribe", "email", "unsubscribe", "delete"]
        );
        assert!(
            events
                .iter()
                .all(|e| !e.after.as_deref().unwrap_or("").contains("token-")),
            "tokens never reach the audit log"
        );
    }
);

test_both_backends!(
    async fn a_failed_job_waits_and_a_claimed_job_is_not_taken_twice(store: &Store) {
        store.enqueue_job("digest", "{}", 1_000).await.unwrap();
        assert!(store.due_jobs(999, 10).await.unwrap().is_empty());
        let job = store.due_jobs(1_000, 10).await.unwrap().remove(0);
        assert!(store.claim_job(&job, 5_000).await.unwrap());
        assert!(
            !store.claim_job(&job, 5_000).await.unwrap(),
            "taken already"
        );
        store
            .fail_job(job.id, "relay refused", 31_000)
            .await
            .unwrap();
        assert!(store.due_jobs(30_999, 10).await.unwrap().is_empty());
        let again = store.due_jobs(31_000, 10).await.unwrap().remove(0);
        assert_eq!(
            (again.attempts, again.last_error.as_deref()),
            (1, Some("relay refused"))
        );
        assert!(store.claim_job(&again, 40_000).await.unwrap());
        store.finish_job(again.id, 32_000).await.unwrap();
        assert!(store.jobs(true).await.unwrap().is_empty());
        store.ensure_job("digest", "{}", 50_000).await.unwrap();
        store.ensure_job("digest", "{}", 60_000).await.unwrap();
        assert_eq!(
            store.jobs(true).await.unwrap().len(),
            1,
            "one digest waits at a time"
        );
    }
);

test_both_backends!(
    async fn a_list_import_replaces_the_list_whole_as_a_new_version(store: &Store) {
        let row = |id: &str| hcx_store::ListEntityRow {
            id: id.into(),
            body: format!(
                r#"{{"id":"{id}","schema":"Person","properties":{{"name":["N {id}"]}}}}"#
            ),
        };
        let first: Vec<_> = (0..45).map(|i| row(&format!("e{i:02}"))).collect();
        let v1 = store
            .replace_list("ofac", "sdn 2024-05-03", "d1", &first, &author())
            .await
            .unwrap();
        assert_eq!((v1.version, v1.entity_count), (1, 45));
        let v2 = store
            .replace_list(
                "ofac",
                "sdn 2024-06-01",
                "d2",
                &[row("e07"), row("z1")],
                &author(),
            )
            .await
            .unwrap();
        assert_eq!((v2.version, v2.entity_count), (2, 2));
        let (list, entities) = store.list_entities("ofac").await.unwrap();
        assert_eq!(list, v2);
        let ids: Vec<&str> = entities.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids, ["e07", "z1"], "nothing of the first version is left");
        assert!(entities[1].body.contains("N z1"));
        // A list with a repeated id is refused and the stored one is kept.
        let repeated = store
            .replace_list("ofac", "bad", "d3", &[row("a"), row("a")], &author())
            .await
            .unwrap_err();
        assert!(matches!(repeated, StoreError::Conflict(_)), "{repeated}");
        assert_eq!(store.screening_list("ofac").await.unwrap(), v2);
        store
            .replace_list("pep", "1", "d4", &[row("p")], &author())
            .await
            .unwrap();
        let names: Vec<String> = store
            .screening_lists()
            .await
            .unwrap()
            .into_iter()
            .map(|l| l.name)
            .collect();
        assert_eq!(names, ["ofac", "pep"]);
        let missing = store.screening_list("un").await.unwrap_err();
        assert!(matches!(missing, StoreError::NotFound { .. }), "{missing}");
        // Each version stored enqueued the re-screening of the cases against it.
        let mut rescreens: Vec<serde_json::Value> = store
            .jobs(true)
            .await
            .unwrap()
            .iter()
            .filter(|j| j.kind == hcx_store::RESCREEN_JOB)
            .map(|j| serde_json::from_str(&j.payload).unwrap())
            .collect();
        rescreens.reverse();
        assert_eq!(
            rescreens,
            [
                serde_json::json!({"list": "ofac", "version": 1}),
                serde_json::json!({"list": "ofac", "version": 2}),
                serde_json::json!({"list": "pep", "version": 1}),
            ],
            "the refused import enqueued nothing"
        );
        let events = store
            .audit_events(
                &AuditFilter {
                    kind: Some("screening_list".into()),
                    ..AuditFilter::default()
                },
                10,
            )
            .await
            .unwrap();
        let imports: Vec<(&str, &str)> = events
            .iter()
            .map(|e| (e.action.as_str(), e.record_id.as_str()))
            .collect();
        assert_eq!(
            imports,
            [("import", "pep"), ("import", "ofac"), ("import", "ofac")]
        );
    }
);

mod diligence {
    use hcx_domain::diligence::{
        Answer, Case, CaseEdit, CaseError, CaseStatus, ChecklistAnswer, ChecklistItem, Finding,
        NewCase, Outcome, Person, Rating, Subject, Verdict, blocking, suggested_expiry,
    };
    use hcx_domain::screening::entity::Schema;
    use hcx_domain::{CaseId, CountryCode, OrganisationId, PersonId, Record};
    use hcx_store::{AuditFilter, Author, CaseFilter, CaseOwner, Store, StoreError};

    use super::{author, khcf, world};
    use crate::test_both_backends;

    /// The second person: decides what the first submitted.
    fn reviewer() -> Author {
        Author {
            actor_id: "user:u2".into(),
            actor_name: "bob@example.org".into(),
            request_id: Some("req-2".into()),
        }
    }

    fn org(id: &str) -> OrganisationId {
        OrganisationId::parse(id).unwrap()
    }

    fn case_id(id: &str) -> CaseId {
        CaseId::parse(id).unwrap()
    }

    fn person(id: &str, name: &str) -> Person {
        Person {
            id: PersonId::parse(id).unwrap(),
            name: name.into(),
            role: "Director General".into(),
            birth_date: Some("1958-04".into()),
            country: Some(CountryCode::parse("JO").unwrap()),
        }
    }

    fn new_case(id: &str, owner: Option<&str>) -> NewCase {
        NewCase {
            id: case_id(id),
            partner: org("KHCF"),
            owner: owner.map(org),
            people: vec![person("p1", "Asem Mansour"), person("p2", "Dina Haddad")],
        }
    }

    fn finding(entity: &str, topics: &[&str]) -> Finding {
        Finding {
            list_name: "us_ofac_sdn".into(),
            list_version: "20261101".into(),
            entity_id: entity.into(),
            caption: format!("Entity {entity}"),
            schema: Schema::Organization,
            topics: topics.iter().map(|t| t.to_string()).collect(),
            score: 0.8765,
        }
    }

    fn complete(people: Vec<Person>) -> CaseEdit {
        CaseEdit {
            people,
            financial_notes:
                "Endowment-funded; audited accounts; paid past invoices within 30 days.".into(),
            checklist: ChecklistItem::ALL
                .iter()
                .map(|&item| ChecklistAnswer {
                    item,
                    answer: if item == ChecklistItem::NhsBrand {
                        Answer::NotApplicable
                    } else {
                        Answer::Satisfied
                    },
                    note: if item == ChecklistItem::NhsBrand {
                        "No NHS branding in this work.".into()
                    } else {
                        String::new()
                    },
                })
                .collect(),
            rating: Some(Rating::Low),
            rating_reasons: "A charity with a long record and clean screening.".into(),
        }
    }

    fn today() -> time::Date {
        time::OffsetDateTime::now_utc().date()
    }

    /// A case opened, worked in full and submitted by the first person.
    async fn submitted(store: &Store, id: &str, owner: Option<&str>) -> Case {
        let case = store
            .open_case(&new_case(id, owner), &author())
            .await
            .unwrap();
        let case = store
            .edit_case(
                &case.id,
                case.version,
                &complete(case.people.clone()),
                &author(),
            )
            .await
            .unwrap();
        store
            .submit_case(&case.id, case.version, &author())
            .await
            .unwrap()
    }

    async fn decided(store: &Store, id: &str, owner: Option<&str>, outcome: Outcome) -> Case {
        let case = submitted(store, id, owner).await;
        let expiry = (outcome == Outcome::Approved).then(|| suggested_expiry(today()));
        store
            .decide_case(
                &case.id,
                case.version,
                outcome,
                "Reviewed.",
                expiry,
                &reviewer(),
            )
            .await
            .unwrap()
    }

    test_both_backends!(
        async fn a_case_opens_once_on_known_organisations_and_reads_back_whole(store: &Store) {
            store.apply(&world(), &author()).await.unwrap();
            let opened = store
                .open_case(&new_case("DD-1", Some("RR8")), &author())
                .await
                .unwrap();
            assert_eq!(
                (opened.status, opened.version, opened.checklist.len()),
                (CaseStatus::Open, 1, 5)
            );
            assert_eq!(
                store.case(&case_id("DD-1")).await.unwrap(),
                Some(opened.clone())
            );
            assert_eq!(store.case(&case_id("DD-9")).await.unwrap(), None);
            // The Christie, referred to by nothing else, is kept while its case is.
            store
                .open_case(&new_case("DD-4", Some("RBV")), &author())
                .await
                .unwrap();
            let err = store
                .delete_organisation("RBV", hcx_store::Expect::Any, &author())
                .await
                .unwrap_err();
            assert!(
                err.to_string().contains("due-diligence cases refer to it"),
                "{err}"
            );
            let again = store
                .open_case(&new_case("DD-1", None), &author())
                .await
                .unwrap_err();
            assert!(
                matches!(&again, StoreError::Conflict(m) if m.contains("already exists")),
                "{again}"
            );
            let mut ghost = new_case("DD-2", Some("GHOST"));
            ghost.id = case_id("DD-2");
            let err = store.open_case(&ghost, &author()).await.unwrap_err();
            assert!(
                matches!(&err, StoreError::NotFound { kind: "organisation", id } if id.contains("GHOST")),
                "{err}"
            );
            let err = store
                .open_case(
                    &NewCase {
                        owner: Some(org("KHCF")),
                        ..new_case("DD-3", None)
                    },
                    &author(),
                )
                .await
                .unwrap_err();
            assert!(
                matches!(err, StoreError::Diligence(CaseError::Invalid(_))),
                "{err}"
            );
            assert!(store.case(&case_id("DD-3")).await.unwrap().is_none());
        }
    );

    test_both_backends!(
        async fn an_edit_from_a_stale_version_is_a_conflict(store: &Store) {
            store.apply(&world(), &author()).await.unwrap();
            let case = store
                .open_case(&new_case("DD-1", Some("RR8")), &author())
                .await
                .unwrap();
            // Dina Haddad is taken off the case; Asem Mansour stays.
            let edit = complete(vec![person("p1", "Asem Mansour")]);
            let edited = store
                .edit_case(&case.id, 1, &edit, &author())
                .await
                .unwrap();
            assert_eq!(edited.version, 2);
            let stale = store
                .edit_case(&case.id, 1, &CaseEdit::default(), &author())
                .await
                .unwrap_err();
            assert!(
                matches!(&stale, StoreError::Conflict(m) if m.contains("changed by someone else")),
                "{stale}"
            );
            let stored = store.case(&case.id).await.unwrap().unwrap();
            assert_eq!(stored, edited);
            assert_eq!(stored.people.len(), 1);
            assert_eq!(stored.checklist[4].answer, Answer::NotApplicable);
            assert_eq!(stored.rating, Some(Rating::Low));
            let err = store
                .edit_case(&case_id("DD-9"), 1, &edit, &author())
                .await
                .unwrap_err();
            assert!(matches!(err, StoreError::NotFound { .. }), "{err}");
        }
    );

    test_both_backends!(
        async fn rescreening_records_each_hit_once_and_returns_only_the_new(store: &Store) {
            store.apply(&world(), &author()).await.unwrap();
            let case = store
                .open_case(&new_case("DD-1", Some("RR8")), &author())
                .await
                .unwrap();
            let screening = Author {
                actor_id: "cli:screening".into(),
                actor_name: "screening".into(),
                request_id: None,
            };
            let org_subject = Subject::Organisation;
            let first = store
                .record_hits(
                    &case.id,
                    &org_subject,
                    &[finding("e1", &[]), finding("e2", &["sanction"])],
                    &screening,
                )
                .await
                .unwrap();
            assert_eq!(first.iter().map(|h| h.id).collect::<Vec<_>>(), [1, 2]);
            assert_eq!(first[0].score, 0.877);
            let mut newer = finding("e2", &["sanction"]);
            newer.list_version = "20261201".into();
            let second = store
                .record_hits(
                    &case.id,
                    &org_subject,
                    &[newer, finding("e3", &[])],
                    &screening,
                )
                .await
                .unwrap();
            assert_eq!(
                second
                    .iter()
                    .map(|h| h.entity_id.as_str())
                    .collect::<Vec<_>>(),
                ["e3"]
            );
            let p1 = Subject::Person(PersonId::parse("p1").unwrap());
            let for_person = store
                .record_hits(&case.id, &p1, &[finding("e1", &[])], &screening)
                .await
                .unwrap();
            assert_eq!(for_person.len(), 1);
            // The same findings again change nothing: no new version, no event.
            let stored = store.case(&case.id).await.unwrap().unwrap();
            assert!(
                store
                    .record_hits(&case.id, &p1, &[finding("e1", &[])], &screening)
                    .await
                    .unwrap()
                    .is_empty()
            );
            assert_eq!(store.case(&case.id).await.unwrap().unwrap(), stored);
            assert_eq!(stored.hits.len(), 4);
            assert_eq!(stored.hits[1].list_version, "20261201");
            assert_eq!(stored.hits[3].subject, p1);
            assert_eq!(stored.hits[1].topics, ["sanction"]);
            let events = store
                .audit_events(
                    &AuditFilter {
                        kind: Some("diligence_case".into()),
                        actor_id: Some("cli:screening".into()),
                        ..AuditFilter::default()
                    },
                    10,
                )
                .await
                .unwrap();
            assert_eq!(events.len(), 3);
            // A person with hits stays on the case.
            let err = store
                .edit_case(&case.id, stored.version, &complete(vec![]), &author())
                .await
                .unwrap_err();
            assert!(err.to_string().contains("has screening hits"), "{err}");
        }
    );

    test_both_backends!(
        async fn the_requester_cannot_decide_and_the_decision_is_audited(store: &Store) {
            store.apply(&world(), &author()).await.unwrap();
            let case = store
                .open_case(&new_case("DD-1", Some("RR8")), &author())
                .await
                .unwrap();
            store
                .record_hits(
                    &case.id,
                    &Subject::Organisation,
                    &[finding("e1", &["sanction"])],
                    &author(),
                )
                .await
                .unwrap();
            let case = store.case(&case.id).await.unwrap().unwrap();
            let case = store
                .edit_case(
                    &case.id,
                    case.version,
                    &complete(case.people.clone()),
                    &author(),
                )
                .await
                .unwrap();
            let err = store
                .submit_case(&case.id, case.version, &author())
                .await
                .unwrap_err();
            assert!(err.to_string().contains("hit 1"), "{err}");
            let case = store
                .mark_hit(
                    &case.id,
                    case.version,
                    1,
                    Verdict::FalsePositive,
                    "A different foundation.",
                    &author(),
                )
                .await
                .unwrap();
            assert_eq!(case.hits[0].reviewed_by.as_deref(), Some("user:u1"));
            let case = store
                .submit_case(&case.id, case.version, &author())
                .await
                .unwrap();
            let expiry = Some(suggested_expiry(today()));
            let err = store
                .decide_case(
                    &case.id,
                    case.version,
                    Outcome::Approved,
                    "Fine.",
                    expiry,
                    &author(),
                )
                .await
                .unwrap_err();
            assert!(
                matches!(err, StoreError::Diligence(CaseError::FourEyes { .. })),
                "{err}"
            );
            let past = store
                .decide_case(
                    &case.id,
                    case.version,
                    Outcome::Approved,
                    "Fine.",
                    Some(today()),
                    &reviewer(),
                )
                .await
                .unwrap_err();
            assert!(past.to_string().contains("is not after today"), "{past}");
            let approved = store
                .decide_case(
                    &case.id,
                    case.version,
                    Outcome::Approved,
                    "Fine.",
                    expiry,
                    &reviewer(),
                )
                .await
                .unwrap();
            assert_eq!(approved.status, CaseStatus::Approved);
            let stored = store.case(&case.id).await.unwrap().unwrap();
            assert_eq!(stored, approved);
            let decision = stored.decision.unwrap();
            assert_eq!(
                (decision.by.as_str(), decision.expires_on),
                ("user:u2", expiry)
            );
            let events = store
                .audit_events(
                    &AuditFilter {
                        kind: Some("diligence_case".into()),
                        record_id: Some("DD-1".into()),
                        ..AuditFilter::default()
                    },
                    10,
                )
                .await
                .unwrap();
            let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
            assert_eq!(
                actions,
                [
                    "approve",
                    "submit",
                    "mark_hit",
                    "edit",
                    "record_hits",
                    "open"
                ]
            );
            assert_eq!(events[0].actor_id, "user:u2");
            assert!(
                events[0]
                    .before
                    .as_deref()
                    .unwrap()
                    .contains("\"submitted\"")
            );
            assert!(events[0].after.as_deref().unwrap().contains("\"approved\""));
            // Reopened, the approval stays in force.
            let reopened = store
                .reopen_case(&case.id, approved.version, &author())
                .await
                .unwrap();
            assert_eq!(reopened.status, CaseStatus::Open);
            assert_eq!(reopened.decision.unwrap().outcome, Outcome::Approved);
        }
    );

    test_both_backends!(
        async fn cases_list_by_owner_and_decided_ones_block_matching(store: &Store) {
            store.apply(&world(), &author()).await.unwrap();
            // A few milliseconds apart, so that the newest is plainly first.
            let pause = || tokio::time::sleep(std::time::Duration::from_millis(5));
            decided(store, "DD-1", Some("RR8"), Outcome::Rejected).await;
            pause().await;
            decided(store, "DD-2", Some("RBV"), Outcome::Approved).await;
            pause().await;
            submitted(store, "DD-3", None).await;
            let ids = |cases: &[Case]| cases.iter().map(|c| c.id.to_string()).collect::<Vec<_>>();
            let all = store
                .list_cases(&CaseFilter::default(), 0, 10)
                .await
                .unwrap();
            assert_eq!(
                (all.total, ids(&all.items)),
                (3, vec!["DD-3".to_owned(), "DD-2".into(), "DD-1".into()])
            );
            let page = store
                .list_cases(&CaseFilter::default(), 1, 1)
                .await
                .unwrap();
            assert_eq!((page.total, ids(&page.items)), (3, vec!["DD-2".to_owned()]));
            let own = CaseFilter {
                owner: CaseOwner::Providers(vec![org("RR8")]),
                ..CaseFilter::default()
            };
            assert_eq!(
                ids(&store.list_cases(&own, 0, 10).await.unwrap().items),
                ["DD-1"]
            );
            let both = CaseFilter {
                owner: CaseOwner::Providers(vec![org("RR8"), org("RBV")]),
                ..CaseFilter::default()
            };
            assert_eq!(
                ids(&store.list_cases(&both, 0, 10).await.unwrap().items),
                ["DD-2", "DD-1"]
            );
            let nobody = CaseFilter {
                owner: CaseOwner::Providers(Vec::new()),
                ..CaseFilter::default()
            };
            assert_eq!(store.list_cases(&nobody, 0, 10).await.unwrap().total, 0);
            let agency = CaseFilter {
                owner: CaseOwner::Agency,
                partner: Some(org("KHCF")),
                ..CaseFilter::default()
            };
            assert_eq!(
                ids(&store.list_cases(&agency, 0, 10).await.unwrap().items),
                ["DD-3"]
            );
            let waiting = CaseFilter {
                status: Some(CaseStatus::Submitted),
                ..CaseFilter::default()
            };
            let waiting = store.list_cases(&waiting, 0, 10).await.unwrap();
            assert_eq!(ids(&waiting.items), ["DD-3"]);
            assert_eq!(waiting.items[0].people.len(), 2);
            let elsewhere = CaseFilter {
                partner: Some(org("RR8")),
                ..CaseFilter::default()
            };
            assert_eq!(store.list_cases(&elsewhere, 0, 10).await.unwrap().total, 0);

            let decided = store
                .decided_cases(&[org("KHCF"), org("RBV")])
                .await
                .unwrap();
            assert_eq!(ids(&decided), ["DD-1", "DD-2"]);
            assert!(store.decided_cases(&[]).await.unwrap().is_empty());
            let Record::Organisation(partner) = khcf() else {
                unreachable!()
            };
            assert!(
                blocking(&partner, &decided, Some(&org("RR8")), today())
                    .unwrap()
                    .starts_with(
                        "due diligence on King Hussein Cancer Foundation was rejected on "
                    )
            );
            assert_eq!(
                blocking(&partner, &decided, Some(&org("RBV")), today()),
                None
            );
        }
    );

    test_both_backends!(
        async fn a_hit_is_told_once_to_each_person_and_read_by_them_alone(store: &Store) {
            store.apply(&world(), &author()).await.unwrap();
            for (id, email) in [("u1", "ada@example.org"), ("u2", "bob@example.org")] {
                store
                    .create_user(&crate::new_user(id, email, &["RR8"]), &author())
                    .await
                    .unwrap();
            }
            let case = store
                .open_case(&new_case("DD-1", Some("RR8")), &author())
                .await
                .unwrap();
            store
                .record_hits(
                    &case.id,
                    &Subject::Organisation,
                    &[finding("e1", &["sanction"]), finding("e2", &[])],
                    &author(),
                )
                .await
                .unwrap();
            let told = [("u1".to_owned(), 1), ("u2".to_owned(), 1), ("u1".into(), 2)];
            let made = store
                .add_case_notifications(&case.id, &told, &author())
                .await
                .unwrap();
            assert_eq!(made.len(), 3);
            let again = store
                .add_case_notifications(&case.id, &told[..2], &author())
                .await
                .unwrap();
            assert!(again.is_empty(), "a pair is told once");
            let mine = store.case_notifications_of("u1", 10).await.unwrap();
            assert_eq!(
                mine.iter().map(|n| n.hit_id).collect::<Vec<_>>(),
                [2, 1],
                "newest first"
            );
            assert_eq!(store.unread_case_notifications("u1").await.unwrap(), 2);
            let err = store
                .mark_case_notification_read("u2", mine[0].id, &reviewer())
                .await
                .unwrap_err();
            assert!(matches!(err, StoreError::NotFound { .. }), "{err}");
            store
                .mark_case_notification_read("u1", mine[0].id, &author())
                .await
                .unwrap();
            assert_eq!(store.unread_case_notifications("u1").await.unwrap(), 1);
            assert_eq!(store.unread_case_notifications("u2").await.unwrap(), 1);
            let events = store
                .audit_events(
                    &AuditFilter {
                        record_id: Some("DD-1".into()),
                        ..AuditFilter::default()
                    },
                    10,
                )
                .await
                .unwrap();
            assert_eq!(
                events.iter().filter(|e| e.action == "notify").count(),
                1,
                "only the notifications made are audited"
            );
        }
    );
}

mod consortia {
    use hcx_domain::agreement::{Answer, Consortium, Place, PlacePart, Standing};
    use hcx_domain::{OpportunityId, OrganisationId};
    use hcx_store::{AuditFilter, Author, ConsortiumFilter, StoreError};

    use super::{author, world};
    use crate::test_both_backends;

    fn org(id: &str) -> OrganisationId {
        OrganisationId::parse(id).unwrap()
    }

    fn place(provider: &str, lead: bool, share_bp: u32) -> Place {
        Place {
            provider: org(provider),
            lead,
            parts: vec![PlacePart {
                requirement: format!("R-{provider}"),
                offer: format!("{provider}-onc"),
                days: 120,
                fit: 0.75,
            }],
            contribution_pence: i64::from(share_bp) * 1_000,
            share_bp,
            answer: Answer::Pending,
            answered_by: None,
            answered_at: None,
            note: String::new(),
        }
    }

    fn proposal(opportunity: &str) -> Consortium {
        Consortium {
            id: String::new(),
            opportunity: OpportunityId::parse(opportunity).unwrap(),
            standing: Standing::Proposed,
            objective: 1.4,
            solver: "microlp".into(),
            members: vec![place("RR8", true, 6_500), place("RBV", false, 3_500)],
            proposed_by: "user:u1".into(),
            note: "Leeds leads".into(),
            agreed_at: None,
            version: 0,
            created_at: 0,
            updated_at: 0,
        }
    }

    fn member_of(provider: &str) -> Author {
        Author {
            actor_id: format!("user:{provider}"),
            actor_name: format!("someone@{provider}.nhs.uk"),
            request_id: None,
        }
    }

    test_both_backends!(
        async fn agreed_when_every_member_accepts_each_step_audited(store: &Store) {
            store.apply(&world(), &author()).await.unwrap();
            let c = store
                .propose_consortium(proposal("O1"), &author())
                .await
                .unwrap();
            assert_eq!((c.id.as_str(), c.version), ("O1-T1", 1));
            let second = store
                .propose_consortium(proposal("O1"), &author())
                .await
                .unwrap();
            assert_eq!(second.id, "O1-T2");
            assert_eq!(store.consortium("O1-T1").await.unwrap(), Some(c.clone()));

            let c = store
                .answer_consortium(
                    &c.id,
                    1,
                    &org("RR8"),
                    Answer::Accepted,
                    "",
                    &member_of("RR8"),
                )
                .await
                .unwrap();
            assert_eq!(c.standing, Standing::Proposed);
            let stale = store
                .answer_consortium(
                    &c.id,
                    1,
                    &org("RBV"),
                    Answer::Accepted,
                    "",
                    &member_of("RBV"),
                )
                .await
                .unwrap_err();
            assert!(matches!(stale, StoreError::Conflict(_)), "{stale}");
            let c = store
                .answer_consortium(
                    &c.id,
                    2,
                    &org("RBV"),
                    Answer::Accepted,
                    "fair",
                    &member_of("RBV"),
                )
                .await
                .unwrap();
            assert_eq!(c.standing, Standing::Agreed);
            let stored = store.consortium(&c.id).await.unwrap().unwrap();
            assert_eq!(stored, c);
            assert_eq!(stored.members[1].answered_by.as_deref(), Some("user:RBV"));
            assert_eq!(stored.members[1].note, "fair");

            let refused = store
                .set_consortium_split(&c.id, c.version, &[5_000, 5_000], &author())
                .await
                .unwrap_err();
            assert!(matches!(refused, StoreError::Agreement(_)), "{refused}");

            let events = store
                .audit_events(
                    &AuditFilter {
                        kind: Some("consortium".into()),
                        ..AuditFilter::default()
                    },
                    50,
                )
                .await
                .unwrap();
            let mut actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
            actions.sort_unstable();
            assert_eq!(actions, ["accepted", "accepted", "propose", "propose"]);
        }
    );

    test_both_backends!(
        async fn a_new_split_asks_again_and_lists_are_scoped_to_members(store: &Store) {
            store.apply(&world(), &author()).await.unwrap();
            let c = store
                .propose_consortium(proposal("O1"), &author())
                .await
                .unwrap();
            let c = store
                .answer_consortium(
                    &c.id,
                    1,
                    &org("RBV"),
                    Answer::Declined,
                    "we want 40%",
                    &member_of("RBV"),
                )
                .await
                .unwrap();
            let bad = store
                .set_consortium_split(&c.id, c.version, &[6_000, 3_000], &author())
                .await
                .unwrap_err();
            assert!(bad.to_string().contains("90.00%"), "{bad}");
            let unchanged = store.consortium(&c.id).await.unwrap().unwrap();
            assert_eq!(unchanged, c, "a refused split writes nothing");
            let c = store
                .set_consortium_split(&c.id, c.version, &[6_000, 4_000], &author())
                .await
                .unwrap();
            assert!(c.members.iter().all(|m| m.answer == Answer::Pending));
            assert_eq!(c.members[1].share_bp, 4_000);

            let of = |members: Option<Vec<&str>>| ConsortiumFilter {
                opportunity: None,
                members: members.map(|m| m.into_iter().map(org).collect()),
            };
            let count = |page: hcx_store::Page<Consortium>| page.total;
            assert_eq!(
                count(store.list_consortia(&of(None), 0, 10).await.unwrap()),
                1
            );
            assert_eq!(
                count(
                    store
                        .list_consortia(&of(Some(vec!["RBV"])), 0, 10)
                        .await
                        .unwrap()
                ),
                1
            );
            assert_eq!(
                count(
                    store
                        .list_consortia(&of(Some(vec!["KHCF"])), 0, 10)
                        .await
                        .unwrap()
                ),
                0
            );
            assert_eq!(
                count(
                    store
                        .list_consortia(&of(Some(vec![])), 0, 10)
                        .await
                        .unwrap()
                ),
                0
            );

            let c = store
                .withdraw_consortium(&c.id, c.version, &author())
                .await
                .unwrap();
            assert_eq!(c.standing, Standing::Withdrawn);

            let mut unknown = proposal("O1");
            unknown.members[1].provider = org("NOPE");
            let missing = store
                .propose_consortium(unknown, &author())
                .await
                .unwrap_err();
            assert!(matches!(missing, StoreError::NotFound { .. }), "{missing}");
            assert_eq!(
                count(store.list_consortia(&of(None), 0, 10).await.unwrap()),
                1
            );
        }
    );
}

mod quotes {
    use hcx_domain::quote::{LedgerKind, QuoteStatus};
    use hcx_domain::{OpportunityId, OrganisationId, QuoteId};
    use hcx_store::{AuditFilter, NewQuote, PricedVersion, QuoteFilter, QuoteScope, StoreError};

    use super::{author, world};
    use crate::test_both_backends;

    fn org(id: &str) -> OrganisationId {
        OrganisationId::parse(id).unwrap()
    }

    fn new_quote(id: &str) -> NewQuote {
        NewQuote {
            id: QuoteId::parse(id).unwrap(),
            provider: org("RR8"),
            opportunity: Some(OpportunityId::parse("O1").unwrap()),
            buyer: Some(org("KHCF")),
            title: "Oncology nurse training".into(),
        }
    }

    /// Figures of a version: a price with a margin of `margin` pence.
    fn figures(margin: i64) -> PricedVersion {
        PricedVersion {
            input: r#"{"country":"JO"}"#.into(),
            priced: r#"{"price_gbp_pence":1}"#.into(),
            currency: "JOD".into(),
            price_gbp_pence: 6_000_000 + margin,
            price_buyer_minor: 54_000_000,
            cost_pence: 6_000_000,
            margin_pence: margin,
        }
    }

    test_both_backends!(
        async fn a_quote_keeps_every_version_and_refuses_a_stale_one(store: &Store) {
            store.apply(&world(), &author()).await.unwrap();
            let q = store
                .create_quote(&new_quote("Q-1"), &figures(100_000), &author())
                .await
                .unwrap();
            assert_eq!(
                (q.status, q.current_version, q.version, q.versions.len()),
                (QuoteStatus::Draft, 1, 1, 1)
            );
            let again = store
                .create_quote(&new_quote("Q-1"), &figures(1), &author())
                .await
                .unwrap_err();
            assert!(matches!(again, StoreError::Conflict(_)), "{again}");
            let mut unknown = new_quote("Q-2");
            unknown.provider = org("NOPE");
            let err = store
                .create_quote(&unknown, &figures(1), &author())
                .await
                .unwrap_err();
            assert!(matches!(err, StoreError::NotFound { .. }), "{err}");

            let q = store
                .revise_quote(&q.id, 1, &figures(200_000), &author())
                .await
                .unwrap();
            assert_eq!((q.current_version, q.version), (2, 2));
            assert_eq!(q.versions[0].figures.margin_pence, 100_000);
            assert_eq!(q.versions[1].figures.margin_pence, 200_000);
            let stale = store
                .revise_quote(&q.id, 1, &figures(3), &author())
                .await
                .unwrap_err();
            assert!(
                matches!(&stale, StoreError::Conflict(m) if m.contains("since version 1")),
                "{stale}"
            );
            assert_eq!(store.quote(&q.id).await.unwrap().unwrap().versions.len(), 2);

            let q = store.issue_quote(&q.id, 2, &author()).await.unwrap();
            assert_eq!((q.status, q.issued_version), (QuoteStatus::Issued, Some(2)));
            let q = store
                .answer_quote(&q.id, q.version, false, "Too dear.", 2_000, &author())
                .await
                .unwrap();
            assert_eq!(q.status, QuoteStatus::Rejected);
            assert_eq!(q.answer.as_ref().unwrap().note, "Too dear.");
            let q = store
                .revise_quote(&q.id, q.version, &figures(50_000), &author())
                .await
                .unwrap();
            assert_eq!((q.status, q.current_version), (QuoteStatus::Draft, 3));
            assert!(
                store
                    .reinvestment(&org("RR8"))
                    .await
                    .unwrap()
                    .entries
                    .is_empty(),
                "a rejection holds nothing back"
            );
            let events = store
                .audit_events(
                    &AuditFilter {
                        kind: Some("quote".into()),
                        record_id: Some("Q-1".into()),
                        ..AuditFilter::default()
                    },
                    20,
                )
                .await
                .unwrap();
            let mut actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
            actions.reverse();
            assert_eq!(actions, ["create", "revise", "issue", "reject", "revise"]);
        }
    );

    test_both_backends!(
        async fn accepting_credits_the_pot_at_once_and_freezes_the_quote(store: &Store) {
            store.apply(&world(), &author()).await.unwrap();
            let q = store
                .create_quote(&new_quote("Q-1"), &figures(1_591_164), &author())
                .await
                .unwrap();
            let q = store
                .issue_quote(&q.id, q.version, &author())
                .await
                .unwrap();
            let early = store
                .record_reinvestment(&org("RR8"), LedgerKind::Spend, 1, "Too soon.", &author())
                .await
                .unwrap_err();
            assert!(matches!(early, StoreError::Conflict(_)), "{early}");
            let q = store
                .answer_quote(&q.id, q.version, true, "Agreed.", 2_000, &author())
                .await
                .unwrap();
            assert_eq!(q.status, QuoteStatus::Accepted);
            let ledger = store.reinvestment(&org("RR8")).await.unwrap();
            assert_eq!(ledger.entries.len(), 1);
            let credit = &ledger.entries[0];
            assert_eq!(credit.kind, LedgerKind::Credit);
            assert_eq!(credit.amount_pence, 318_233, "20% of £15,911.64");
            assert_eq!(credit.quote.as_deref(), Some("Q-1"));
            assert_eq!(
                (credit.quote_version, credit.share_bp),
                (Some(1), Some(2_000))
            );
            assert_eq!(ledger.balance_pence, 318_233);

            for refused in [
                store
                    .revise_quote(&q.id, q.version, &figures(1), &author())
                    .await,
                store.withdraw_quote(&q.id, q.version, &author()).await,
                store
                    .answer_quote(&q.id, q.version, true, "Twice.", 2_000, &author())
                    .await,
            ] {
                let err = refused.unwrap_err();
                assert!(
                    matches!(&err, StoreError::Conflict(m) if m.contains("accepted")),
                    "{err}"
                );
            }
            assert_eq!(
                store.reinvestment(&org("RR8")).await.unwrap().entries.len(),
                1,
                "accepted once, credited once"
            );
            let events = store
                .audit_events(
                    &AuditFilter {
                        kind: Some("reinvestment_entry".into()),
                        ..AuditFilter::default()
                    },
                    10,
                )
                .await
                .unwrap();
            assert_eq!(events.len(), 1);
            assert_eq!(events[0].action, "credit");
        }
    );

    test_both_backends!(
        async fn the_pot_is_never_spent_below_zero(store: &Store) {
            store.apply(&world(), &author()).await.unwrap();
            let q = store
                .create_quote(&new_quote("Q-1"), &figures(1_000_000), &author())
                .await
                .unwrap();
            let q = store
                .issue_quote(&q.id, q.version, &author())
                .await
                .unwrap();
            store
                .answer_quote(&q.id, q.version, true, "", 2_000, &author())
                .await
                .unwrap();
            let rr8 = org("RR8");
            let spent = store
                .record_reinvestment(
                    &rr8,
                    LedgerKind::Spend,
                    150_000,
                    "Scoping visit.",
                    &author(),
                )
                .await
                .unwrap();
            assert_eq!(spent.amount_pence, -150_000);
            let over = store
                .record_reinvestment(&rr8, LedgerKind::Spend, 50_001, "Too much.", &author())
                .await
                .unwrap_err();
            assert!(
                matches!(&over, StoreError::Conflict(m) if m.contains("50000")),
                "{over}"
            );
            let below = store
                .record_reinvestment(
                    &rr8,
                    LedgerKind::Adjustment,
                    -50_001,
                    "Too much.",
                    &author(),
                )
                .await
                .unwrap_err();
            assert!(matches!(below, StoreError::Conflict(_)), "{below}");
            store
                .record_reinvestment(&rr8, LedgerKind::Spend, 50_000, "The rest.", &author())
                .await
                .unwrap();
            let by_hand = store
                .record_reinvestment(&rr8, LedgerKind::Credit, 1, "", &author())
                .await
                .unwrap_err();
            assert!(matches!(by_hand, StoreError::Conflict(_)), "{by_hand}");
            let ledger = store.reinvestment(&rr8).await.unwrap();
            assert_eq!(ledger.balance_pence, 0);
            assert_eq!(ledger.entries.len(), 3);
            assert!(
                store
                    .reinvestment(&org("RBV"))
                    .await
                    .unwrap()
                    .entries
                    .is_empty(),
                "each provider has its own pot"
            );
        }
    );

    test_both_backends!(
        async fn concurrent_answers_and_spends_neither_credit_twice_nor_overdraw(store: &Store) {
            store.apply(&world(), &author()).await.unwrap();
            let q = store
                .create_quote(&new_quote("Q-1"), &figures(1_000_000), &author())
                .await
                .unwrap();
            let q = store
                .issue_quote(&q.id, q.version, &author())
                .await
                .unwrap();
            let by = author();
            let (first, second) = tokio::join!(
                store.answer_quote(&q.id, q.version, true, "Yes.", 2_000, &by),
                store.answer_quote(&q.id, q.version, true, "Yes too.", 2_000, &by),
            );
            assert_eq!(
                [first.is_ok(), second.is_ok()],
                if first.is_ok() {
                    [true, false]
                } else {
                    [false, true]
                },
                "one acceptance wins"
            );
            let rr8 = org("RR8");
            let ledger = store.reinvestment(&rr8).await.unwrap();
            assert_eq!((ledger.entries.len(), ledger.balance_pence), (1, 200_000));

            let (a, b) = tokio::join!(
                store.record_reinvestment(&rr8, LedgerKind::Spend, 150_000, "A visit.", &by),
                store.record_reinvestment(&rr8, LedgerKind::Spend, 150_000, "Another.", &by),
            );
            assert_eq!(
                [&a, &b].iter().filter(|r| r.is_ok()).count(),
                1,
                "{a:?} {b:?}"
            );
            let refused = if a.is_err() { a } else { b }.unwrap_err();
            assert!(matches!(refused, StoreError::Conflict(_)), "{refused}");
            assert_eq!(
                store.reinvestment(&rr8).await.unwrap().balance_pence,
                50_000
            );
        }
    );

    test_both_backends!(
        async fn a_buyer_lists_only_what_was_issued_to_it(store: &Store) {
            store.apply(&world(), &author()).await.unwrap();
            let drafted = store
                .create_quote(&new_quote("Q-1"), &figures(1), &author())
                .await
                .unwrap();
            let issued = store
                .create_quote(&new_quote("Q-2"), &figures(1), &author())
                .await
                .unwrap();
            store
                .issue_quote(&issued.id, issued.version, &author())
                .await
                .unwrap();
            let mut other = new_quote("Q-3");
            other.provider = org("RBV");
            store
                .create_quote(&other, &figures(1), &author())
                .await
                .unwrap();
            let ids = |page: hcx_store::Page<hcx_store::StoredQuote>| {
                let mut ids: Vec<String> = page.items.iter().map(|q| q.id.to_string()).collect();
                ids.sort();
                ids
            };
            let scoped = |providers: &[&str], buyers: &[&str]| QuoteFilter {
                scope: QuoteScope::Parties {
                    providers: providers.iter().map(|p| org(p)).collect(),
                    buyers: buyers.iter().map(|b| org(b)).collect(),
                },
                ..QuoteFilter::default()
            };
            let all = store
                .list_quotes(&QuoteFilter::default(), 0, 10)
                .await
                .unwrap();
            assert_eq!(all.total, 3);
            assert_eq!(ids(all), ["Q-1", "Q-2", "Q-3"]);
            let rr8 = store
                .list_quotes(&scoped(&["RR8"], &[]), 0, 10)
                .await
                .unwrap();
            assert_eq!(ids(rr8), ["Q-1", "Q-2"]);
            let khcf = store
                .list_quotes(&scoped(&[], &["KHCF"]), 0, 10)
                .await
                .unwrap();
            assert_eq!(ids(khcf), ["Q-2"], "{drafted:?} is not the buyer's to see");
            let nobody = store.list_quotes(&scoped(&[], &[]), 0, 10).await.unwrap();
            assert_eq!(nobody.total, 0);
            let issued_only = QuoteFilter {
                status: Some(QuoteStatus::Issued),
                ..QuoteFilter::default()
            };
            assert_eq!(
                ids(store.list_quotes(&issued_only, 0, 10).await.unwrap()),
                ["Q-2"]
            );
        }
    );
}
