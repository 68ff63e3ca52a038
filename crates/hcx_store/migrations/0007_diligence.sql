-- Due diligence: a provider (or the agency, for every provider) opens a case
-- on an overseas partner; the partner and its people are screened, each hit
-- gets a verdict, the checklist is answered, the partner is rated and a
-- second person decides. The last decision stays on the case (outcome,
-- decided_by, decided_at, decision_note, expires_on) while it is reopened.

create table diligence_cases (
    id text not null,
    partner_id text not null,
    -- Null: opened by the agency for every provider.
    owner_id text,
    financial_notes text not null,
    rating text,
    rating_reasons text not null,
    status text not null,
    requested_by text,
    requested_at bigint,
    outcome text,
    decided_by text,
    decided_at bigint,
    decision_note text,
    -- YYYY-MM-DD: the first day the approval no longer holds.
    expires_on text,
    version bigint not null,
    created_at bigint not null,
    updated_at bigint not null,
    constraint diligence_cases_pkey primary key (id),
    constraint diligence_cases_partner_fkey foreign key (partner_id) references organisations (id),
    constraint diligence_cases_owner_fkey foreign key (owner_id) references organisations (id)
);
create index diligence_cases_partner_idx on diligence_cases (partner_id, decided_at);
create index diligence_cases_owner_idx on diligence_cases (owner_id, updated_at);

create table diligence_people (
    case_id text not null,
    id text not null,
    -- The order people are listed in.
    position bigint not null,
    name text not null,
    role text not null,
    birth_date text,
    country text,
    constraint diligence_people_pkey primary key (case_id, id),
    constraint diligence_people_case_fkey foreign key (case_id) references diligence_cases (id)
);

-- A hit about the partner itself has no person. Hits are never deleted.
create table diligence_hits (
    case_id text not null,
    id bigint not null,
    person_id text,
    list_name text not null,
    list_version text not null,
    entity_id text not null,
    caption text not null,
    schema text not null,
    -- A JSON array of topic names.
    topics text not null,
    -- The match score in thousandths.
    score_permille bigint not null,
    verdict text not null,
    reason text,
    reviewed_by text,
    reviewed_at bigint,
    found_at bigint not null,
    constraint diligence_hits_pkey primary key (case_id, id),
    constraint diligence_hits_case_fkey foreign key (case_id) references diligence_cases (id),
    constraint diligence_hits_person_fkey foreign key (case_id, person_id) references diligence_people (case_id, id)
);

create table diligence_answers (
    case_id text not null,
    item text not null,
    answer text not null,
    note text not null,
    constraint diligence_answers_pkey primary key (case_id, item),
    constraint diligence_answers_case_fkey foreign key (case_id) references diligence_cases (id)
);
