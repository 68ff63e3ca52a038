-- Twinning: an organisation (a UK provider or an overseas buyer) says it is
-- interested in a long-term partnership with another; when both have said so
-- of each other, the pair is a double match. Withdrawing deletes the row (the
-- audit log keeps what was said, and by whom).

create table twinning_interests (
    id text not null,
    organisation_id text not null,
    partner_id text not null,
    expressed_by text not null,
    created_at bigint not null,
    updated_at bigint not null,
    constraint twinning_interests_pkey primary key (id),
    constraint twinning_interests_pair_key unique (organisation_id, partner_id),
    constraint twinning_interests_organisation_fkey foreign key (organisation_id) references organisations (id),
    constraint twinning_interests_partner_fkey foreign key (partner_id) references organisations (id)
);
create index twinning_interests_partner_idx on twinning_interests (partner_id);
