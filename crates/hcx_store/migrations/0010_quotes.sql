-- Quotes: a provider prices an engagement (optionally for an opportunity,
-- whose buyer then sees the versions issued to it and answers them). Each
-- change of the figures is a new version, kept whole: the request and the
-- priced quote as JSON, with the totals queries need copied into columns.
-- The reinvestment ledger holds back a share of each accepted quote's
-- profit for its provider; spends and adjustments are entries too, so the
-- balance is the sum of the entries.

create table quotes (
    id text not null,
    provider_id text not null,
    opportunity_id text,
    buyer_id text,
    title text not null,
    status text not null,
    -- The latest version's number.
    current_version bigint not null,
    -- The version last issued to the buyer: it sees this one and those before.
    issued_version bigint,
    answer_note text,
    answered_by text,
    answered_at bigint,
    created_by text not null,
    version bigint not null,
    created_at bigint not null,
    updated_at bigint not null,
    constraint quotes_pkey primary key (id),
    constraint quotes_provider_fkey foreign key (provider_id) references organisations (id),
    constraint quotes_buyer_fkey foreign key (buyer_id) references organisations (id),
    constraint quotes_opportunity_fkey foreign key (opportunity_id) references opportunities (id)
);
create index quotes_provider_idx on quotes (provider_id, updated_at);
create index quotes_buyer_idx on quotes (buyer_id, updated_at);

create table quote_versions (
    quote_id text not null,
    number bigint not null,
    -- The request priced, every rate written out (JSON).
    input text not null,
    -- The priced quote (JSON).
    priced text not null,
    currency text not null,
    price_gbp_pence bigint not null,
    price_buyer_minor bigint not null,
    cost_pence bigint not null,
    margin_pence bigint not null,
    created_by text not null,
    created_at bigint not null,
    constraint quote_versions_pkey primary key (quote_id, number),
    constraint quote_versions_quote_fkey foreign key (quote_id) references quotes (id)
);

create table reinvestment_entries (
    id {{serial_primary_key}},
    provider_id text not null,
    kind text not null,
    -- Pence: credits add, spends take away, adjustments either.
    amount_pence bigint not null,
    -- For a credit: the quote accepted, its version and the share held back.
    quote_id text,
    quote_version bigint,
    share_bp bigint,
    note text not null,
    recorded_by text not null,
    created_at bigint not null,
    constraint reinvestment_entries_quote_key unique (quote_id),
    constraint reinvestment_entries_provider_fkey foreign key (provider_id) references organisations (id),
    constraint reinvestment_entries_quote_fkey foreign key (quote_id) references quotes (id)
);
create index reinvestment_entries_provider_idx on reinvestment_entries (provider_id, created_at);
