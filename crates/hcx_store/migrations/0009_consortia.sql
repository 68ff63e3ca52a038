-- Consortia for bundled opportunities: the team an adviser proposes from the
-- optimiser's plan, each member's parts, priced contribution and share of
-- revenue, and each member's answer. A consortium is agreed only when every
-- member has accepted; a changed split asks every member again.

create table consortia (
    id text not null,
    opportunity_id text not null,
    -- proposed, agreed or withdrawn
    standing text not null,
    -- Total fit of the parts given less the coordination cost, in millionths.
    objective_millionths bigint not null,
    solver text not null,
    proposed_by text not null,
    note text not null,
    agreed_at bigint,
    version bigint not null,
    created_at bigint not null,
    updated_at bigint not null,
    constraint consortia_pkey primary key (id),
    constraint consortia_opportunity_fkey foreign key (opportunity_id) references opportunities (id)
);
create index consortia_opportunity_idx on consortia (opportunity_id, created_at);

create table consortium_members (
    consortium_id text not null,
    provider_id text not null,
    -- The order members are listed in, the lead first.
    position bigint not null,
    lead bigint not null,
    -- A JSON array of {requirement, offer, days, fit}.
    parts text not null,
    contribution_pence bigint not null,
    share_bp bigint not null,
    -- pending, accepted or declined
    answer text not null,
    answered_by text,
    answered_at bigint,
    note text not null,
    constraint consortium_members_pkey primary key (consortium_id, provider_id),
    constraint consortium_members_consortium_fkey foreign key (consortium_id) references consortia (id),
    constraint consortium_members_provider_fkey foreign key (provider_id) references organisations (id)
);
create index consortium_members_provider_idx on consortium_members (provider_id);
