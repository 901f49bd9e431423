-- Reminders, their deliveries (in-app notifications and an e-mail outbox), and the
-- functions that change them.
--
-- A user's changes go through one function call each (create_reminder,
-- update_reminder, delete_reminder, mark_notifications_read): ownership checked, the
-- write made and exactly one activity row logged in the same statement. Deliveries
-- are the scheduler's, not the user's: deliver_due_reminders writes no activity row.
--
-- Custom SQLSTATEs (db/rules.ts maps them): CG404 not found (another user's object
-- looks exactly like a missing one).

create table reminders (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references users (id) on delete cascade,
  -- Optional: a reminder about a habit is skipped on days the habit is already done.
  -- It goes with its habit.
  habit_id uuid references habits (id) on delete cascade,
  title text not null,
  -- Wall-clock time in the user's timezone (not an instant): 07:30 stays 07:30 local
  -- across DST changes.
  time_of_day time not null,
  -- ISO weekdays (1 = Monday), distinct, sorted.
  days smallint[] not null,
  enabled boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint reminders_title_check check (char_length(title) between 1 and 100 and title = btrim(title)),
  constraint reminders_time_check check (time_of_day = date_trunc('minute', time_of_day)),
  constraint reminders_days_check check (
    cardinality(days) between 1 and 7 and days <@ '{1,2,3,4,5,6,7}'::smallint[]
  )
);
-- The user's list, in time order.
create index reminders_user_time_idx on reminders (user_id, time_of_day, created_at);
-- The scheduler reads every enabled reminder each minute (due-ness depends on each
-- user's local clock, which no index can order): a partial index keeps disabled ones
-- out of that scan, and its columns answer the weekday and time tests without the heap.
create index reminders_enabled_idx on reminders (user_id, time_of_day) include (days, habit_id) where enabled;
create index reminders_habit_idx on reminders (habit_id) where habit_id is not null;

-- The at-most-once guarantee: one row per reminder per local day. Whoever inserts it
-- (ON CONFLICT DO NOTHING … RETURNING) delivers; any other instance racing for the same
-- reminder and day waits on the key and then gets nothing back.
create table reminder_deliveries (
  reminder_id uuid not null references reminders (id) on delete cascade,
  local_date date not null,
  delivered_at timestamptz not null default now(),
  constraint reminder_deliveries_pkey primary key (reminder_id, local_date)
);

create table notifications (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references users (id) on delete cascade,
  -- Deleting a reminder keeps what it already said.
  reminder_id uuid references reminders (id) on delete set null,
  title text not null,
  body text not null default '',
  created_at timestamptz not null default now(),
  read_at timestamptz
);
-- The list page and GET /api/notifications, newest first.
create index notifications_user_created_idx on notifications (user_id, created_at desc, id desc);
-- The unread count in every page's header and ?unread=true.
create index notifications_user_unread_idx on notifications (user_id, created_at desc) where read_at is null;

-- E-mail to send, written in the same statement as the delivery it belongs to. A sender
-- leases due rows (FOR UPDATE SKIP LOCKED, so concurrent senders never take the same
-- row), sends, then marks each sent or schedules its retry with backoff. A row whose
-- next_attempt_at is null and sent_at is null has given up (see last_error).
create table email_outbox (
  id uuid primary key default gen_random_uuid(),
  user_id uuid references users (id) on delete cascade,
  to_address text not null,
  subject text not null,
  body text not null,
  attempts integer not null default 0,
  next_attempt_at timestamptz default now(),
  sent_at timestamptz,
  last_error text,
  created_at timestamptz not null default now()
);
create index email_outbox_due_idx on email_outbox (next_attempt_at) where sent_at is null and next_attempt_at is not null;

-- Refuses a habit that is not the user's (CG404), so another user's habit id in a body
-- reads exactly like an unknown one.
create function check_reminder_habit(p_user uuid, p_habit uuid) returns void
language plpgsql
as $$
begin
  if p_habit is not null and not exists (select 1 from habits where id = p_habit and user_id = p_user) then
    raise exception 'No habit with that id' using errcode = 'CG404';
  end if;
end;
$$;

create function create_reminder(
  p_user uuid,
  p_habit uuid,
  p_title text,
  p_time time,
  p_days smallint[],
  p_enabled boolean
) returns reminders
language plpgsql
as $$
declare
  v_reminder reminders;
begin
  perform check_reminder_habit(p_user, p_habit);
  insert into reminders (user_id, habit_id, title, time_of_day, days, enabled)
  values (p_user, p_habit, p_title, p_time, p_days, p_enabled)
  returning * into v_reminder;
  perform log_activity(p_user, 'reminder.created', 'reminder', v_reminder.id::text,
    jsonb_build_object('title', v_reminder.title));
  return v_reminder;
end;
$$;

-- Applies a partial change: p_patch holds only the keys to change (habitId (uuid or
-- null), title, time (HH:MM), days (array), enabled). No row when the reminder is not
-- the user's; CG404 when habitId names a habit that is not theirs.
create function update_reminder(p_user uuid, p_reminder uuid, p_patch jsonb) returns setof reminders
language plpgsql
as $$
declare
  v_new reminders;
begin
  select * into v_new from reminders where id = p_reminder and user_id = p_user for no key update;
  if not found then
    return;
  end if;
  if p_patch ? 'habitId' then
    v_new.habit_id := (p_patch->>'habitId')::uuid;
    perform check_reminder_habit(p_user, v_new.habit_id);
  end if;
  if p_patch ? 'title' then v_new.title := p_patch->>'title'; end if;
  if p_patch ? 'time' then v_new.time_of_day := (p_patch->>'time')::time; end if;
  if p_patch ? 'days' then
    v_new.days := (select array_agg(d::smallint order by d::smallint) from jsonb_array_elements_text(p_patch->'days') d);
  end if;
  if p_patch ? 'enabled' then v_new.enabled := (p_patch->>'enabled')::boolean; end if;

  update reminders
     set habit_id = v_new.habit_id,
         title = v_new.title,
         time_of_day = v_new.time_of_day,
         days = v_new.days,
         enabled = v_new.enabled,
         updated_at = now()
   where id = p_reminder
  returning * into v_new;

  perform log_activity(p_user, 'reminder.updated', 'reminder', p_reminder::text,
    jsonb_build_object('title', v_new.title,
                       'fields', coalesce((select jsonb_agg(key order by key) from jsonb_object_keys(p_patch) key),
                                          '[]'::jsonb)));
  return next v_new;
end;
$$;

create function delete_reminder(p_user uuid, p_reminder uuid) returns boolean
language plpgsql
as $$
declare
  v_title text;
begin
  delete from reminders where id = p_reminder and user_id = p_user returning title into v_title;
  if not found then
    return false;
  end if;
  perform log_activity(p_user, 'reminder.deleted', 'reminder', p_reminder::text, jsonb_build_object('title', v_title));
  return true;
end;
$$;

-- Marks the user's notifications read: the given ids, or every unread one for null.
-- All or nothing: an id that is not the user's raises CG404 and changes nothing.
-- Returns how many changed; one activity row either way (the request was a mutation).
create function mark_notifications_read(p_user uuid, p_ids uuid[]) returns integer
language plpgsql
as $$
declare
  v_count integer;
begin
  if p_ids is not null and exists (
    select 1 from unnest(p_ids) as wanted(id)
     where not exists (select 1 from notifications n where n.id = wanted.id and n.user_id = p_user)
  ) then
    raise exception 'No notification with that id' using errcode = 'CG404';
  end if;
  update notifications
     set read_at = now()
   where user_id = p_user
     and read_at is null
     and (p_ids is null or id = any (p_ids));
  get diagnostics v_count = row_count;
  perform log_activity(p_user, 'notifications.read', 'notification', null,
    jsonb_build_object('count', v_count, 'all', p_ids is null));
  return v_count;
end;
$$;

-- The scheduler's one statement: finds the reminders due at p_now and delivers each at
-- most once per reminder per local day, however many instances call it at once.
--
-- Due: enabled, the user's local weekday (at p_now, in users.timezone) in days, local
-- time ≥ the reminder's time (so a scheduler that was down delivers later that day),
-- no delivery for that local date yet, and, for a habit reminder, the habit not done
-- that local day (a numeric habit counts as done once its value reaches the target).
-- The claim is the INSERT … ON CONFLICT DO NOTHING into reminder_deliveries: only the
-- rows it returns get a notification, and an outbox e-mail when p_email (SMTP is
-- configured) and the user opted in. All in one statement, so one transaction: a
-- crash leaves either the whole delivery or none of it.
create function deliver_due_reminders(p_now timestamptz, p_email boolean, p_limit integer default 1000)
returns table (reminder_id uuid, user_id uuid, local_date date, notification_id uuid, emailed boolean)
language sql
as $$
  with due as (
    select r.id, r.user_id, r.title, r.time_of_day, h.name as habit_name, u.email, u.email_reminders,
           (p_now at time zone u.timezone)::date as local_date
      from reminders r
      join users u on u.id = r.user_id
      left join habits h on h.id = r.habit_id
     where r.enabled
       and extract(isodow from (p_now at time zone u.timezone))::smallint = any (r.days)
       and r.time_of_day <= (p_now at time zone u.timezone)::time
       and not exists (
         select 1 from reminder_deliveries d
          where d.reminder_id = r.id and d.local_date = (p_now at time zone u.timezone)::date
       )
       -- "is null or not exists": a per-row probe of checkins' primary key (habit, day)
       -- only for habit reminders, rather than an anti-join the planner may run as a scan.
       and (r.habit_id is null or not exists (
         select 1 from checkins c
          where c.habit_id = r.habit_id
            and c.day = (p_now at time zone u.timezone)::date
            and c.status = 'done'
            and (h.kind = 'boolean' or c.value >= h.target)
       ))
     order by r.id
     limit p_limit
  ), claimed as (
    insert into reminder_deliveries (reminder_id, local_date, delivered_at)
    select id, local_date, p_now from due
    on conflict do nothing
    returning reminder_deliveries.reminder_id, reminder_deliveries.local_date
  ), delivered as (
    select due.* from due join claimed on claimed.reminder_id = due.id
  ), notified as (
    insert into notifications (user_id, reminder_id, title, body, created_at)
    select d.user_id, d.id, d.title,
           case when d.habit_name is null then ''
                else 'Your habit “' || d.habit_name || '” is not done yet today.' end,
           p_now
      from delivered d
    returning notifications.id, notifications.reminder_id
  ), mailed as (
    insert into email_outbox (user_id, to_address, subject, body, next_attempt_at, created_at)
    select d.user_id, d.email, 'Reminder: ' || d.title,
           d.title || E'\n\n'
             || case when d.habit_name is null then ''
                     else 'Your habit “' || d.habit_name || E'” is not done yet today.\n\n' end
             || 'You asked ConsistencyGrid to remind you at ' || to_char(d.time_of_day, 'HH24:MI')
             || E'. Turn these e-mails off in your settings.\n',
           p_now, p_now
      from delivered d
     where p_email and d.email_reminders
    returning email_outbox.user_id
  )
  select d.id, d.user_id, d.local_date, n.id, d.user_id in (select m.user_id from mailed m)
    from delivered d
    join notified n on n.reminder_id = d.id
$$;
