-- The audit log refuses changes and removals in the database itself.
create function audit_events_refuse() returns trigger language plpgsql as $$
begin
    raise exception 'the audit log is append-only: % refused', tg_op;
end
$$;
create trigger audit_events_append_only
    before update or delete or truncate on audit_events
    for each statement execute function audit_events_refuse();
