-- Alerts: people subscribe to new opportunities (a saved search, or whatever
-- fits their organisation's offers); each match becomes a notification, and
-- an e-mail at once or in a daily digest. Publishing an opportunity enqueues
-- the fan-out as a job in the same transaction (an outbox), which a worker
-- runs at least once.

create table subscriptions (
    id text not null,
    user_id text not null,
    organisation_id text,
    kind text not null,
    query text,
    cadence text not null,
    -- A random secret: it only unsubscribes and reads the feed of public
    -- opportunities, and it has to go into every e-mail.
    token text not null,
    active bigint not null,
    created_at bigint not null,
    updated_at bigint not null,
    constraint subscriptions_pkey primary key (id),
    constraint subscriptions_token_key unique (token),
    constraint subscriptions_user_fkey foreign key (user_id) references users (id),
    constraint subscriptions_organisation_fkey foreign key (organisation_id) references organisations (id)
);
create index subscriptions_user_idx on subscriptions (user_id);
create index subscriptions_active_idx on subscriptions (active, kind);

-- No foreign key to opportunities: a published opportunity may still be
-- deleted, and its notifications are then simply not shown.
create table notifications (
    id {{serial_primary_key}},
    user_id text not null,
    opportunity_id text not null,
    subscription_id text,
    created_at bigint not null,
    read_at bigint,
    emailed_at bigint,
    constraint notifications_once_key unique (subscription_id, opportunity_id),
    constraint notifications_user_fkey foreign key (user_id) references users (id),
    constraint notifications_subscription_fkey foreign key (subscription_id) references subscriptions (id)
);
create index notifications_user_idx on notifications (user_id, read_at);

create table jobs (
    id {{serial_primary_key}},
    kind text not null,
    payload text not null,
    run_after bigint not null,
    attempts bigint not null,
    last_error text,
    created_at bigint not null,
    done_at bigint
);
create index jobs_due_idx on jobs (done_at, run_after);
