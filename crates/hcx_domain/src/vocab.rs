//! The closed vocabularies of the interchange format: each value with its
//! wire name and a label for people.

macro_rules! vocabulary {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $wire:literal / $label:literal,)+ }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name { $($variant,)+ }

        impl $name {
            /// Wire names paired with values, in display order.
            pub const NAMES: &'static [(&'static str, $name)] = &[$(($wire, $name::$variant),)+];

            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $wire,)+ }
            }

            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label,)+ }
            }

            pub fn parse(text: &str) -> Option<$name> {
                Self::NAMES.iter().find(|(n, _)| *n == text).map(|(_, v)| *v)
            }

            /// The value named `text`, or an error listing every name allowed.
            pub fn read(text: &str) -> Result<$name, String> {
                crate::fields::name_in(Self::NAMES, text)
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.label())
            }
        }
    };
}

pub(crate) use vocabulary;

vocabulary!(
    /// What an organisation is to hcx.
    OrgKind {
        Provider = "provider" / "Provider",
        Buyer = "buyer" / "Overseas buyer",
        Partner = "partner" / "Partner",
        Network = "network" / "Network",
        Agency = "agency" / "Agency",
        Post = "post" / "Embassy trade team",
    }
);

vocabulary!(
    /// The sector an organisation belongs to.
    Sector {
        Nhs = "nhs" / "NHS",
        Private = "private" / "Private",
        Government = "government" / "Government",
        University = "university" / "University",
        Charity = "charity" / "Charity",
        Multilateral = "multilateral" / "Multilateral",
    }
);

vocabulary!(
    /// The kinds of work UK providers sell abroad.
    ServiceLine {
        EducationTraining = "education_training" / "Education and training",
        Consultancy = "consultancy" / "Consultancy and advisory",
        ClinicalAdvice = "clinical_advice" / "Clinical advice",
        ServiceOperation = "service_operation" / "Running services overseas",
        Partnership = "partnership" / "Long-term partnership",
        Digital = "digital" / "Digital and remote",
        Research = "research" / "Research",
    }
);

vocabulary!(
    /// Where the work is done.
    DeliveryMode {
        InCountry = "in_country" / "In country",
        Remote = "remote" / "Remote",
        UkBased = "uk_based" / "In the UK",
    }
);

vocabulary!(
    /// A board's appetite for international risk.
    RiskAppetite {
        Low = "low" / "Low",
        Medium = "medium" / "Medium",
        High = "high" / "High",
    }
);

vocabulary!(
    /// How a provider is doing at home: international work must never come first.
    DomesticStatus {
        Green = "green" / "Green: good place domestically",
        Amber = "amber" / "Amber: only small, low-effort work",
        Red = "red" / "Red: no new international work",
    }
);

vocabulary!(
    /// Why a provider works abroad (Healthcare UK's five Rs, and philanthropy).
    Motive {
        Revenue = "revenue" / "Revenue",
        Reputation = "reputation" / "Reputation",
        ResearchLearning = "research_learning" / "Research and learning",
        RecruitmentRetention = "recruitment_retention" / "Recruitment and retention",
        Reach = "reach" / "Reach",
        Philanthropy = "philanthropy" / "Philanthropy",
    }
);

vocabulary!(
    /// Where an opportunity came from.
    Source {
        Post = "post" / "Embassy trade team",
        TradeMission = "trade_mission" / "Trade mission",
        Delegation = "delegation" / "Delegation",
        Tender = "tender" / "Public tender",
        Direct = "direct" / "Direct approach",
        Agency = "agency" / "Agency",
    }
);

vocabulary!(
    /// What a person's account may do; see [`crate::access`].
    Role {
        Admin = "admin" / "Administrator",
        Adviser = "adviser" / "Agency adviser",
        Post = "post" / "Embassy trade team",
        Provider = "provider" / "Provider",
        Buyer = "buyer" / "Overseas buyer",
        Network = "network" / "Network",
    }
);
