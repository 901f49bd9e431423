-- Habits and their daily check-ins, and the functions that change them.
--
-- Every change goes through one function call (one statement, so one transaction
-- even through PgBouncer in transaction mode) that checks ownership, enforces the
-- rule that must hold under concurrency, makes the write and logs exactly one
-- activity row. The app never writes these tables directly.
--
-- Custom SQLSTATEs (db/rules.ts maps them): CG400 invalid, CG402 plan limit,
-- CG404 not found (another user's object looks exactly like a missing one).

-- The schedule shapes of API.md, exactly (no extra keys, so what is stored is what
-- the app reads back):
--   {"type":"daily"}
--   {"type":"weekly","times":1..7}
--   {"type":"weekdays","days":[1..7, ...]}  ISO weekdays, distinct, at least one
create function habit_schedule_is_valid(p_schedule jsonb) returns boolean
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
    else false
  end
$$;

create table habits (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references users (id) on delete cascade,
  name text not null,
  color text not null,
  kind text not null default 'boolean',
  target numeric,
  unit text,
  schedule jsonb not null default '{"type": "daily"}',
  -- Archived habits keep their history but leave the dashboard and the plan's count.
  archived_at timestamptz,
  -- Order within the user's list (active or archived); kept dense (0..n-1) by reorders.
  position integer not null default 0,
  -- The user-local day the habit was created: statistics count from here.
  start_date date not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  -- Lengths in characters (code points), as lib/habit_input.ts counts them.
  constraint habits_name_check check (char_length(name) between 1 and 100 and name = btrim(name)),
  constraint habits_color_check check (color ~ '^#[0-9a-f]{6}$'),
  constraint habits_kind_check check (kind in ('boolean', 'numeric')),
  -- A numeric habit has both a target above 0 and a unit; a yes/no habit has neither.
  constraint habits_target_check check (
    case kind
      -- "is not null" first: a check passes on NULL, and NULL > 0 is NULL.
      when 'numeric' then target is not null and target > 0 and target <= 1000000000 and unit is not null
      else target is null and unit is null
    end
  ),
  constraint habits_unit_check check (unit is null or (char_length(unit) between 1 and 20 and unit = btrim(unit))),
  constraint habits_schedule_check check (habit_schedule_is_valid(schedule)),
  constraint habits_position_check check (position >= 0)
);
-- The dashboard and GET /api/habits: a user's active habits in order; also what the
-- plan limit counts.
create index habits_user_active_position_idx on habits (user_id, position, created_at)
  where archived_at is null;
-- GET /api/habits?archived=true.
create index habits_user_archived_position_idx on habits (user_id, position, created_at)
  where archived_at is not null;

create table checkins (
  habit_id uuid not null references habits (id) on delete cascade,
  -- The habit's owner, copied so a user's check-ins across habits (the dashboard) come
  -- from one index range without going through habits.
  user_id uuid not null references users (id) on delete cascade,
  -- A user-local calendar day.
  day date not null,
  status text not null,
  -- Numeric habits: how much was done (a done without a value is stored as the target).
  value numeric,
  note text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  -- One check-in per habit per day; also serves a habit's range and statistics reads.
  constraint checkins_pkey primary key (habit_id, day),
  constraint checkins_status_check check (status in ('done', 'skipped')),
  constraint checkins_value_check check (value is null or (value >= 0 and value <= 1000000000)),
  constraint checkins_note_check check (note is null or char_length(note) between 1 and 500)
);
-- The dashboard: every check-in of a user within a range of days.
create index checkins_user_day_idx on checkins (user_id, day);

-- Takes the user's lock and refuses when one more active habit would pass the plan's
-- limit (CG402). Creating and unarchiving call it first: the lock makes concurrent
-- requests of one user count one after another, so the count below always includes
-- every habit a previous request committed (each statement of a READ COMMITTED
-- transaction sees what was committed before it started). FOR NO KEY UPDATE rather
-- than FOR UPDATE: it serialises these callers just the same but does not block
-- inserts elsewhere that only reference the user (activity rows, sessions).
create function lock_active_habit_quota(p_user uuid) returns void
language plpgsql
as $$
declare
  v_plan plans;
  v_active integer;
  v_upgrade plans;
begin
  select p.* into v_plan
    from users u join plans p on p.id = u.plan_id
   where u.id = p_user
     for no key update of u;
  if not found then
    raise exception 'No such user' using errcode = 'CG404';
  end if;

  select count(*) into v_active from habits where user_id = p_user and archived_at is null;
  if v_active < v_plan.max_active_habits then
    return;
  end if;

  -- The message names the limit and the way out; the next bigger plan, if any, is data.
  select * into v_upgrade from plans
   where max_active_habits > v_plan.max_active_habits
   order by max_active_habits
   limit 1;
  if v_upgrade.id is null then
    raise exception 'Your % plan allows % active habits. Archive or delete one to make room.',
      v_plan.id, v_plan.max_active_habits
      using errcode = 'CG402';
  end if;
  raise exception 'Your % plan allows % active habits. Archive or delete one, or upgrade to % (up to % active habits) at /upgrade.',
    v_plan.id, v_plan.max_active_habits, v_upgrade.id, v_upgrade.max_active_habits
    using errcode = 'CG402';
end;
$$;

-- Creates a habit at the end of the user's active list, within the plan's limit.
create function create_habit(
  p_user uuid,
  p_name text,
  p_color text,
  p_kind text,
  p_target numeric,
  p_unit text,
  p_schedule jsonb,
  p_start_date date
) returns habits
language plpgsql
as $$
declare
  v_habit habits;
begin
  perform lock_active_habit_quota(p_user);

  insert into habits (user_id, name, color, kind, target, unit, schedule, position, start_date)
  values (
    p_user, p_name, p_color, p_kind, p_target, p_unit, p_schedule,
    (select coalesce(max(position) + 1, 0) from habits where user_id = p_user and archived_at is null),
    p_start_date
  )
  returning * into v_habit;

  perform log_activity(p_user, 'habit.created', 'habit', v_habit.id::text,
    jsonb_build_object('name', v_habit.name));
  return v_habit;
end;
$$;

-- Applies a partial change to one of the user's habits. p_patch holds only the keys
-- to change: name, color, kind, target, unit, schedule (as stored), archived
-- (boolean), position (0-based index in the habit's list). Returns no row when the
-- habit is not the user's (or does not exist).
--
-- - kind → boolean clears target and unit; the table's checks refuse other mixes.
-- - archived: false on an archived habit counts against the plan (CG402) and puts it
--   at the end of the active list.
-- - position: the habit moves to that index and its list is renumbered 0..n-1.
-- - One activity row: habit.archived / habit.unarchived when the archive state
--   changed, else habit.updated, with the names of the fields sent.
create function update_habit(p_user uuid, p_habit uuid, p_patch jsonb) returns setof habits
language plpgsql
as $$
declare
  v_old habits;
  v_new habits;
  v_action text := 'habit.updated';
  v_index integer;
begin
  -- Unarchiving counts and reordering renumbers the user's other habits: both take
  -- the user's lock (as create_habit does) before touching the habit, always in this
  -- order, so concurrent calls queue instead of deadlocking or double counting.
  if (p_patch ? 'archived' and not (p_patch->>'archived')::boolean) or p_patch ? 'position' then
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
  -- Turning a numeric habit into a yes/no one drops what only numeric habits have;
  -- a target or unit sent along is kept, and the table's check refuses it.
  if v_new.kind = 'boolean' and v_old.kind <> 'boolean' then
    if not p_patch ? 'target' then v_new.target := null; end if;
    if not p_patch ? 'unit' then v_new.unit := null; end if;
  end if;

  if p_patch ? 'archived' then
    if (p_patch->>'archived')::boolean and v_old.archived_at is null then
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

-- Deletes one of the user's habits with its check-ins; false when it is not theirs.
create function delete_habit(p_user uuid, p_habit uuid) returns boolean
language plpgsql
as $$
declare
  v_name text;
begin
  delete from habits where id = p_habit and user_id = p_user returning name into v_name;
  if not found then
    return false;
  end if;
  perform log_activity(p_user, 'habit.deleted', 'habit', p_habit::text, jsonb_build_object('name', v_name));
  return true;
end;
$$;

-- Sets one day of one of the user's habits: 'done' or 'skipped' (an upsert, so any
-- number of identical concurrent calls leave one row) or 'none' (deletes the day).
--
-- - Another user's habit, or none: CG404.
-- - p_day after p_today (the user's local today, computed by the app from their
--   timezone) or more than 366 days before it: CG400.
-- - value: numeric habits only, and only with 'done'; a 'done' without one stores
--   the target, so history keeps what "done" meant that day.
-- - note: null keeps the day's note, '' clears it (so a one-tap "done" does not erase
--   a note written earlier).
-- - Archived habits take check-ins too: their history stays editable.
-- - Exactly one activity row per call: checkin.saved or checkin.cleared.
-- Returns the saved row; no row after 'none'.
create function upsert_checkin(
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

  if p_status is null or p_status not in ('done', 'skipped', 'none') then
    raise exception 'The status must be done, skipped or none' using errcode = 'CG400';
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
