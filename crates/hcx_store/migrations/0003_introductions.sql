-- Introductions: the agency puts a provider forward for an opportunity; the
-- provider says whether it is interested (and if not, why); the buyer sees
-- the shortlist of those introduced.

create table introductions (
    id text not null,
    opportunity_id text not null,
    provider_id text not null,
    offer_id text,
    note text,
    status text not null,
    reason text,
    introduced_by text not null,
    version bigint not null,
    created_at bigint not null,
    updated_at bigint not null,
    constraint introductions_pkey primary key (id),
    constraint introductions_pair_key unique (opportunity_id, provider_id),
    constraint introductions_opportunity_fkey foreign key (opportunity_id) references opportunities (id),
    constraint introductions_provider_fkey foreign key (provider_id) references organisations (id)
);
create index introductions_provider_idx on introductions (provider_id, updated_at);
