//! Configuration, layered: built-in defaults, then a TOML file, then `HCX_*`
//! environment variables, then command-line flags.

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use serde::Deserialize;

use crate::services::Security;
use crate::services::mail::{MailConfig, SmtpRelay, Transport};
use hcx_domain::matching::MatchConfig;
use hcx_domain::quote::QuoteConfig;
use hcx_domain::twinning::TwinningConfig;

/// Where hcx keeps its data and how it serves.
#[derive(Clone, PartialEq)]
pub struct Config {
    /// `sqlite://PATH` or `postgres://…`.
    pub database_url: String,
    /// Folder of the full-text index (a cache of the database, rebuilt when missing).
    pub index_dir: PathBuf,
    /// Address `serve` listens on.
    pub addr: SocketAddr,
    /// Log lines as JSON instead of text.
    pub log_json: bool,
    /// Session lifetimes, sign-in lockout, cookies.
    pub security: Security,
    /// Matchmaking weights and thresholds (`[matching]` in the file).
    pub matching: MatchConfig,
    /// Weights of twinning suggestions (`[twinning]` in the file).
    pub twinning: TwinningConfig,
    /// The share of profit held back for reinvestment (`[quotes]` in the file).
    pub quotes: QuoteConfig,
    /// Where people reach this hcx, for links in e-mails and feeds.
    pub public_url: String,
    /// How alert e-mails leave (`[email]` in the file).
    pub email: MailConfig,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("database_url", &hcx_store::redact(&self.database_url))
            .field("index_dir", &self.index_dir)
            .field("addr", &self.addr)
            .field("log_json", &self.log_json)
            .field("security", &self.security)
            .field("matching", &self.matching)
            .field("twinning", &self.twinning)
            .field("quotes", &self.quotes)
            .field("public_url", &self.public_url)
            .field("email", &self.email)
            .finish()
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            database_url: "sqlite://hcx.db".into(),
            index_dir: PathBuf::from("hcx-index"),
            addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            log_json: false,
            security: Security::default(),
            matching: MatchConfig::default(),
            twinning: TwinningConfig::default(),
            quotes: QuoteConfig::default(),
            public_url: "http://127.0.0.1:8080".into(),
            email: MailConfig::default(),
        }
    }
}

/// The `[email]` section of the file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct EmailFile {
    /// `folder` (the default) or `smtp`.
    transport: Option<String>,
    folder: Option<PathBuf>,
    host: Option<String>,
    port: Option<u16>,
    user: Option<String>,
    password: Option<String>,
    starttls: Option<bool>,
    from: Option<String>,
}

/// The keys a configuration file may set.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    database_url: Option<String>,
    index_dir: Option<PathBuf>,
    addr: Option<String>,
    log_json: Option<bool>,
    session_idle_minutes: Option<u32>,
    session_max_hours: Option<u32>,
    sign_in_attempts: Option<u32>,
    lockout_minutes: Option<u32>,
    secure_cookies: Option<bool>,
    matching: Option<MatchConfig>,
    twinning: Option<TwinningConfig>,
    quotes: Option<QuoteConfig>,
    public_url: Option<String>,
    email: Option<EmailFile>,
}

impl Config {
    /// Loads the layers below the command line: defaults, the file (`path`,
    /// else `hcx.toml` in the working directory if present), then the environment.
    pub fn load(path: Option<&Path>) -> anyhow::Result<Config> {
        let mut config = Config::default();
        let default_file = Path::new("hcx.toml");
        let file = match path {
            Some(p) => Some(p),
            None if default_file.exists() => Some(default_file),
            None => None,
        };
        if let Some(file) = file {
            let text = std::fs::read_to_string(file)
                .with_context(|| format!("cannot read configuration file {}", file.display()))?;
            let parsed: FileConfig = toml::from_str(&text)
                .with_context(|| format!("configuration file {} is invalid", file.display()))?;
            config.apply(parsed, &format!("configuration file {}", file.display()))?;
        }
        let flag = |name: &str| -> anyhow::Result<Option<bool>> {
            match env_var(name).as_deref() {
                None => Ok(None),
                Some("1" | "true") => Ok(Some(true)),
                Some("0" | "false") => Ok(Some(false)),
                Some(other) => bail!("{name} must be true or false, not {other:?}"),
            }
        };
        let number = |name: &str| -> anyhow::Result<Option<u32>> {
            env_var(name)
                .map(|v| {
                    v.parse()
                        .with_context(|| format!("{name} must be a whole number, not {v:?}"))
                })
                .transpose()
        };
        let env = FileConfig {
            database_url: env_var("HCX_DATABASE_URL"),
            index_dir: env_var("HCX_INDEX_DIR").map(PathBuf::from),
            addr: env_var("HCX_ADDR"),
            log_json: flag("HCX_LOG_JSON")?,
            session_idle_minutes: number("HCX_SESSION_IDLE_MINUTES")?,
            session_max_hours: number("HCX_SESSION_MAX_HOURS")?,
            sign_in_attempts: number("HCX_SIGN_IN_ATTEMPTS")?,
            lockout_minutes: number("HCX_LOCKOUT_MINUTES")?,
            secure_cookies: flag("HCX_SECURE_COOKIES")?,
            matching: None,
            twinning: None,
            quotes: None,
            public_url: env_var("HCX_PUBLIC_URL"),
            email: env_var("HCX_SMTP_PASSWORD").map(|password| EmailFile {
                password: Some(password),
                ..EmailFile::default()
            }),
        };
        config.apply(env, "the environment")?;
        Ok(config)
    }

    fn apply(&mut self, layer: FileConfig, origin: &str) -> anyhow::Result<()> {
        if let Some(url) = layer.database_url {
            self.set_database_url(&url);
        }
        if let Some(dir) = layer.index_dir {
            self.index_dir = dir;
        }
        if let Some(addr) = layer.addr {
            self.addr = parse_addr(&addr).with_context(|| format!("addr in {origin}"))?;
        }
        if let Some(json) = layer.log_json {
            self.log_json = json;
        }
        let minutes = |n: u32| i64::from(n.max(1)) * 60_000;
        if let Some(n) = layer.session_idle_minutes {
            self.security.session_idle_ms = minutes(n);
        }
        if let Some(n) = layer.session_max_hours {
            self.security.session_max_ms = minutes(n) * 60;
        }
        if let Some(n) = layer.sign_in_attempts {
            self.security.sign_in_attempts = i64::from(n.max(1));
        }
        if let Some(n) = layer.lockout_minutes {
            self.security.lockout_ms = minutes(n);
        }
        if let Some(secure) = layer.secure_cookies {
            self.security.secure_cookies = secure;
        }
        if let Some(matching) = layer.matching {
            self.matching = matching;
        }
        if let Some(twinning) = layer.twinning {
            self.twinning = twinning;
        }
        if let Some(quotes) = layer.quotes {
            quotes
                .check()
                .map_err(|e| anyhow::anyhow!("[quotes] in {origin}: {e}"))?;
            self.quotes = quotes;
        }
        if let Some(url) = layer.public_url {
            self.public_url = url.trim().trim_end_matches('/').to_owned();
        }
        if let Some(email) = layer.email {
            self.apply_email(email, origin)?;
        }
        Ok(())
    }

    fn apply_email(&mut self, layer: EmailFile, origin: &str) -> anyhow::Result<()> {
        if let Some(from) = layer.from {
            self.email.from = from;
        }
        match layer.transport.as_deref() {
            None => {}
            Some("folder") => {
                self.email.transport = Transport::Folder(crate::services::mail::default_folder());
            }
            Some("smtp") => {
                self.email.transport = Transport::Smtp(SmtpRelay::default());
            }
            Some(other) => {
                bail!("email.transport in {origin} must be \"folder\" or \"smtp\", not {other:?}")
            }
        }
        match &mut self.email.transport {
            Transport::Folder(folder) => {
                if let Some(f) = layer.folder {
                    *folder = f;
                }
            }
            Transport::Smtp(relay) => {
                if let Some(h) = layer.host {
                    relay.host = h;
                }
                if let Some(p) = layer.port {
                    relay.port = p;
                }
                if layer.user.is_some() {
                    relay.user = layer.user;
                }
                if layer.password.is_some() {
                    relay.password = layer.password;
                }
                if let Some(t) = layer.starttls {
                    relay.starttls = t;
                }
            }
        }
        Ok(())
    }

    /// Sets the database; a bare path means a SQLite file.
    pub fn set_database_url(&mut self, url: &str) {
        self.database_url = if url.contains("://") || url.starts_with("sqlite:") {
            url.to_owned()
        } else {
            format!("sqlite://{url}")
        };
    }
}

fn env_var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// Parses `HOST:PORT` (`localhost` allowed).
pub fn parse_addr(text: &str) -> anyhow::Result<SocketAddr> {
    let text = text.trim();
    if let Ok(addr) = text.parse() {
        return Ok(addr);
    }
    if let Some(port) = text.strip_prefix("localhost:") {
        let port: u16 = port
            .parse()
            .with_context(|| format!("{port:?} is not a port number"))?;
        return Ok(SocketAddr::from(([127, 0, 0, 1], port)));
    }
    bail!("{text:?} is not an address in the form HOST:PORT, e.g. 127.0.0.1:8080")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bare_path_means_a_sqlite_file() {
        let mut c = Config::default();
        c.set_database_url("/tmp/x.db");
        assert_eq!(c.database_url, "sqlite:///tmp/x.db");
        c.set_database_url("postgres://u:p@h/db");
        assert_eq!(c.database_url, "postgres://u:p@h/db");
    }

    #[test]
    fn debug_output_hides_the_database_password() {
        let mut c = Config::default();
        c.set_database_url("postgres://hcx:hunter2@db/hcx");
        assert!(!format!("{c:?}").contains("hunter2"));
    }

    #[test]
    fn a_file_layer_sets_values_and_refuses_unknown_keys() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hcx.toml");
        std::fs::write(
            &path,
            "addr = \"0.0.0.0:9000\"\nindex_dir = \"/var/hcx/index\"\n",
        )
        .unwrap();
        let c = Config::load(Some(&path)).unwrap();
        assert_eq!(c.addr.port(), 9000);
        assert_eq!(c.index_dir, PathBuf::from("/var/hcx/index"));
        std::fs::write(&path, "adress = \"x\"\n").unwrap();
        let err = format!("{:#}", Config::load(Some(&path)).unwrap_err());
        assert!(err.contains("adress"), "{err}");
    }

    #[test]
    fn the_quotes_section_sets_the_reinvestment_share_within_the_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hcx.toml");
        assert_eq!(Config::default().quotes.reinvestment_bp, 2_000);
        std::fs::write(&path, "[quotes]\nreinvestment_bp = 1500\n").unwrap();
        assert_eq!(
            Config::load(Some(&path)).unwrap().quotes.reinvestment_bp,
            1_500
        );
        std::fs::write(&path, "[quotes]\nreinvestment_bp = 12000\n").unwrap();
        let err = format!("{:#}", Config::load(Some(&path)).unwrap_err());
        assert!(err.contains("reinvestment_bp"), "{err}");
    }

    #[test]
    fn the_email_section_chooses_the_transport_and_the_public_address_loses_its_slash() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hcx.toml");
        std::fs::write(
            &path,
            "public_url = \"https://hcx.example.org/\"\n[email]\ntransport = \"smtp\"\nhost = \"smtp.example.org\"\nport = 2525\nfrom = \"hcx <alerts@example.org>\"\n",
        )
        .unwrap();
        let c = Config::load(Some(&path)).unwrap();
        assert_eq!(c.public_url, "https://hcx.example.org");
        assert_eq!(c.email.from, "hcx <alerts@example.org>");
        let Transport::Smtp(relay) = &c.email.transport else {
            panic!("{:?}", c.email);
        };
        assert_eq!(
            (relay.host.as_str(), relay.port, relay.starttls),
            ("smtp.example.org", 2525, true)
        );
        std::fs::write(&path, "[email]\ntransport = \"pigeon\"\n").unwrap();
        let err = format!("{:#}", Config::load(Some(&path)).unwrap_err());
        assert!(err.contains("pigeon"), "{err}");
        assert!(matches!(
            Config::default().email.transport,
            Transport::Folder(_)
        ));
    }

    #[test]
    fn addresses_name_what_is_wrong() {
        assert_eq!(parse_addr("localhost:3000").unwrap().port(), 3000);
        assert!(
            parse_addr("nope")
                .unwrap_err()
                .to_string()
                .contains("HOST:PORT")
        );
    }
}
