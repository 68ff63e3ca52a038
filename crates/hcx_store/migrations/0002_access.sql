-- People and what they may act for, their sessions and API tokens, and the
-- audit log. Secrets are never stored: sessions, tokens and reset links are
-- kept as SHA-256 digests, passwords as argon2id hashes.

create table users (
    id text not null,
    email text not null,
    name text not null,
    role text not null,
    password_hash text,
    disabled_at bigint,
    failed_logins bigint not null,
    locked_until bigint,
    version bigint not null,
    created_at bigint not null,
    updated_at bigint not null,
    constraint users_pkey primary key (id),
    constraint users_email_key unique (email)
);

create table memberships (
    user_id text not null,
    organisation_id text not null,
    created_at bigint not null,
    constraint memberships_pkey primary key (user_id, organisation_id),
    constraint memberships_user_fkey foreign key (user_id) references users (id),
    constraint memberships_organisation_fkey foreign key (organisation_id) references organisations (id)
);
create index memberships_organisation_idx on memberships (organisation_id);

create table sessions (
    id_hash text not null,
    user_id text not null,
    csrf_token text not null,
    created_at bigint not null,
    last_seen_at bigint not null,
    expires_at bigint not null,
    constraint sessions_pkey primary key (id_hash),
    constraint sessions_user_fkey foreign key (user_id) references users (id)
);
create index sessions_user_idx on sessions (user_id);

create table api_tokens (
    id text not null,
    user_id text not null,
    name text not null,
    secret_hash text not null,
    role text not null,
    organisation_id text,
    created_at bigint not null,
    expires_at bigint,
    last_used_at bigint,
    revoked_at bigint,
    constraint api_tokens_pkey primary key (id),
    constraint api_tokens_user_fkey foreign key (user_id) references users (id),
    constraint api_tokens_organisation_fkey foreign key (organisation_id) references organisations (id)
);
create index api_tokens_user_idx on api_tokens (user_id);

-- One-time links: a password reset for `user_id`, or (no user) the setup of
-- the first administrator.
create table password_resets (
    token_hash text not null,
    user_id text,
    created_at bigint not null,
    expires_at bigint not null,
    used_at bigint,
    constraint password_resets_pkey primary key (token_hash),
    constraint password_resets_user_fkey foreign key (user_id) references users (id)
);

-- Append-only: who did what to which record, when, with the record before
-- and after, and the request it came with.
create table audit_events (
    seq {{serial_primary_key}},
    at bigint not null,
    actor_id text not null,
    actor_name text not null,
    action text not null,
    kind text not null,
    record_id text not null,
    before text,
    after text,
    request_id text
);
create index audit_events_record_idx on audit_events (kind, record_id, seq);
create index audit_events_actor_idx on audit_events (actor_id, seq);
