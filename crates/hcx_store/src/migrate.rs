//! One migration set for both backends: plain SQL files applied in order,
//! with the few dialect differences written as `{{placeholders}}`.

use sqlx::Row;

use crate::{Backend, Store, StoreError, built, now_ms};

/// The migrations, in order. Append only: never edit one that has shipped.
const MIGRATIONS: &[(i64, &str, &str)] = &[(
    1,
    "registry",
    include_str!("../migrations/0001_registry.sql"),
)];

fn dialect(sql: &str, backend: Backend) -> String {
    let serial = match backend {
        Backend::Sqlite => "integer primary key autoincrement",
        Backend::Postgres => "bigint generated always as identity primary key",
    };
    sql.replace("{{serial_primary_key}}", serial)
}

/// Splits a migration into statements: comments dropped first, then split
/// on semicolons (statements themselves hold none).
fn statements(sql: &str) -> Vec<String> {
    let code: Vec<&str> = sql
        .lines()
        .map(|l| l.split("--").next().unwrap_or(""))
        .collect();
    code.join("\n")
        .split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
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
        for (version, name, sql) in MIGRATIONS {
            let mut tx = self.pool.begin().await?;
            if self.backend == Backend::Postgres {
                // Serialises concurrent `hcx serve` nodes migrating one database.
                sqlx::query("select pg_advisory_xact_lock(72736001)")
                    .execute(&mut *tx)
                    .await?;
            }
            let applied = sqlx::query("select count(*) from schema_migrations where version = $1")
                .bind(version)
                .fetch_one(&mut *tx)
                .await?
                .try_get::<i64, _>(0)?;
            if applied > 0 {
                continue;
            }
            for statement in statements(&dialect(sql, self.backend)) {
                sqlx::query(built(statement)).execute(&mut *tx).await?;
            }
            sqlx::query(
                "insert into schema_migrations (version, name, applied_at) values ($1, $2, $3)",
            )
            .bind(version)
            .bind(*name)
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
    fn the_serial_key_is_written_per_dialect() {
        assert!(dialect("{{serial_primary_key}}", Backend::Sqlite).contains("autoincrement"));
        assert!(dialect("{{serial_primary_key}}", Backend::Postgres).contains("identity"));
    }
}
