//! Who may see and do what: the one access policy, used alike by the web
//! pages, the JSON API and the command line.
//!
//! The rules, in short:
//! - `admin` may do everything, and alone manages accounts and reads the audit log;
//! - `adviser` (the agency) sees everything, edits the registry, publishes
//!   opportunities, runs bulk imports and exports, and ranks providers for
//!   opportunities (with those the hard rules keep out);
//! - `post` (an embassy trade team) creates and edits opportunities in the
//!   countries of its posts;
//! - `provider` members keep their organisations' offers and strategy; no one
//!   else but the agency sees a provider's strategy or the commercial parts of
//!   its offers (prices, capacity);
//! - a provider's due-diligence cases are its members' and the agency's, and
//!   hidden from everyone else; the cases the agency opens for every provider
//!   are the agency's alone (providers meet them only as matching's blocks);
//! - a provider's quotes are its members' and the agency's; the buyer of the
//!   opportunity a quote answers sees the versions issued to it and accepts
//!   or rejects them; a provider's reinvestment pot is its own and the agency's;
//! - `buyer` members keep their organisations' opportunities until published;
//! - `network` members read aggregates of their networks' organisations;
//! - the agency, providers and posts screen names against the sanctions
//!   lists, which the agency alone imports;
//! - everyone, signed in or not, sees the directory of organisations, offers
//!   without their commercial parts, and published or closed opportunities,
//!   which anonymous visitors see without the buyer.
//!
//! Members of an organisation may also correct its directory entry. A record
//! an actor may not read is hidden — answered as if it did not exist — so ids
//! cannot be probed.

use crate::codes::{CountryCode, NetworkCode, OrganisationId};
use crate::interchange::Record;
use crate::offer::Offer;
use crate::opportunity::{Action, Opportunity, Status};
use crate::organisation::Organisation;
use crate::strategy::Strategy;
use crate::vocab::{OrgKind, Role};

/// Opportunities in these statuses are public.
pub const PUBLIC_STATUSES: &[Status] = &[Status::Published, Status::Closed];

/// An organisation an actor belongs to, with what the policy reads of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    pub organisation: OrganisationId,
    pub kind: OrgKind,
    pub country: CountryCode,
    pub network: Option<NetworkCode>,
}

/// Who is acting: a person (through a session or an API token), the command
/// line, or an anonymous visitor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// Stable id for the audit log: `user:ID`, `cli:NAME` or `anonymous`.
    pub id: String,
    /// What people read in the audit log: an e-mail address or a name.
    pub name: String,
    /// `None` for an anonymous visitor.
    pub role: Option<Role>,
    pub memberships: Vec<Membership>,
}

/// Why an actor may not do something.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denied {
    /// Anonymous: signing in may help.
    SignIn,
    /// Signed in, may see the record, may not do this.
    Forbidden,
    /// May not even know the record exists.
    Hidden,
}

/// What an actor wants to do with a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    Read,
    Create,
    Update,
    Delete,
}

/// Things that are not records but are guarded all the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Capability {
    /// Bulk import and export of the registry.
    Bulk,
    /// Reading and exporting the audit log.
    Audit,
    /// Adding, disabling and resetting accounts; tokens of others.
    Accounts,
    /// Ranking every provider for an opportunity, with those the rules keep out.
    Matchmaking,
    /// Screening names against the sanctions and other lists: the agency,
    /// providers vetting their partners, and embassy trade teams.
    Screening,
    /// Importing and replacing screening lists.
    Lists,
    /// Opening and working due-diligence cases: the agency, and providers
    /// on their partners (each case itself is [`Actor::check_case`]'s).
    DueDiligence,
    /// Consortia for bundled opportunities: the agency proposes them,
    /// providers see those they are in and answer for themselves.
    Consortia,
    /// Pricing work and seeing quotes: the agency, providers, and buyers
    /// (each quote itself is [`Actor::quote_side`]'s).
    Quoting,
}

/// The side of a quote an actor is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuoteSide {
    /// The provider's people and the agency: every version, every step.
    Seller,
    /// The buyer's people: the versions issued to them, and the answer.
    Buyer,
}

/// How much of a record an actor sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Full,
    /// Offers without prices and capacity; opportunities without the buyer.
    Public,
}

/// Which opportunities an actor may see: the public ones, plus everything
/// (`everything`), plus those of some buyers and some countries.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OpportunityScope {
    pub everything: bool,
    pub buyers: Vec<OrganisationId>,
    pub countries: Vec<CountryCode>,
}

impl OpportunityScope {
    /// Whether an opportunity of this buyer, country and status is in scope.
    pub fn admits(&self, buyer: &OrganisationId, country: &CountryCode, status: Status) -> bool {
        self.everything
            || PUBLIC_STATUSES.contains(&status)
            || self.buyers.contains(buyer)
            || self.countries.contains(country)
    }
}

impl Actor {
    /// A visitor who has not signed in.
    pub fn anonymous() -> Actor {
        Actor {
            id: "anonymous".into(),
            name: "anonymous".into(),
            role: None,
            memberships: Vec::new(),
        }
    }

    /// The command line, run by someone with access to the database itself.
    pub fn command_line(name: &str) -> Actor {
        Actor {
            id: format!("cli:{name}"),
            name: format!("{name} (command line)"),
            role: Some(Role::Admin),
            memberships: Vec::new(),
        }
    }

    fn is(&self, role: Role) -> bool {
        self.role == Some(role)
    }

    /// The agency's view: admins and advisers see and edit the whole registry.
    pub fn is_staff(&self) -> bool {
        matches!(self.role, Some(Role::Admin | Role::Adviser))
    }

    /// Whether the actor belongs to this organisation.
    pub fn is_member(&self, organisation: &OrganisationId) -> bool {
        self.memberships
            .iter()
            .any(|m| &m.organisation == organisation)
    }

    /// Countries an embassy trade team covers: those of its posts.
    pub fn post_countries(&self) -> Vec<CountryCode> {
        if !self.is(Role::Post) {
            return Vec::new();
        }
        self.memberships
            .iter()
            .filter(|m| m.kind == OrgKind::Post)
            .map(|m| m.country.clone())
            .collect()
    }

    /// Networks whose aggregates a network member reads.
    pub fn networks(&self) -> Vec<NetworkCode> {
        if !self.is(Role::Network) {
            return Vec::new();
        }
        self.memberships
            .iter()
            .filter_map(|m| m.network.clone())
            .collect()
    }

    fn signed_in(&self, denied: Denied) -> Result<(), Denied> {
        if self.role.is_none() {
            Err(Denied::SignIn)
        } else {
            Err(denied)
        }
    }

    /// Whether a guarded capability is the actor's.
    pub fn check_capability(&self, capability: Capability) -> Result<(), Denied> {
        let allowed = match capability {
            Capability::Bulk | Capability::Matchmaking | Capability::Lists => self.is_staff(),
            Capability::Screening => {
                self.is_staff() || self.is(Role::Provider) || self.is(Role::Post)
            }
            Capability::DueDiligence | Capability::Consortia => {
                self.is_staff() || self.is(Role::Provider)
            }
            Capability::Quoting => {
                self.is_staff() || self.is(Role::Provider) || self.is(Role::Buyer)
            }
            Capability::Audit | Capability::Accounts => self.is(Role::Admin),
        };
        if allowed {
            Ok(())
        } else {
            self.signed_in(Denied::Forbidden)
        }
    }

    /// Whether the actor may do `verb` to `record` as it stands.
    pub fn check(&self, verb: Verb, record: &Record) -> Result<(), Denied> {
        match record {
            Record::Organisation(o) => self.check_organisation(verb, o),
            Record::Offer(o) => self.check_offer(verb, o),
            Record::Strategy(s) => self.check_strategy(verb, s),
            Record::Opportunity(o) => self.check_opportunity(verb, o),
        }
    }

    /// Whether the actor may replace `old` by `new`: both must be theirs to
    /// change, and only the agency may change what kind an organisation is.
    pub fn check_replace(&self, old: &Record, new: &Record) -> Result<(), Denied> {
        self.check(Verb::Update, old)?;
        // The new version is not yet anyone's to see: refusing it is a plain no.
        self.check(Verb::Update, new).map_err(|d| match d {
            Denied::Hidden => Denied::Forbidden,
            other => other,
        })?;
        match (old, new) {
            (Record::Organisation(a), Record::Organisation(b))
                if a.kind != b.kind && !self.is_staff() =>
            {
                Err(Denied::Forbidden)
            }
            _ => Ok(()),
        }
    }

    fn check_organisation(&self, verb: Verb, o: &Organisation) -> Result<(), Denied> {
        let allowed = match verb {
            Verb::Read => true,
            Verb::Update => self.is_staff() || self.is_member(&o.id),
            Verb::Create | Verb::Delete => self.is_staff(),
        };
        if allowed {
            Ok(())
        } else {
            self.signed_in(Denied::Forbidden)
        }
    }

    /// Provider members of the offer's provider, and the agency.
    fn keeps_provider(&self, provider: &OrganisationId) -> bool {
        self.is_staff() || (self.is(Role::Provider) && self.is_member(provider))
    }

    fn check_offer(&self, verb: Verb, o: &Offer) -> Result<(), Denied> {
        if verb == Verb::Read || self.keeps_provider(&o.provider) {
            Ok(())
        } else {
            self.signed_in(Denied::Forbidden)
        }
    }

    fn check_strategy(&self, _verb: Verb, s: &Strategy) -> Result<(), Denied> {
        if self.keeps_provider(&s.provider) {
            Ok(())
        } else {
            Err(Denied::Hidden)
        }
    }

    /// Whether the actor looks after this opportunity: the agency, the
    /// buyer's members and the posts of its country (who see its shortlist).
    pub fn looks_after(&self, o: &Opportunity) -> bool {
        self.is_staff() || self.owns_opportunity(o)
    }

    /// Whether the actor is one of those who look after this opportunity
    /// before it is public: the buyer's members and the posts of its country.
    fn owns_opportunity(&self, o: &Opportunity) -> bool {
        (self.is(Role::Buyer) && self.is_member(&o.buyer))
            || self.post_countries().contains(&o.country)
    }

    fn check_opportunity(&self, verb: Verb, o: &Opportunity) -> Result<(), Denied> {
        // What does not exist yet cannot be hidden.
        if verb != Verb::Create
            && !self
                .opportunity_scope()
                .admits(&o.buyer, &o.country, o.status)
        {
            return Err(Denied::Hidden);
        }
        let allowed = self.is_staff()
            || match verb {
                Verb::Read => true,
                Verb::Create => self.owns_opportunity(o),
                // A buyer's own changes stop once it has asked for review.
                Verb::Update | Verb::Delete => {
                    self.owns_opportunity(o) && (self.is(Role::Post) || o.status == Status::Draft)
                }
            };
        if allowed {
            Ok(())
        } else {
            self.signed_in(Denied::Forbidden)
        }
    }

    /// Whether the actor may take a lifecycle step: the agency publishes and
    /// returns; those who look after an opportunity submit, close and withdraw it.
    pub fn check_action(&self, action: Action, o: &Opportunity) -> Result<(), Denied> {
        self.check_opportunity(Verb::Read, o)?;
        let allowed = self.is_staff()
            || match action {
                Action::Publish | Action::Return => false,
                Action::Submit | Action::Close | Action::Withdraw => self.owns_opportunity(o),
            };
        if allowed {
            Ok(())
        } else {
            self.signed_in(Denied::Forbidden)
        }
    }

    /// The opportunities the actor may see.
    pub fn opportunity_scope(&self) -> OpportunityScope {
        OpportunityScope {
            everything: self.is_staff(),
            buyers: if self.is(Role::Buyer) {
                self.memberships
                    .iter()
                    .map(|m| m.organisation.clone())
                    .collect()
            } else {
                Vec::new()
            },
            countries: self.post_countries(),
        }
    }

    /// Whether the actor sees an organisation's twinning suggestions: for a
    /// provider, its own people and the agency; for an overseas buyer, its
    /// own people, the posts of its country and the agency.
    pub fn check_twinning(&self, o: &Organisation) -> Result<(), Denied> {
        let allowed = self.is_staff()
            || match o.kind {
                OrgKind::Buyer => {
                    (self.is(Role::Buyer) && self.is_member(&o.id))
                        || self.post_countries().contains(&o.country)
                }
                _ => self.keeps_provider(&o.id),
            };
        if allowed {
            Ok(())
        } else {
            self.signed_in(Denied::Forbidden)
        }
    }

    /// Whether the actor may say, or unsay, that an organisation is
    /// interested in twinning: its own people and the agency, nobody else.
    pub fn check_twinning_interest(&self, o: &Organisation) -> Result<(), Denied> {
        let own = match o.kind {
            OrgKind::Buyer => self.is(Role::Buyer) && self.is_member(&o.id),
            _ => self.keeps_provider(&o.id),
        };
        if self.is_staff() || own {
            Ok(())
        } else {
            self.signed_in(Denied::Forbidden)
        }
    }

    /// Whether the actor sees a provider's commercial data: its strategy,
    /// prices and capacity.
    pub fn sees_commercial(&self, provider: &OrganisationId) -> bool {
        self.keeps_provider(provider)
    }

    /// Whether the actor may see and work on a due-diligence case owned by
    /// `owner` (none: opened by the agency for every provider): that
    /// provider's members and the agency; to anyone else it is hidden.
    pub fn check_case(&self, owner: Option<&OrganisationId>) -> Result<(), Denied> {
        let allowed = match owner {
            Some(provider) => self.keeps_provider(provider),
            None => self.is_staff(),
        };
        if allowed { Ok(()) } else { Err(Denied::Hidden) }
    }

    /// Whether the actor may see a consortium of these members, with its
    /// split and answers: the agency and the members' own people; to anyone
    /// else it is hidden.
    pub fn check_consortium(&self, members: &[OrganisationId]) -> Result<(), Denied> {
        if members.iter().any(|m| self.keeps_provider(m)) {
            Ok(())
        } else {
            Err(Denied::Hidden)
        }
    }

    /// Which side of a quote of `provider` to `buyer` the actor is on: the
    /// provider's people and the agency price it; the buyer's people see
    /// what was issued to them and answer it; to anyone else it is hidden.
    pub fn quote_side(
        &self,
        provider: &OrganisationId,
        buyer: Option<&OrganisationId>,
    ) -> Result<QuoteSide, Denied> {
        if self.keeps_provider(provider) {
            Ok(QuoteSide::Seller)
        } else if self.is(Role::Buyer) && buyer.is_some_and(|b| self.is_member(b)) {
            Ok(QuoteSide::Buyer)
        } else {
            Err(Denied::Hidden)
        }
    }

    /// Whether the actor may see and add to a provider's reinvestment pot:
    /// its people and the agency; to anyone else it is hidden.
    pub fn check_reinvestment(&self, provider: &OrganisationId) -> Result<(), Denied> {
        if self.keeps_provider(provider) {
            Ok(())
        } else {
            Err(Denied::Hidden)
        }
    }

    /// Whether the actor may answer for a member of a consortium: only the
    /// member's own people, since the agreement is theirs to give.
    pub fn check_consortium_answer(&self, member: &OrganisationId) -> Result<(), Denied> {
        if self.is(Role::Provider) && self.is_member(member) {
            Ok(())
        } else {
            self.signed_in(Denied::Forbidden)
        }
    }

    /// How much of an offer the actor sees.
    pub fn offer_view(&self, o: &Offer) -> View {
        if self.sees_commercial(&o.provider) {
            View::Full
        } else {
            View::Public
        }
    }

    /// Whether the actor may subscribe to alerts of new opportunities for
    /// `organisation`: the agency for any (or none), provider members for
    /// one of their own organisations only.
    pub fn check_subscribe(&self, organisation: Option<&OrganisationId>) -> Result<(), Denied> {
        let allowed = self.is_staff()
            || (self.is(Role::Provider) && organisation.is_some_and(|o| self.is_member(o)));
        if allowed {
            Ok(())
        } else {
            self.signed_in(Denied::Forbidden)
        }
    }

    /// How much of an opportunity the actor sees: anonymous visitors do not
    /// learn who the buyer is.
    pub fn opportunity_view(&self) -> View {
        if self.role.is_some() {
            View::Full
        } else {
            View::Public
        }
    }
}

/// Whether a person with `role` may be a member of an organisation of `kind`:
/// provider accounts belong to providers and partners, buyer accounts to
/// buyers, post accounts to posts, network accounts to networks, advisers to
/// the agency; administrators to any.
pub fn role_fits(role: Role, kind: OrgKind) -> bool {
    match role {
        Role::Admin => true,
        Role::Adviser => kind == OrgKind::Agency,
        Role::Post => kind == OrgKind::Post,
        Role::Provider => matches!(kind, OrgKind::Provider | OrgKind::Partner),
        Role::Buyer => kind == OrgKind::Buyer,
        Role::Network => kind == OrgKind::Network,
    }
}

/// An offer with its commercial parts removed.
pub fn public_offer(o: &Offer) -> Offer {
    Offer {
        capacity_days_per_year: None,
        price_gbp: None,
        ..o.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Record;

    fn record(line: &str) -> Record {
        Record::parse_line(line).unwrap()
    }

    fn member(role: Role, organisation: &str, kind: OrgKind, country: &str) -> Actor {
        Actor {
            id: format!("user:{organisation}"),
            name: organisation.into(),
            role: Some(role),
            memberships: vec![Membership {
                organisation: OrganisationId::parse(organisation).unwrap(),
                kind,
                country: CountryCode::parse(country).unwrap(),
                network: None,
            }],
        }
    }

    fn opportunity(buyer: &str, country: &str, status: &str) -> Record {
        record(&format!(
            r#"{{"record":"opportunity","id":"o1","buyer":"{buyer}","country":"{country}","title":"ICU","description":"Critical care","source":"post","status":"{status}"}}"#
        ))
    }

    #[test]
    fn providers_subscribe_for_their_own_organisations_and_the_agency_for_any() {
        let own = OrganisationId::parse("RP4").unwrap();
        let other = OrganisationId::parse("RR8").unwrap();
        let provider = member(Role::Provider, "RP4", OrgKind::Provider, "GB");
        assert_eq!(provider.check_subscribe(Some(&own)), Ok(()));
        assert_eq!(
            provider.check_subscribe(Some(&other)),
            Err(Denied::Forbidden)
        );
        assert_eq!(provider.check_subscribe(None), Err(Denied::Forbidden));
        let adviser = member(Role::Adviser, "HCUK", OrgKind::Agency, "GB");
        assert_eq!(adviser.check_subscribe(Some(&other)), Ok(()));
        assert_eq!(adviser.check_subscribe(None), Ok(()));
        let buyer = member(Role::Buyer, "KW-MOH", OrgKind::Buyer, "KW");
        assert_eq!(buyer.check_subscribe(None), Err(Denied::Forbidden));
        assert_eq!(
            Actor::anonymous().check_subscribe(None),
            Err(Denied::SignIn)
        );
    }

    #[test]
    fn due_diligence_cases_are_their_providers_and_the_agencys() {
        let own = OrganisationId::parse("RP4").unwrap();
        let other = OrganisationId::parse("RR8").unwrap();
        let provider = member(Role::Provider, "RP4", OrgKind::Provider, "GB");
        assert_eq!(provider.check_case(Some(&own)), Ok(()));
        assert_eq!(provider.check_case(Some(&other)), Err(Denied::Hidden));
        assert_eq!(provider.check_case(None), Err(Denied::Hidden));
        let adviser = member(Role::Adviser, "HCUK", OrgKind::Agency, "GB");
        assert_eq!(adviser.check_case(Some(&other)), Ok(()));
        assert_eq!(adviser.check_case(None), Ok(()));
        let buyer = member(Role::Buyer, "RP4", OrgKind::Buyer, "KW");
        assert_eq!(buyer.check_case(Some(&own)), Err(Denied::Hidden));
        assert_eq!(provider.check_capability(Capability::DueDiligence), Ok(()));
        assert_eq!(adviser.check_capability(Capability::DueDiligence), Ok(()));
        assert_eq!(
            buyer.check_capability(Capability::DueDiligence),
            Err(Denied::Forbidden)
        );
        let post = member(Role::Post, "POST-KW", OrgKind::Post, "KW");
        assert_eq!(
            post.check_capability(Capability::DueDiligence),
            Err(Denied::Forbidden),
            "embassy teams screen names but keep no cases"
        );
        assert_eq!(Actor::anonymous().check_case(None), Err(Denied::Hidden));
    }

    fn offer(provider: &str) -> Record {
        record(&format!(
            r#"{{"record":"offer","id":"f1","provider":"{provider}","title":"Training","description":"Nurses","service_lines":["education_training"],"delivery_modes":["remote"],"capacity_days_per_year":100,"price_gbp":{{"min":1000,"max":2000}}}}"#
        ))
    }

    fn strategy(provider: &str) -> Record {
        record(&format!(
            r#"{{"record":"strategy","id":"s1","provider":"{provider}","excluded_countries":["RU"]}}"#
        ))
    }

    #[test]
    fn a_provider_never_reaches_another_providers_strategy() {
        let mine = member(Role::Provider, "RP4", OrgKind::Provider, "GB");
        assert_eq!(mine.check(Verb::Read, &strategy("RP4")), Ok(()));
        assert_eq!(
            mine.check(Verb::Read, &strategy("RRV")),
            Err(Denied::Hidden)
        );
        assert_eq!(
            Actor::anonymous().check(Verb::Read, &strategy("RP4")),
            Err(Denied::Hidden)
        );
    }

    #[test]
    fn offers_are_public_but_their_prices_are_the_providers() {
        let Record::Offer(o) = offer("RP4") else {
            unreachable!()
        };
        let mine = member(Role::Provider, "RP4", OrgKind::Provider, "GB");
        let rival = member(Role::Provider, "RRV", OrgKind::Provider, "GB");
        assert_eq!(mine.offer_view(&o), View::Full);
        assert_eq!(rival.offer_view(&o), View::Public);
        assert_eq!(Actor::anonymous().offer_view(&o), View::Public);
        let public = public_offer(&o);
        assert!(public.price_gbp.is_none() && public.capacity_days_per_year.is_none());
        assert_eq!(
            rival.check(Verb::Update, &offer("RP4")),
            Err(Denied::Forbidden)
        );
        assert_eq!(
            Actor::anonymous().check(Verb::Update, &offer("RP4")),
            Err(Denied::SignIn)
        );
    }

    #[test]
    fn drafts_are_seen_by_their_buyer_their_post_and_the_agency_only() {
        let draft = opportunity("MOH-JO", "JO", "draft");
        let buyer = member(Role::Buyer, "MOH-JO", OrgKind::Buyer, "JO");
        let other_buyer = member(Role::Buyer, "MOH-AE", OrgKind::Buyer, "AE");
        let post = member(Role::Post, "POST-JO", OrgKind::Post, "JO");
        let other_post = member(Role::Post, "POST-AE", OrgKind::Post, "AE");
        let adviser = member(Role::Adviser, "HCUK", OrgKind::Agency, "GB");
        for actor in [&buyer, &post, &adviser] {
            assert_eq!(actor.check(Verb::Read, &draft), Ok(()), "{}", actor.id);
            assert_eq!(actor.check(Verb::Update, &draft), Ok(()), "{}", actor.id);
        }
        for actor in [&other_buyer, &other_post, &Actor::anonymous()] {
            assert_eq!(
                actor.check(Verb::Read, &draft),
                Err(Denied::Hidden),
                "{}",
                actor.id
            );
        }
        let published = opportunity("MOH-JO", "JO", "published");
        assert_eq!(Actor::anonymous().check(Verb::Read, &published), Ok(()));
        assert_eq!(Actor::anonymous().opportunity_view(), View::Public);
        assert_eq!(
            other_post.check(Verb::Update, &published),
            Err(Denied::Forbidden)
        );
    }

    #[test]
    fn a_buyer_stops_editing_once_it_asks_for_review_and_only_the_agency_publishes() {
        let buyer = member(Role::Buyer, "MOH-JO", OrgKind::Buyer, "JO");
        let post = member(Role::Post, "POST-JO", OrgKind::Post, "JO");
        let pending = opportunity("MOH-JO", "JO", "pending_review");
        assert_eq!(buyer.check(Verb::Read, &pending), Ok(()));
        assert_eq!(buyer.check(Verb::Update, &pending), Err(Denied::Forbidden));
        assert_eq!(post.check(Verb::Update, &pending), Ok(()));
        let Record::Opportunity(o) = pending else {
            unreachable!()
        };
        assert_eq!(
            post.check_action(Action::Publish, &o),
            Err(Denied::Forbidden)
        );
        assert_eq!(post.check_action(Action::Withdraw, &o), Ok(()));
        let adviser = member(Role::Adviser, "HCUK", OrgKind::Agency, "GB");
        assert_eq!(adviser.check_action(Action::Publish, &o), Ok(()));
    }

    #[test]
    fn members_correct_their_entry_but_cannot_change_its_kind() {
        let buyer = member(Role::Buyer, "MOH-JO", OrgKind::Buyer, "JO");
        let old = record(
            r#"{"record":"organisation","id":"MOH-JO","name":"Ministry of Health","kind":"buyer","sector":"government","country":"JO"}"#,
        );
        let renamed = record(
            r#"{"record":"organisation","id":"MOH-JO","name":"Ministry of Health of Jordan","kind":"buyer","sector":"government","country":"JO"}"#,
        );
        let rekinded = record(
            r#"{"record":"organisation","id":"MOH-JO","name":"Ministry of Health","kind":"provider","sector":"government","country":"JO"}"#,
        );
        assert_eq!(buyer.check_replace(&old, &renamed), Ok(()));
        assert_eq!(buyer.check_replace(&old, &rekinded), Err(Denied::Forbidden));
        assert_eq!(buyer.check(Verb::Create, &old), Err(Denied::Forbidden));
    }

    #[test]
    fn twinning_is_seen_by_each_sides_own_people_and_a_buyers_post_and_said_only_by_its_own() {
        let org = |line: &str| match record(line) {
            Record::Organisation(o) => o,
            _ => unreachable!(),
        };
        let trust = org(
            r#"{"record":"organisation","id":"RP4","name":"GOSH","kind":"provider","sector":"nhs","country":"GB"}"#,
        );
        let ministry = org(
            r#"{"record":"organisation","id":"MOH-JO","name":"Ministry","kind":"buyer","sector":"government","country":"JO"}"#,
        );
        let provider = member(Role::Provider, "RP4", OrgKind::Provider, "GB");
        let rival = member(Role::Provider, "RRV", OrgKind::Provider, "GB");
        let buyer = member(Role::Buyer, "MOH-JO", OrgKind::Buyer, "JO");
        let post = member(Role::Post, "POST-JO", OrgKind::Post, "JO");
        let other_post = member(Role::Post, "POST-AE", OrgKind::Post, "AE");
        let adviser = member(Role::Adviser, "HCUK", OrgKind::Agency, "GB");
        for (actor, sees, says) in [
            (&provider, (true, false), (true, false)),
            (&rival, (false, false), (false, false)),
            (&buyer, (false, true), (false, true)),
            (&post, (false, true), (false, false)),
            (&other_post, (false, false), (false, false)),
            (&adviser, (true, true), (true, true)),
        ] {
            let got = (
                actor.check_twinning(&trust).is_ok(),
                actor.check_twinning(&ministry).is_ok(),
            );
            assert_eq!(got, sees, "{} sees", actor.id);
            let got = (
                actor.check_twinning_interest(&trust).is_ok(),
                actor.check_twinning_interest(&ministry).is_ok(),
            );
            assert_eq!(got, says, "{} says", actor.id);
        }
        assert_eq!(
            Actor::anonymous().check_twinning(&ministry),
            Err(Denied::SignIn)
        );
    }

    #[test]
    fn only_admins_manage_accounts_and_read_the_audit_log() {
        let adviser = member(Role::Adviser, "HCUK", OrgKind::Agency, "GB");
        assert_eq!(adviser.check_capability(Capability::Bulk), Ok(()));
        assert_eq!(
            adviser.check_capability(Capability::Audit),
            Err(Denied::Forbidden)
        );
        assert_eq!(
            Actor::anonymous().check_capability(Capability::Accounts),
            Err(Denied::SignIn)
        );
        assert_eq!(
            Actor::command_line("ops").check_capability(Capability::Audit),
            Ok(())
        );
    }
}
