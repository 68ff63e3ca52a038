//! One migration set for both backends: plain SQL files applied in order,
//! with the few dialect differences written as `{{placeholders}}`.

use sqlx::Row;

use crate::{Backend, Store, StoreError, built, now_ms};

/// One step of the schema: SQL for both backends, and SQL for PostgreSQL
/// alone (what SQLite has no equivalent for, such as triggers in PL/pgSQL).
struct Migration {
    version: i64,
    name: &'static str,
    sql: &'static str,
    postgres: &'static str,
}

/// The migrations, in order. Append only: never edit one that has shipped.
const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "registry",
        sql: include_str!("../migrations/0001_registry.sql"),
        postgres: "",
    },
    Migration {
        version: 2,
        name: "access",
        sql: include_str!("../migrations/0002_access.sql"),
        postgres: include_str!("../migrations/0002_access.postgres.sql"),
    },
    Migration {
        version: 3,
        name: "introductions",
        sql: include_str!("../migrations/0003_introductions.sql"),
        postgres: "",
    },
    Migration {
        version: 4,
        name: "alerts",
        sql: include_str!("../migrations/0004_alerts.sql"),
        postgres: "",
    },
    Migration {
        version: 5,
        name: "twinning",
        sql: include_str!("../migrations/0005_twinning.sql"),
        postgres: "",
    },
    Migration {
        version: 6,
        name: "screening",
        sql: include_str!("../migrations/0006_screening.sql"),
        postgres: "",
    },
    Migration {
        version: 7,
        name: "diligence",
        sql: include_str!("../migrations/0007_diligence.sql"),
        postgres: "",
    },
    Migration {
        version: 8,
        name: "case_notifications",
        sql: include_str!("../migrations/0008_case_notifications.sql"),
        postgres: "",
    },
    Migration {
        version: 9,
        name: "consortia",
        sql: include_str!("../migrations/0009_consortia.sql"),
        postgres: "",
    },
    Migration {
        version: 10,
        name: "quotes",
        sql: include_str!("../migrations/0010_quotes.sql"),
        postgres: "",
    },
];

/// The schema version this build migrates to: the last migration's.
pub const SCHEMA_VERSION: i64 = MIGRATIONS[MIGRATIONS.len() - 1].version;

fn dialect(sql: &str, backend: Backend) -> String {
    let serial = match backend {
        Backend::Sqlite => "integer primary key autoincrement",
        Backend::Postgres => "bigint generated always as identity primary key",
    };
    sql.replace("{{serial_primary_key}}", serial)
}

/// Splits a migration into statements: comments dropped first, then split
/// on semicolons outside `$$`-quoted function bodies.
fn statements(sql: &str) -> Vec<String> {
    let code: Vec<&str> = sql
        .lines()
        .map(|l| l.split("--").next().unwrap_or(""))
        .collect();
    let code = code.join("\n");
    let mut out = Vec::new();
    let mut current = String::new();
    for (i, part) in code.split("$$").enumerate() {
        if i % 2 == 1 {
            current.push_str("$$");
            current.push_str(part);
            current.push_str("$$");
            continue;
        }
        let mut pieces = part.split(';');
        if let Some(first) = pieces.next() {
            current.push_str(first);
        }
        for piece in pieces {
            out.push(std::mem::take(&mut current));
            current.push_str(piece);
        }
    }
    out.push(current);
    out.into_iter()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

impl Store {
    /// Applies the migrations not yet applied; returns how many ran.
    pub async fn migrate(&self) -> Result<usize, StoreError> {
        sqlx::query(
            "create table if not exists schema_migrations (version bigint not null primary key, name text not null, applied_at bigint not null)",
        )
        .execute(&self.pool)
        .await?;
        let mut ran = 0;
        for migration in MIGRATIONS {
            let mut tx = self.pool.begin().await?;
            if self.backend == Backend::Postgres {
                // Serialises concurrent `hcx serve` nodes migrating one database.
                sqlx::query("select pg_advisory_xact_lock(72736001)")
                    .execute(&mut *tx)
                    .await?;
            }
            let applied = sqlx::query("select count(*) from schema_migrations where version = $1")
                .bind(migration.version)
                .fetch_one(&mut *tx)
                .await?
                .try_get::<i64, _>(0)?;
            if applied > 0 {
                continue;
            }
            let mut sql = dialect(migration.sql, self.backend);
            if self.backend == Backend::Postgres {
                sql.push_str(";\n");
                sql.push_str(migration.postgres);
            }
            for statement in statements(&sql) {
                sqlx::query(built(statement)).execute(&mut *tx).await?;
            }
            sqlx::query(
                "insert into schema_migrations (version, name, applied_at) values ($1, $2, $3)",
            )
            .bind(migration.version)
            .bind(migration.name)
            .bind(now_ms())
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            ran += 1;
        }
        Ok(ran)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_and_blank_statements_are_dropped() {
        let got =
            statements("-- a; b\ncreate table a (x int); -- c;\n\n-- b\n;create index b on a (x);");
        assert_eq!(got.len(), 2);
        assert!(got[0].trim_start().starts_with("create table"));
    }

    #[test]
    fn function_bodies_keep_their_semicolons() {
        let got = statements(
            "create function f() returns trigger language plpgsql as $$\nbegin\n  raise exception 'no';\nend\n$$;\ncreate trigger t before delete on a for each statement execute function f();",
        );
        assert_eq!(got.len(), 2, "{got:?}");
        assert!(got[0].contains("raise exception 'no';"));
    }

    #[test]
    fn the_serial_key_is_written_per_dialect() {
        assert!(dialect("{{serial_primary_key}}", Backend::Sqlite).contains("autoincrement"));
        assert!(dialect("{{serial_primary_key}}", Backend::Postgres).contains("identity"));
    }
}
