-- Re-screening against a new version of a list tells the people who worked
-- on a case of each hit it found: one row per person and hit, so a job run
-- twice tells them once.

create table case_notifications (
    id {{serial_primary_key}},
    user_id text not null,
    case_id text not null,
    hit_id bigint not null,
    created_at bigint not null,
    read_at bigint,
    constraint case_notifications_once_key unique (user_id, case_id, hit_id),
    constraint case_notifications_user_fkey foreign key (user_id) references users (id),
    constraint case_notifications_hit_fkey foreign key (case_id, hit_id) references diligence_hits (case_id, id)
);
create index case_notifications_user_idx on case_notifications (user_id, read_at);
