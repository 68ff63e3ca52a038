-- The registry: organisations, offers, strategies and opportunities.
-- Each row keeps the validated record as interchange JSON in `body`, with the
-- fields that queries filter on copied into columns.

create table organisations (
    id text not null,
    name text not null,
    kind text not null,
    sector text not null,
    country text not null,
    region text,
    network text,
    body text not null,
    version bigint not null,
    created_at bigint not null,
    updated_at bigint not null,
    constraint organisations_pkey primary key (id)
);
create index organisations_kind_idx on organisations (kind, name);
create index organisations_country_idx on organisations (country);

create table offers (
    id text not null,
    provider_id text not null,
    title text not null,
    body text not null,
    version bigint not null,
    created_at bigint not null,
    updated_at bigint not null,
    constraint offers_pkey primary key (id),
    constraint offers_provider_fkey foreign key (provider_id) references organisations (id)
);
create index offers_provider_idx on offers (provider_id);

create table strategies (
    id text not null,
    provider_id text not null,
    body text not null,
    version bigint not null,
    created_at bigint not null,
    updated_at bigint not null,
    constraint strategies_pkey primary key (id),
    constraint strategies_provider_key unique (provider_id),
    constraint strategies_provider_fkey foreign key (provider_id) references organisations (id)
);

create table opportunities (
    id text not null,
    buyer_id text not null,
    country text not null,
    status text not null,
    source text not null,
    title text not null,
    value_minor bigint,
    value_currency text,
    value_gbp_pence bigint,
    response_due text,
    body text not null,
    version bigint not null,
    created_at bigint not null,
    updated_at bigint not null,
    constraint opportunities_pkey primary key (id),
    constraint opportunities_buyer_fkey foreign key (buyer_id) references organisations (id)
);
create index opportunities_buyer_idx on opportunities (buyer_id);
-- Interactive filtering is the search index's job; indexes here serve the
-- lookups the store itself makes, since each one slows bulk imports.

-- Every write appends here in the same transaction; search indexes follow it.
create table changes (
    seq {{serial_primary_key}},
    kind text not null,
    record_id text not null,
    op text not null,
    at bigint not null
);
