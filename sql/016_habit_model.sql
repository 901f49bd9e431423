-- The habit model of issue 11: an explicit failure, numeric limits ("at most"), more
-- schedules and pauses. Applied migrations (001–011) are never edited: what changes
-- here is replaced (CREATE OR REPLACE) or re-constrained.

-- --- failed: a logged miss --------------------------------------------------------------
-- A check-in may now say the day was failed on purpose ("did not take the pill"): it
-- breaks a streak like a missed due day and counts as a miss in rates
-- (domain/completion.ts). It carries no value, like skipped.
alter table checkins drop constraint checkins_status_check;
alter table checkins add constraint checkins_status_check check (status in ('done', 'skipped', 'failed'));

-- upsert_checkin as in 004_habits.sql, taking 'failed' too.
create or replace function upsert_checkin(
  p_user uuid,
  p_habit uuid,
  p_day date,
  p_status text,
  p_value numeric,
  p_note text,
  p_today date
) returns setof checkins
language plpgsql
as $$
declare
  v_habit habits;
  v_checkin checkins;
begin
  -- KEY SHARE, the lock a foreign key check takes: a concurrent delete_habit waits
  -- for this call instead of making its insert fail on the foreign key.
  select * into v_habit from habits where id = p_habit and user_id = p_user for key share;
  if not found then
    raise exception 'No habit with that id' using errcode = 'CG404';
  end if;

  if p_status is null or p_status not in ('done', 'skipped', 'failed', 'none') then
    raise exception 'The status must be done, skipped, failed or none' using errcode = 'CG400';
  end if;
  if p_day > p_today then
    raise exception 'You cannot check in for a day after today (%)', p_today using errcode = 'CG400';
  end if;
  if p_day < p_today - 366 then
    raise exception 'Check-ins go back 366 days at most: the earliest is %', p_today - 366
      using errcode = 'CG400';
  end if;
  if p_value is not null and v_habit.kind <> 'numeric' then
    raise exception 'A yes/no habit takes no value' using errcode = 'CG400';
  end if;
  if p_value is not null and p_status <> 'done' then
    raise exception 'Only a done check-in has a value' using errcode = 'CG400';
  end if;
  if p_value is not null and (p_value < 0 or p_value > 1000000000) then
    raise exception 'The value must be between 0 and 1000000000' using errcode = 'CG400';
  end if;
  if char_length(p_note) > 500 then
    raise exception 'Keep the note to 500 characters' using errcode = 'CG400';
  end if;

  if p_status = 'none' then
    delete from checkins where habit_id = p_habit and day = p_day;
    perform log_activity(p_user, 'checkin.cleared', 'habit', p_habit::text,
      jsonb_build_object('name', v_habit.name, 'date', p_day));
    return;
  end if;

  insert into checkins (habit_id, user_id, day, status, value, note)
  values (
    p_habit, p_user, p_day, p_status,
    case when p_status = 'done' and v_habit.kind = 'numeric' then coalesce(p_value, v_habit.target) end,
    nullif(p_note, '')
  )
  on conflict (habit_id, day) do update
    set status = excluded.status,
        value = excluded.value,
        note = case when p_note is null then checkins.note else excluded.note end,
        updated_at = now()
  returning * into v_checkin;

  perform log_activity(p_user, 'checkin.saved', 'habit', p_habit::text,
    jsonb_build_object('name', v_habit.name, 'date', p_day, 'status', p_status, 'value', v_checkin.value));
  return next v_checkin;
end;
$$;

-- --- direction: limit habits -------------------------------------------------------------
-- A numeric habit counts up to its target (at_least, the default) or must stay at or
-- under it (at_most: "at most 2 coffees"). A yes/no habit is always at_least. What a day
-- without a check-in means for an at_most habit is the app's rule (domain/completion.ts):
-- nothing logged is nothing consumed, so a past day counts as met.
alter table habits add column direction text not null default 'at_least';
alter table habits add constraint habits_direction_check
  check (direction in ('at_least', 'at_most') and (direction = 'at_least' or kind = 'numeric'));

-- --- schedules: interval, monthly, times_in_days ----------------------------------------
-- The shapes of 004 plus (no extra keys, whole numbers compared as JSON text):
--   {"type":"interval","every":2..365}           due every N days from the start date
--   {"type":"monthly","times":1..31}             N days per calendar month
--   {"type":"times_in_days","times":T,"days":D}  T times in any D days, 1 ≤ T ≤ D ≤ 365
create or replace function habit_schedule_is_valid(p_schedule jsonb) returns boolean
language sql
immutable
as $$
  select case p_schedule->>'type'
    when 'daily' then p_schedule = '{"type": "daily"}'::jsonb
    when 'weekly' then
      p_schedule - 'type' - 'times' = '{}'::jsonb
      -- Compared as JSON text so 2.5 or "2" are refused, not rounded or cast.
      and coalesce((p_schedule->'times')::text in ('1', '2', '3', '4', '5', '6', '7'), false)
    when 'weekdays' then
      -- Nested CASE, not AND: the array functions raise on a non-array, and only CASE
      -- promises to test the type first.
      case
        when p_schedule - 'type' - 'days' <> '{}'::jsonb then false
        when jsonb_typeof(p_schedule->'days') is distinct from 'array' then false
        when jsonb_array_length(p_schedule->'days') not between 1 and 7 then false
        else (select bool_and(day::text in ('1', '2', '3', '4', '5', '6', '7'))
                     and count(distinct day) = count(*)
                from jsonb_array_elements(p_schedule->'days') as day)
      end
    when 'interval' then
      p_schedule - 'type' - 'every' = '{}'::jsonb
      and coalesce((p_schedule->'every')::text ~ '^[0-9]{1,3}$', false)
      and case when (p_schedule->'every')::text ~ '^[0-9]{1,3}$'
               then (p_schedule->>'every')::integer between 2 and 365 else false end
    when 'monthly' then
      p_schedule - 'type' - 'times' = '{}'::jsonb
      and case when coalesce((p_schedule->'times')::text ~ '^[0-9]{1,2}$', false)
               then (p_schedule->>'times')::integer between 1 and 31 else false end
    when 'times_in_days' then
      p_schedule - 'type' - 'times' - 'days' = '{}'::jsonb
      and case when coalesce((p_schedule->'times')::text ~ '^[0-9]{1,3}$', false)
                    and coalesce((p_schedule->'days')::text ~ '^[0-9]{1,3}$', false)
               then (p_schedule->>'times')::integer >= 1
                    and (p_schedule->>'times')::integer <= (p_schedule->>'days')::integer
                    and (p_schedule->>'days')::integer <= 365
               else false end
    else false
  end
$$;

-- create_habit as in 004_habits.sql, with the direction.
drop function create_habit(uuid, text, text, text, numeric, text, jsonb, date);
create function create_habit(
  p_user uuid,
  p_name text,
  p_color text,
  p_kind text,
  p_target numeric,
  p_unit text,
  p_schedule jsonb,
  p_start_date date,
  p_direction text default 'at_least'
) returns habits
language plpgsql
as $$
declare
  v_habit habits;
begin
  perform lock_active_habit_quota(p_user);

  insert into habits (user_id, name, color, kind, target, unit, schedule, position, start_date, direction)
  values (
    p_user, p_name, p_color, p_kind, p_target, p_unit, p_schedule,
    (select coalesce(max(position) + 1, 0) from habits where user_id = p_user and archived_at is null),
    p_start_date, coalesce(p_direction, 'at_least')
  )
  returning * into v_habit;

  perform log_activity(p_user, 'habit.created', 'habit', v_habit.id::text,
    jsonb_build_object('name', v_habit.name));
  return v_habit;
end;
$$;

-- update_habit as in 008_import.sql, taking `direction` too (reset to at_least when the
-- habit becomes yes/no).
create or replace function update_habit(p_user uuid, p_habit uuid, p_patch jsonb) returns setof habits
language plpgsql
as $$
declare
  v_old habits;
  v_new habits;
  v_action text := 'habit.updated';
  v_index integer;
begin
  -- Archiving and unarchiving count against the plan, and reordering renumbers the
  -- user's other habits: all take the user's lock (as create_habit does) before
  -- touching the habit, always in this order, so concurrent calls queue instead of
  -- deadlocking or double counting.
  if p_patch ? 'archived' or p_patch ? 'position' then
    perform 1 from users where id = p_user for no key update;
  end if;

  -- NO KEY UPDATE, what the UPDATE below takes anyway: check-ins of this habit (whose
  -- foreign key takes KEY SHARE) are not held up by a rename.
  select * into v_old from habits where id = p_habit and user_id = p_user for no key update;
  if not found then
    return;
  end if;

  v_new := v_old;
  if p_patch ? 'name' then v_new.name := p_patch->>'name'; end if;
  if p_patch ? 'color' then v_new.color := p_patch->>'color'; end if;
  if p_patch ? 'kind' then v_new.kind := p_patch->>'kind'; end if;
  if p_patch ? 'target' then v_new.target := (p_patch->>'target')::numeric; end if;
  if p_patch ? 'unit' then v_new.unit := p_patch->>'unit'; end if;
  if p_patch ? 'schedule' then v_new.schedule := p_patch->'schedule'; end if;
  if p_patch ? 'direction' then v_new.direction := p_patch->>'direction'; end if;
  -- Turning a numeric habit into a yes/no one drops what only numeric habits have;
  -- a target, unit or direction sent along is kept, and the table's check refuses it.
  if v_new.kind = 'boolean' and v_old.kind <> 'boolean' then
    if not p_patch ? 'target' then v_new.target := null; end if;
    if not p_patch ? 'unit' then v_new.unit := null; end if;
    if not p_patch ? 'direction' then v_new.direction := 'at_least'; end if;
  end if;

  if p_patch ? 'archived' then
    if (p_patch->>'archived')::boolean and v_old.archived_at is null then
      -- Counted now, under the user's lock: archived habits have a cap of their own.
      perform lock_archived_habit_quota(p_user, 1);
      v_new.archived_at := now();
      v_action := 'habit.archived';
    elsif not (p_patch->>'archived')::boolean and v_old.archived_at is not null then
      -- Counted now, under the user's lock and with the habit's own row locked.
      perform lock_active_habit_quota(p_user);
      v_new.archived_at := null;
      v_action := 'habit.unarchived';
      v_new.position := (select coalesce(max(position) + 1, 0)
                           from habits where user_id = p_user and archived_at is null);
    end if;
  end if;

  if p_patch ? 'position' then
    -- Everyone else in the habit's list, in order, leaves a gap at the target index.
    with others as (
      select id, row_number() over (order by position, created_at, id)::integer - 1 as idx
        from habits
       where user_id = p_user
         and id <> p_habit
         and (archived_at is null) = (v_new.archived_at is null)
    ), moved as (
      update habits h
         set position = case when o.idx < (p_patch->>'position')::integer then o.idx else o.idx + 1 end
        from others o
       where h.id = o.id
         and h.position <> case when o.idx < (p_patch->>'position')::integer then o.idx else o.idx + 1 end
    )
    select least((p_patch->>'position')::integer, count(*)) into v_index from others;
    v_new.position := v_index;
  end if;

  update habits
     set name = v_new.name,
         color = v_new.color,
         kind = v_new.kind,
         target = v_new.target,
         unit = v_new.unit,
         schedule = v_new.schedule,
         direction = v_new.direction,
         archived_at = v_new.archived_at,
         position = v_new.position,
         updated_at = now()
   where id = p_habit
  returning * into v_new;

  perform log_activity(p_user, v_action, 'habit', p_habit::text,
    jsonb_build_object('name', v_new.name,
                       'fields', coalesce((select jsonb_agg(key order by key) from jsonb_object_keys(p_patch) key),
                                          '[]'::jsonb)));
  return next v_new;
end;
$$;

-- --- pauses (vacation, illness) -----------------------------------------------------------
-- A pause covers local days from_day..to_day (inclusive) of one habit, or, with no
-- habit_id, of every habit of the user, including habits created during it (a vacation
-- is about the person, not a list of habits). Paused days are not due (domain/completion.ts).
create table pauses (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references users (id) on delete cascade,
  habit_id uuid references habits (id) on delete cascade,
  from_day date not null,
  to_day date not null,
  note text,
  created_at timestamptz not null default now(),
  constraint pauses_days_check check (from_day <= to_day and to_day - from_day < 366),
  constraint pauses_note_check check (note is null or char_length(note) between 1 and 500)
);
create index pauses_user_idx on pauses (user_id, from_day);
create index pauses_habit_idx on pauses (habit_id) where habit_id is not null;

-- True when habit p_habit is paused on its user's local day p_day: the one question the
-- reminder machinery (e-mail, in-app, push) asks before it reminds about a habit.
create function habit_paused_on(p_habit uuid, p_day date) returns boolean
language sql
stable
as $$
  select exists (
    select 1
      from habits h
      join pauses p on p.user_id = h.user_id and (p.habit_id is null or p.habit_id = h.id)
     where h.id = p_habit
       and p_day between p.from_day and p.to_day
  )
$$;

-- The plan's cap on pauses a user keeps (past ones count until deleted): plenty for
-- every vacation and illness of years, small enough that the pauses read with every
-- statistic stay a handful of rows.
alter table plans add column max_pauses integer not null default 50;
alter table plans add constraint plans_max_pauses_check check (max_pauses >= 0);
update plans set max_pauses = case id when 'pro' then 500 else 50 end;

-- Creates a pause for one of the user's habits (p_habit) or for all of them (null),
-- within the plan's cap (CG402), counted under the user's lock so concurrent creates
-- at the cap leave exactly the cap; one activity row. CG404: not the user's habit.
-- CG400: from after to, or longer than 366 days.
create function create_pause(p_user uuid, p_habit uuid, p_from date, p_to date, p_note text) returns pauses
language plpgsql
as $$
declare
  v_plan plans;
  v_count integer;
  v_habit_name text;
  v_pause pauses;
begin
  select p.* into v_plan
    from users u join plans p on p.id = u.plan_id
   where u.id = p_user
     for no key update of u;
  if not found then
    raise exception 'No such user' using errcode = 'CG404';
  end if;
  if p_habit is not null then
    select name into v_habit_name from habits where id = p_habit and user_id = p_user;
    if not found then
      raise exception 'No habit with that id' using errcode = 'CG404';
    end if;
  end if;
  if p_from is null or p_to is null or p_from > p_to then
    raise exception 'The pause must start on or before its last day' using errcode = 'CG400';
  end if;
  if p_to - p_from >= 366 then
    raise exception 'A pause lasts at most 366 days' using errcode = 'CG400';
  end if;
  select count(*) into v_count from pauses where user_id = p_user;
  if v_count >= v_plan.max_pauses then
    raise exception 'Your % plan keeps % pauses. Delete an old one to add another.', v_plan.id, v_plan.max_pauses
      using errcode = 'CG402';
  end if;

  insert into pauses (user_id, habit_id, from_day, to_day, note)
  values (p_user, p_habit, p_from, p_to, nullif(p_note, ''))
  returning * into v_pause;
  perform log_activity(p_user, 'pause.created', 'pause', v_pause.id::text,
    jsonb_build_object('name', v_habit_name, 'from', p_from, 'to', p_to));
  return v_pause;
end;
$$;

-- Deletes one of the user's pauses; false when it is not theirs. One activity row.
create function delete_pause(p_user uuid, p_pause uuid) returns boolean
language plpgsql
as $$
declare
  v_pause pauses;
begin
  delete from pauses where id = p_pause and user_id = p_user returning * into v_pause;
  if not found then
    return false;
  end if;
  perform log_activity(p_user, 'pause.deleted', 'pause', p_pause::text,
    jsonb_build_object('from', v_pause.from_day, 'to', v_pause.to_day));
  return true;
end;
$$;

-- --- "due" in SQL: the reminders' mirror of domain/completion.ts ------------------------------
-- True when a check-in completes its day: a yes/no done; a numeric done whose value
-- reaches the target (at_least) or stays within it (at_most); no value = the target.
create function checkin_is_complete(p_habit habits, p_status text, p_value numeric) returns boolean
language sql
immutable
as $$
  select p_status = 'done' and (
    p_habit.kind <> 'numeric' or p_habit.target is null
    or case when p_habit.direction = 'at_most' then coalesce(p_value, p_habit.target) <= p_habit.target
            else coalesce(p_value, p_habit.target) >= p_habit.target end)
$$;

-- Complete days of p_habit from p_first to p_day (both local days, inclusive, from its
-- start). An at_most habit's days before p_day with no check-in count too: nothing
-- logged is nothing consumed (domain/completion.ts, dayStates).
create function habit_complete_days(p_habit habits, p_first date, p_day date) returns integer
language sql
stable
as $$
  select (select count(*)::integer from checkins c
           where c.habit_id = p_habit.id
             and c.day between greatest(p_first, p_habit.start_date) and p_day
             and checkin_is_complete(p_habit, c.status, c.value))
       + case when p_habit.direction = 'at_most' and p_habit.kind = 'numeric' then
           greatest(0, p_day - greatest(p_first, p_habit.start_date))
           - (select count(*)::integer from checkins c
               where c.habit_id = p_habit.id
                 and c.day >= greatest(p_first, p_habit.start_date) and c.day < p_day)
         else 0 end
$$;

-- True when the habit still asks something of its user on local day p_day (the rule
-- of asksOn in domain/completion.ts, which a test holds this to): it has started, is not
-- paused (habit_paused_on), the day is not answered yet (complete, skipped or failed;
-- for an at_most habit anything logged), and its schedule asks for this day (daily,
-- its weekdays, every N-th day from the start) or its stretch is not met yet (the week
-- from p_week_start, the calendar month, the last D days, p_day included).
create function habit_due_on(p_habit habits, p_day date, p_week_start integer) returns boolean
language sql
stable
as $$
  select p_day >= p_habit.start_date
     and not habit_paused_on(p_habit.id, p_day)
     and not exists (
       select 1 from checkins c
        where c.habit_id = p_habit.id and c.day = p_day
          and (c.status <> 'done'
               or (p_habit.direction = 'at_most' and p_habit.kind = 'numeric')
               or checkin_is_complete(p_habit, c.status, c.value)))
     and case p_habit.schedule->>'type'
       when 'daily' then true
       when 'weekdays' then p_habit.schedule->'days' @> to_jsonb(extract(isodow from p_day)::integer)
       when 'interval' then (p_day - p_habit.start_date) % (p_habit.schedule->>'every')::integer = 0
       when 'weekly' then
         habit_complete_days(p_habit, p_day - (extract(isodow from p_day)::integer - p_week_start + 7) % 7, p_day)
           < (p_habit.schedule->>'times')::integer
       when 'monthly' then
         habit_complete_days(p_habit, date_trunc('month', p_day)::date, p_day)
           < least((p_habit.schedule->>'times')::integer,
                   extract(day from date_trunc('month', p_day) + interval '1 month - 1 day')::integer)
       when 'times_in_days' then
         habit_complete_days(p_habit, p_day - (p_habit.schedule->>'days')::integer + 1, p_day)
           < (p_habit.schedule->>'times')::integer
       else false
     end
$$;

-- deliver_due_reminders as in 007_reminders.sql, asking habit_due_on instead of "not
-- done today": a habit reminder is skipped on days the schedule asks nothing (a weekly
-- habit already met this week, an interval habit's days between), on paused days, and
-- on days already answered (done, skipped or failed).
create or replace function deliver_due_reminders(p_now timestamptz, p_email boolean, p_limit integer default 1000)
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
       -- A habit reminder only while the habit still asks something that day: due by
       -- its schedule, not paused, not answered yet (habit_due_on, above).
       and (r.habit_id is null or habit_due_on(h, (p_now at time zone u.timezone)::date, u.week_start))
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
