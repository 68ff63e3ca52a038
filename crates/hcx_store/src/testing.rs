//! Throwaway databases for tests: a fresh SQLite file, or a fresh database on
//! a real PostgreSQL server that this module starts from the machine's
//! PostgreSQL binaries (initdb and pg_ctl, in a temporary directory, on a free
//! loopback port) and shares between test processes.
//!
//! `HCX_TEST_POSTGRES_URL` points the tests at an existing server instead.
//! When no server can be had, PostgreSQL tests are skipped with a message,
//! except under `CI=true`, where they fail.
//!
//! Each test database is named after the process that made it; on the
//! cluster this module starts, the first test of a process drops those of
//! processes no longer alive, so the cluster does not grow without bound.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use crate::Store;

/// A migrated store on a database of its own.
#[derive(Debug)]
pub struct TestStore {
    pub store: Store,
    pub url: String,
    /// Keeps the SQLite file alive for the test's lifetime.
    _dir: Option<tempfile::TempDir>,
}

impl Store {
    /// Runs any SQL, bypassing the store's own paths: for tests that check
    /// what the database itself refuses.
    pub async fn execute_unchecked(&self, sql: &str) -> Result<u64, crate::StoreError> {
        let done = sqlx::query(crate::built(sql.to_owned()))
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }
}

/// A fresh, migrated SQLite store in a temporary directory.
pub async fn sqlite() -> TestStore {
    let dir = tempfile::tempdir().expect("temporary directory");
    let url = format!("sqlite://{}", dir.path().join("hcx.db").display());
    let store = Store::connect(&url).await.expect("open SQLite");
    store.migrate().await.expect("migrate SQLite");
    TestStore {
        store,
        url,
        _dir: Some(dir),
    }
}

/// A fresh, migrated database on the test PostgreSQL server, or `None` (with
/// a message) when none can be started outside CI.
pub async fn postgres() -> Option<TestStore> {
    let admin = match server_url() {
        Ok(url) => url,
        Err(reason) if in_ci() => {
            panic!("PostgreSQL tests must run in CI, but no server could be started: {reason}")
        }
        Err(reason) => {
            eprintln!("skipping a PostgreSQL test: {reason}");
            return None;
        }
    };
    let name = fresh_name();
    let admin_store = Store::connect(&admin)
        .await
        .expect("connect to the test PostgreSQL server");
    static SWEPT: AtomicBool = AtomicBool::new(false);
    if !external_server() && !SWEPT.swap(true, Ordering::Relaxed) {
        drop_databases_of_dead_processes(&admin_store).await;
    }
    sqlx::query(crate::built(format!("create database {name}")))
        .execute(&admin_store.pool)
        .await
        .expect("create a test database");
    admin_store.close().await;
    let url = replace_database(&admin, &name);
    let store = Store::connect(&url)
        .await
        .expect("connect to the test database");
    store.migrate().await.expect("migrate PostgreSQL");
    Some(TestStore {
        store,
        url,
        _dir: None,
    })
}

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// A server named by `HCX_TEST_POSTGRES_URL`, which may be shared with
/// other machines: its processes cannot be seen here, so nothing is dropped.
fn external_server() -> bool {
    std::env::var("HCX_TEST_POSTGRES_URL").is_ok_and(|url| !url.is_empty())
}

/// The process that made a test database, from its name.
fn owner_pid(database: &str) -> Option<u32> {
    let rest = database.strip_prefix("hcx_test_")?;
    let mut fields = rest.split('_');
    let pid = fields.next()?.parse().ok()?;
    let numbers = fields
        .map(|f| f.parse::<u64>().ok())
        .collect::<Option<Vec<_>>>()?;
    (numbers.len() == 2).then_some(pid)
}

/// Drops the test databases whose process has ended. A failure only
/// leaves a database for the next process to drop.
async fn drop_databases_of_dead_processes(admin: &Store) {
    let Ok(rows) =
        sqlx::query(r"select datname::text from pg_database where datname like 'hcx\_test\_%'")
            .fetch_all(&admin.pool)
            .await
    else {
        return;
    };
    for row in rows {
        let Ok(name) = sqlx::Row::try_get::<String, _>(&row, 0) else {
            continue;
        };
        let alive = |pid: u32| Path::new(&format!("/proc/{pid}")).exists();
        if owner_pid(&name).is_some_and(|pid| !alive(pid)) {
            // `name` is made of digits and underscores (`owner_pid` parsed it).
            let _ = sqlx::query(crate::built(format!(
                "drop database if exists {name} with (force)"
            )))
            .execute(&admin.pool)
            .await;
        }
    }
}

fn fresh_name() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!(
        "hcx_test_{}_{}_{}",
        std::process::id(),
        nanos,
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

fn replace_database(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let base = base.rsplit_once('/').map_or(base, |(b, _)| b);
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

/// The admin URL of the shared test server, starting it once per process.
fn server_url() -> Result<String, String> {
    static URL: OnceLock<Result<String, String>> = OnceLock::new();
    URL.get_or_init(|| match std::env::var("HCX_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => Ok(url),
        _ => start_server(),
    })
    .clone()
}

/// Where the shared test cluster lives; `.ci/run` stops it with `pg_ctl stop -D` on this path.
pub fn cluster_dir() -> PathBuf {
    std::env::temp_dir().join("hcx-test-pg")
}

fn bin_dir() -> Result<PathBuf, String> {
    let mut candidates: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path().join("bin"))
                .collect()
        })
        .unwrap_or_default();
    candidates.sort();
    candidates
        .into_iter()
        .rev()
        .find(|dir| dir.join("initdb").exists() && dir.join("pg_ctl").exists())
        .ok_or_else(|| {
            "no PostgreSQL binaries under /usr/lib/postgresql (apt-get install postgresql)"
                .to_owned()
        })
}

fn run(cmd: &mut Command) -> Result<String, String> {
    let out = cmd
        .output()
        .map_err(|e| format!("cannot run {cmd:?}: {e}"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(format!(
            "{cmd:?} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

fn is_root() -> bool {
    run(Command::new("id").arg("-u")).is_ok_and(|uid| uid.trim() == "0")
}

/// A command that runs as the `postgres` user when we are root (initdb refuses root).
fn as_server_user(program: &Path) -> Command {
    if is_root() {
        let mut cmd = Command::new("runuser");
        cmd.args(["-u", "postgres", "--"]).arg(program);
        cmd
    } else {
        Command::new(program)
    }
}

fn start_server() -> Result<String, String> {
    let bin = bin_dir()?;
    let data = cluster_dir();
    let port_file = data.with_extension("port");
    let lock = std::fs::File::create(data.with_extension("lock"))
        .map_err(|e| format!("cannot lock: {e}"))?;
    lock.lock().map_err(|e| format!("cannot lock: {e}"))?;

    if !data.join("PG_VERSION").exists() {
        std::fs::create_dir_all(&data)
            .map_err(|e| format!("cannot create {}: {e}", data.display()))?;
        if is_root() {
            run(Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(&data))?;
        }
        run(as_server_user(&bin.join("initdb"))
            .args([
                "-A",
                "trust",
                "-U",
                "postgres",
                "--no-sync",
                "-E",
                "UTF8",
                "-D",
            ])
            .arg(&data))?;
    }
    let running = run(as_server_user(&bin.join("pg_ctl"))
        .arg("status")
        .arg("-D")
        .arg(&data))
    .is_ok();
    let port = match std::fs::read_to_string(&port_file)
        .ok()
        .and_then(|p| p.trim().parse::<u16>().ok())
    {
        Some(port) if running => port,
        _ => {
            let port = std::net::TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.local_addr())
                .map_err(|e| format!("no free port: {e}"))?
                .port();
            let options = format!(
                "-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c fsync=off \
                 -c synchronous_commit=off -c full_page_writes=off -c max_connections=300"
            );
            let log = data.with_extension("log");
            if is_root() {
                std::fs::File::create(&log)
                    .map_err(|e| format!("cannot create {}: {e}", log.display()))?;
                run(Command::new("chown").arg("postgres:postgres").arg(&log))?;
            }
            run(as_server_user(&bin.join("pg_ctl"))
                .args(["start", "-w", "-t", "60", "-D"])
                .arg(&data)
                .arg("-l")
                .arg(&log)
                .args(["-o", &options]))?;
            std::fs::write(&port_file, port.to_string())
                .map_err(|e| format!("cannot write the port: {e}"))?;
            port
        }
    };
    Ok(format!("postgres://postgres@127.0.0.1:{port}/postgres"))
}

/// Runs a store test on SQLite and on PostgreSQL: expands to a module named
/// after the test with one `sqlite` and one `postgres` test.
#[macro_export]
macro_rules! test_both_backends {
    ($(#[$meta:meta])* async fn $name:ident($store:ident: &Store) $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn check($store: &$crate::Store) $body

            #[tokio::test]
            async fn sqlite() {
                let db = $crate::testing::sqlite().await;
                check(&db.store).await;
            }

            #[tokio::test]
            async fn postgres() {
                if let Some(db) = $crate::testing::postgres().await {
                    check(&db.store).await;
                }
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn databases(admin: &Store) -> Vec<String> {
        sqlx::query("select datname::text from pg_database")
            .fetch_all(&admin.pool)
            .await
            .unwrap()
            .iter()
            .map(|row| sqlx::Row::get::<String, _>(row, 0))
            .collect()
    }

    #[tokio::test]
    async fn the_databases_of_ended_processes_are_dropped_and_ours_kept() {
        if external_server() {
            return;
        }
        let admin = match server_url() {
            Ok(url) => url,
            Err(reason) if in_ci() => panic!("no PostgreSQL server: {reason}"),
            Err(reason) => return eprintln!("skipping a PostgreSQL test: {reason}"),
        };
        let admin = Store::connect(&admin).await.unwrap();
        // Above Linux's largest process id: never alive.
        let dead = format!("hcx_test_4294967295_{}_0", std::process::id());
        let ours = fresh_name();
        for name in [&dead, &ours] {
            sqlx::query(crate::built(format!("create database {name}")))
                .execute(&admin.pool)
                .await
                .unwrap();
        }
        drop_databases_of_dead_processes(&admin).await;
        let left = databases(&admin).await;
        assert!(!left.contains(&dead));
        assert!(left.contains(&ours));
        sqlx::query(crate::built(format!("drop database {ours}")))
            .execute(&admin.pool)
            .await
            .unwrap();
        admin.close().await;
    }

    #[test]
    fn a_test_database_is_known_by_the_process_that_made_it() {
        assert_eq!(owner_pid("hcx_test_4242_123456789_0"), Some(4242));
        assert_eq!(owner_pid(&fresh_name()), Some(std::process::id()));
        for other in [
            "postgres",
            "hcx_test_",
            "hcx_test_4242",
            "hcx_test_4242_1",
            "hcx_test_4242_1_2_3",
            "hcx_test_x_1_2",
            "hcx_production_4242_1_2",
        ] {
            assert_eq!(owner_pid(other), None, "{other}");
        }
    }

    #[test]
    fn the_database_name_is_swapped_in_the_url() {
        assert_eq!(
            replace_database("postgres://u@h:5/postgres", "x"),
            "postgres://u@h:5/x"
        );
        assert_eq!(
            replace_database("postgres://u@h:5/p?sslmode=disable", "x"),
            "postgres://u@h:5/x?sslmode=disable"
        );
    }
}
