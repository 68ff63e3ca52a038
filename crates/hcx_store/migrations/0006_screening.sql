-- Screening lists: named lists of FollowTheMoney entities (a sanctions list,
-- a list of politically exposed persons). Each import replaces a list whole
-- and numbers it on; the entities are kept as the lines they were imported
-- from, so that screening reads them as the list published them.

create table screening_lists (
    name text not null,
    version bigint not null,
    label text not null,
    digest text not null,
    entity_count bigint not null,
    imported_by text not null,
    imported_at bigint not null,
    constraint screening_lists_pkey primary key (name)
);

create table screening_entities (
    list_name text not null,
    entity_id text not null,
    body text not null,
    constraint screening_entities_pkey primary key (list_name, entity_id),
    constraint screening_entities_list_fkey foreign key (list_name) references screening_lists (name)
);
