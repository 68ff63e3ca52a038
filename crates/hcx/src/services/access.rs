//! Who is calling a service, and the answer when the policy says no.

use hcx_domain::access::{Actor, Capability, Denied, Verb};
use hcx_domain::{Offer, Record, access};
use hcx_store::Author;

use super::ServiceError;

/// The person (or the command line) behind a service call, and the request
/// it came with, for the audit log.
#[derive(Debug, Clone)]
pub struct Caller {
    pub actor: Actor,
    pub request_id: Option<String>,
}

impl Caller {
    pub fn anonymous() -> Caller {
        Caller {
            actor: Actor::anonymous(),
            request_id: None,
        }
    }

    /// The command line: it has the database itself, so the policy's admin.
    pub fn command_line() -> Caller {
        let name = std::env::var("USER")
            .ok()
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| "operator".into());
        Caller {
            actor: Actor::command_line(&name),
            request_id: None,
        }
    }

    /// How writes by this caller are signed in the audit log.
    pub fn author(&self) -> Author {
        Author {
            actor_id: self.actor.id.clone(),
            actor_name: self.actor.name.clone(),
            request_id: self.request_id.clone(),
        }
    }

    /// The policy's answer for `verb` on `record`, as a service error.
    pub fn check(&self, verb: Verb, record: &Record) -> Result<(), ServiceError> {
        self.actor
            .check(verb, record)
            .map_err(|d| denied(d, record.kind(), record.id()))
    }

    /// Whether the caller may replace `old` by `new`.
    pub fn check_replace(&self, old: &Record, new: &Record) -> Result<(), ServiceError> {
        self.actor
            .check_replace(old, new)
            .map_err(|d| denied(d, old.kind(), old.id()))
    }

    pub fn check_capability(&self, capability: Capability) -> Result<(), ServiceError> {
        self.actor
            .check_capability(capability)
            .map_err(|d| denied(d, "capability", ""))
    }

    /// The record as this caller may see it: offers lose their commercial
    /// parts for anyone but their provider and the agency.
    pub fn present(&self, record: Record) -> Record {
        match record {
            Record::Offer(o) => Record::Offer(self.present_offer(o)),
            other => other,
        }
    }

    /// An offer as this caller may see it.
    pub fn present_offer(&self, offer: Offer) -> Offer {
        match self.actor.offer_view(&offer) {
            access::View::Full => offer,
            access::View::Public => access::public_offer(&offer),
        }
    }
}

impl Caller {
    /// The record as JSON, as this caller may see it: public views of
    /// opportunities leave out the buyer.
    pub fn to_value(&self, record: Record) -> serde_json::Value {
        let hide_buyer = matches!(record, Record::Opportunity(_))
            && self.actor.opportunity_view() == access::View::Public;
        let mut value = self.present(record).to_value();
        if hide_buyer && let Some(map) = value.as_object_mut() {
            map.remove("buyer");
        }
        value
    }
}

impl Caller {
    /// The refusal for something the caller may see but not use: sign in
    /// first when anonymous, forbidden otherwise.
    pub fn refuse(&self, kind: &'static str, id: &str) -> ServiceError {
        let d = if self.actor.role.is_some() {
            Denied::Forbidden
        } else {
            Denied::SignIn
        };
        denied(d, kind, id)
    }
}

/// A refusal as an error: hidden records are simply not found.
pub fn denied(d: Denied, kind: &'static str, id: &str) -> ServiceError {
    match d {
        Denied::Hidden => ServiceError::NotFound {
            kind,
            id: id.to_owned(),
        },
        Denied::SignIn => ServiceError::SignIn,
        Denied::Forbidden => ServiceError::Forbidden(if id.is_empty() {
            "your account may not do this".to_owned()
        } else {
            format!("your account may not do this to {kind} {id:?}")
        }),
    }
}
