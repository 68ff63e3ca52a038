//! Alert e-mails: built as RFC 5322 messages with one-click unsubscribe
//! (RFC 8058), then written to a folder as `.eml` files or sent over SMTP.

use std::fmt;
use std::path::PathBuf;

use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::ServiceError;

/// How e-mails leave hcx.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transport {
    /// Each message as an `.eml` file in this folder (the default: nothing is sent).
    Folder(PathBuf),
    Smtp(SmtpRelay),
}

/// An SMTP relay; without STARTTLS the connection is plain text, for a
/// relay on the same host.
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpRelay {
    pub host: String,
    pub port: u16,
    pub user: Option<String>,
    pub password: Option<String>,
    pub starttls: bool,
}

impl Default for SmtpRelay {
    fn default() -> Self {
        SmtpRelay {
            host: String::new(),
            port: 587,
            user: None,
            password: None,
            starttls: true,
        }
    }
}

/// The `[email]` settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailConfig {
    pub transport: Transport,
    /// The sender, e.g. `hcx <alerts@example.org>`.
    pub from: String,
}

/// The folder e-mails go to unless configured otherwise.
pub fn default_folder() -> PathBuf {
    PathBuf::from("hcx-outbox")
}

impl Default for MailConfig {
    fn default() -> Self {
        MailConfig {
            transport: Transport::Folder(default_folder()),
            from: "hcx <alerts@localhost>".into(),
        }
    }
}

impl fmt::Debug for SmtpRelay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpRelay")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("user", &self.user)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .field("starttls", &self.starttls)
            .finish()
    }
}

/// One alert e-mail, in words.
#[derive(Debug, Clone)]
pub struct Email {
    pub to: String,
    pub subject: String,
    pub body: String,
    /// The one-click unsubscribe address.
    pub unsubscribe: String,
}

#[derive(Clone)]
enum Sender {
    Folder(PathBuf),
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
}

/// Sends alert e-mails the configured way.
#[derive(Clone)]
pub struct Mailer {
    sender: Sender,
    from: String,
}

impl fmt::Debug for Mailer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let transport = match &self.sender {
            Sender::Folder(folder) => format!("folder {}", folder.display()),
            Sender::Smtp(_) => "smtp".to_owned(),
        };
        f.debug_struct("Mailer")
            .field("transport", &transport)
            .field("from", &self.from)
            .finish()
    }
}

impl Default for Mailer {
    fn default() -> Self {
        Mailer {
            sender: Sender::Folder(default_folder()),
            from: MailConfig::default().from,
        }
    }
}

fn mail_error(what: &str, e: impl fmt::Display) -> ServiceError {
    ServiceError::Internal(format!("{what}: {e}"))
}

impl Mailer {
    /// A mailer for the settings; an SMTP relay without a host is refused.
    pub fn new(config: &MailConfig) -> Result<Mailer, ServiceError> {
        config
            .from
            .parse::<lettre::message::Mailbox>()
            .map_err(|e| mail_error(&format!("email.from {:?}", config.from), e))?;
        let sender = match &config.transport {
            Transport::Folder(folder) => Sender::Folder(folder.clone()),
            Transport::Smtp(SmtpRelay {
                host,
                port,
                user,
                password,
                starttls,
            }) => {
                if host.trim().is_empty() {
                    return Err(mail_error(
                        "email.host",
                        "the smtp transport needs the relay's host name",
                    ));
                }
                let mut builder = if *starttls {
                    AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host)
                        .map_err(|e| mail_error(&format!("email.host {host:?}"), e))?
                } else {
                    AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
                }
                .port(*port);
                if let Some(user) = user {
                    builder = builder.credentials(Credentials::new(
                        user.clone(),
                        password.clone().unwrap_or_default(),
                    ));
                }
                Sender::Smtp(builder.build())
            }
        };
        Ok(Mailer {
            sender,
            from: config.from.clone(),
        })
    }

    /// A mailer writing `.eml` files into `folder`.
    pub fn folder(folder: PathBuf) -> Mailer {
        Mailer {
            sender: Sender::Folder(folder),
            ..Mailer::default()
        }
    }

    /// The message as it goes out: plain text, with the unsubscribe headers.
    fn message(&self, email: &Email) -> Result<Message, ServiceError> {
        let from = self
            .from
            .parse()
            .map_err(|e| mail_error(&format!("sender {:?}", self.from), e))?;
        let to = email
            .to
            .parse()
            .map_err(|e| mail_error(&format!("recipient {:?}", email.to), e))?;
        let mut message = Message::builder()
            .from(from)
            .to(to)
            .subject(email.subject.as_str())
            .header(ContentType::TEXT_PLAIN)
            .message_id(None)
            .body(email.body.clone())
            .map_err(|e| mail_error("cannot build the e-mail", e))?;
        let headers = message.headers_mut();
        headers.insert_raw(HeaderValue::new(
            HeaderName::new_from_ascii_str("List-Unsubscribe"),
            format!("<{}>", email.unsubscribe),
        ));
        headers.insert_raw(HeaderValue::new(
            HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
            "List-Unsubscribe=One-Click".to_owned(),
        ));
        Ok(message)
    }

    /// Sends one e-mail (or writes it to the folder).
    pub async fn send(&self, email: &Email) -> Result<(), ServiceError> {
        let message = self.message(email)?;
        match &self.sender {
            Sender::Folder(folder) => {
                tokio::fs::create_dir_all(folder).await.map_err(|e| {
                    mail_error(&format!("cannot create the outbox {}", folder.display()), e)
                })?;
                let name = format!(
                    "{}-{}.eml",
                    super::accounts::now(),
                    super::accounts::random_token(6)
                );
                // Written under a temporary name, so a reader never sees half a message.
                let part = folder.join(format!("{name}.part"));
                tokio::fs::write(&part, message.formatted())
                    .await
                    .map_err(|e| mail_error(&format!("cannot write {}", part.display()), e))?;
                tokio::fs::rename(&part, folder.join(&name))
                    .await
                    .map_err(|e| mail_error(&format!("cannot name {}", part.display()), e))?;
            }
            Sender::Smtp(transport) => {
                transport
                    .send(message)
                    .await
                    .map_err(|e| mail_error(&format!("cannot send to {}", email.to), e))?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_smtp_password_never_appears_in_debug_output() {
        let config = MailConfig {
            transport: Transport::Smtp(SmtpRelay {
                host: "smtp.example.org".into(),
                user: Some("hcx".into()),
                password: Some("hunter2".into()),
                ..SmtpRelay::default()
            }),
            ..MailConfig::default()
        };
        assert!(!format!("{config:?}").contains("hunter2"));
        let mailer = Mailer::new(&config).unwrap();
        assert!(!format!("{mailer:?}").contains("hunter2"));
    }

    #[test]
    fn an_smtp_relay_needs_a_host() {
        let config = MailConfig {
            transport: Transport::Smtp(SmtpRelay {
                host: " ".into(),
                ..SmtpRelay::default()
            }),
            ..MailConfig::default()
        };
        assert!(Mailer::new(&config).is_err());
    }
}
