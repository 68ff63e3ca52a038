//! What every page shares: its title, where it sits in the navigation, and
//! who is looking.

use hcx_domain::access::Capability;
use hcx_domain::vocab::Role;

use crate::web::auth::{self, Viewer};

/// The part of the site a page belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Dashboard,
    Opportunities,
    Organisations,
    Screening,
    Cases,
    Consortia,
    Quotes,
    Admin,
    Other,
}

/// The layout's data: `base.html` reads it.
#[derive(Debug, Clone)]
pub struct Layout {
    pub title: String,
    section: Section,
    /// Whether the page is the section's own list page, rather than a page within it.
    index: bool,
    viewer: Viewer,
}

/// One link of the main navigation.
#[derive(Debug, Clone)]
pub struct NavLink {
    pub href: &'static str,
    pub label: &'static str,
    /// `page` on the section's own page, `true` on a page within the section.
    pub current: Option<&'static str>,
}

/// The main navigation: each link with what the viewer needs to be shown it.
const NAV: [(&str, &str, Section, Option<Capability>); 8] = [
    ("/", "Dashboard", Section::Dashboard, None),
    (
        "/opportunities",
        "Opportunities",
        Section::Opportunities,
        None,
    ),
    (
        "/organisations",
        "Organisations",
        Section::Organisations,
        None,
    ),
    (
        "/screening",
        "Screening",
        Section::Screening,
        Some(Capability::Screening),
    ),
    (
        "/cases",
        "Due diligence",
        Section::Cases,
        Some(Capability::DueDiligence),
    ),
    (
        "/consortia",
        "Consortia",
        Section::Consortia,
        Some(Capability::Consortia),
    ),
    (
        "/quotes",
        "Quotes",
        Section::Quotes,
        Some(Capability::Quoting),
    ),
    ("/api/v1/docs", "API docs", Section::Other, None),
];

impl Layout {
    /// A section's own page.
    pub fn new(title: impl Into<String>, section: Section) -> Layout {
        Layout {
            title: title.into(),
            section,
            index: true,
            viewer: auth::viewer(),
        }
    }

    /// The token every form of the page carries.
    pub fn csrf(&self) -> &str {
        &self.viewer.csrf
    }

    /// The signed-in person's e-mail address and role, if anyone is signed in.
    pub fn signed_in(&self) -> Option<(&str, &'static str)> {
        let actor = &self.viewer.caller.actor;
        actor.role.map(|role| (actor.name.as_str(), role.label()))
    }

    /// The viewer's unread notifications.
    pub fn unread(&self) -> i64 {
        self.viewer.unread
    }

    /// Whether the viewer administers accounts.
    pub fn is_admin(&self) -> bool {
        self.viewer.caller.actor.role == Some(Role::Admin)
    }

    /// Where signing in brings the viewer back to.
    pub fn sign_in_href(&self) -> String {
        let back = match self.viewer.path.as_str() {
            p if p.starts_with("/login") => "/",
            p => p,
        };
        let query: String = form_urlencoded::Serializer::new(String::new())
            .append_pair("next", back)
            .finish();
        format!("/login?{query}")
    }

    /// A page within a section (one record, a form).
    pub fn within(title: impl Into<String>, section: Section) -> Layout {
        Layout {
            index: false,
            ..Layout::new(title, section)
        }
    }

    pub fn nav(&self) -> Vec<NavLink> {
        let actor = &self.viewer.caller.actor;
        NAV.iter()
            .filter(|(.., needs)| needs.is_none_or(|c| actor.check_capability(c).is_ok()))
            .map(|&(href, label, section, _)| NavLink {
                href,
                label,
                current: match (
                    section == self.section && section != Section::Other,
                    self.index,
                ) {
                    (false, _) => None,
                    (true, true) => Some("page"),
                    (true, false) => Some("true"),
                },
            })
            .collect()
    }
}
