-- Imports that cannot hurt anyone (issue 8) and that can be repeated (issue 9):
--
-- 1. plans.max_archived_habits: archived habits count toward a cap of their own (the
--    active-habit cap never counted them, so archiving was a way around it), checked
--    under the user's lock like the active one: by update_habit when a habit is
--    archived, and by lock_import_quota for an import.
-- 2. imports: one row per import, a journal. An import writes in short statements
--    (db/import.ts explains why), so it is not one transaction: the row says which
--    import a habit, goal or check-in came from (import_id) until the import is done,
--    so a failed or abandoned one can be removed whole. One running import per user.
-- 3. imported_from: the id an object had in the file it was imported from. With the
--    object's own id it is what a later import matches on, so importing the same file
--    again adds nothing (and matching is always within the importing user's rows).
--
-- Custom SQLSTATEs (db/rules.ts maps them): CG402 plan limit, CG404 not found.

-- --- archived habits: a plan cap of their own ----------------------------------------

alter table plans add column max_archived_habits integer;
update plans set max_archived_habits = case id when 'free' then 50 when 'pro' then 1000 else max_active_habits end;
-- No default: a plan added later must say how many archived habits it keeps.
alter table plans alter column max_archived_habits set not null;
alter table plans add constraint plans_max_archived_habits_check check (max_archived_habits >= 0);

-- Takes the user's lock and refuses (CG402) when p_adding more archived habits would
-- pass the plan's cap. Archiving and importing call it; like lock_active_habit_quota
-- (sql/004_habits.sql), the lock makes one user's concurrent calls count one after
-- another, so the count always includes what a previous call committed.
create function lock_archived_habit_quota(p_user uuid, p_adding integer default 1) returns void
language plpgsql
as $$
declare
  v_plan plans;
  v_archived integer;
  v_upgrade plans;
  v_way_out text;
begin
  select p.* into v_plan
    from users u join plans p on p.id = u.plan_id
   where u.id = p_user
     for no key update of u;
  if not found then
    raise exception 'No such user' using errcode = 'CG404';
  end if;

  select count(*) into v_archived from habits where user_id = p_user and archived_at is not null;
  -- Adding none takes the lock and refuses nothing (a plan may have been lowered since).
  if p_adding <= 0 or v_archived + p_adding <= v_plan.max_archived_habits then
    return;
  end if;

  select * into v_upgrade from plans
   where max_archived_habits > v_plan.max_archived_habits
   order by max_archived_habits
   limit 1;
  v_way_out := case when v_upgrade.id is null then 'Delete archived habits you no longer need.'
    else format('Delete archived habits you no longer need, or upgrade to %s (up to %s archived habits) at /upgrade.',
                v_upgrade.id, v_upgrade.max_archived_habits) end;
  if p_adding = 1 then
    raise exception 'Your % plan keeps % archived habits. %', v_plan.id, v_plan.max_archived_habits, v_way_out
      using errcode = 'CG402';
  end if;
  raise exception 'This would add % archived habits to your %; your % plan keeps %. % Nothing was imported.',
    p_adding, v_archived, v_plan.id, v_plan.max_archived_habits, v_way_out
    using errcode = 'CG402';
end;
$$;

-- The plan's caps for an import that adds p_active active habits, p_archived archived
-- ones and p_goals goals, all at once, under the user's lock (taken here; the import's
-- transaction keeps it until its habits and goals are written). CG402 names the cap.
create function lock_import_quota(p_user uuid, p_active integer, p_archived integer, p_goals integer) returns void
language plpgsql
as $$
declare
  v_plan plans;
  v_active integer;
  v_goals integer;
begin
  -- Takes the user's lock (CG404 for no such user) and checks the archived habits.
  perform lock_archived_habit_quota(p_user, p_archived);
  select p.* into v_plan from users u join plans p on p.id = u.plan_id where u.id = p_user;

  select count(*) into v_active from habits where user_id = p_user and archived_at is null;
  if p_active > 0 and v_active + p_active > v_plan.max_active_habits then
    raise exception 'This import has % new active habits and you have %; your % plan allows %. Archive some first, or upgrade at /upgrade. Nothing was imported.',
      p_active, v_active, v_plan.id, v_plan.max_active_habits
      using errcode = 'CG402';
  end if;
  select count(*) into v_goals from goals where user_id = p_user;
  if p_goals > 0 and v_goals + p_goals > v_plan.max_goals then
    raise exception 'This import has % new goals and you have %; your % plan allows %. Delete some first, or upgrade at /upgrade. Nothing was imported.',
      p_goals, v_goals, v_plan.id, v_plan.max_goals
      using errcode = 'CG402';
  end if;
end;
$$;

-- --- the import journal ------------------------------------------------------------

create table imports (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references users (id) on delete cascade,
  -- "json" (our export) or "loop" (Loop Habit Tracker's CSV zip).
  source text not null,
  status text not null default 'running',
  started_at timestamptz not null default now(),
  finished_at timestamptz,
  -- What it added and what it found already there (the activity row has it too).
  summary jsonb,
  constraint imports_status_check check (status in ('running', 'done', 'failed'))
);
-- One import at a time per user: a second one (a double submit) is refused, so two
-- copies of one file can never both find their objects "missing".
create unique index imports_one_running_idx on imports (user_id) where status = 'running';
create index imports_user_started_idx on imports (user_id, started_at desc);

-- Which running import wrote a row (no foreign key: a check-in insert stays one index
-- probe cheaper, and the journal row may be purged while rows keep the tag).
alter table habits add column import_id uuid;
alter table goals add column import_id uuid;
alter table checkins add column import_id uuid;

-- --- where an imported object came from -----------------------------------------------

alter table habits add column imported_from uuid;
alter table goals add column imported_from uuid;
alter table milestones add column imported_from uuid;
alter table subgoals add column imported_from uuid;
alter table reminders add column imported_from uuid;
-- An import matches "id = any(...) or imported_from = any(...)" within one user.
create index habits_user_imported_from_idx on habits (user_id, imported_from) where imported_from is not null;
create index goals_user_imported_from_idx on goals (user_id, imported_from) where imported_from is not null;
create index milestones_user_imported_from_idx on milestones (user_id, imported_from) where imported_from is not null;
create index subgoals_user_imported_from_idx on subgoals (user_id, imported_from) where imported_from is not null;
create index reminders_user_imported_from_idx on reminders (user_id, imported_from) where imported_from is not null;

-- --- update_habit: archiving counts too --------------------------------------------------
--
-- As in sql/004_habits.sql, with two changes: archiving takes the user's lock first (like
-- unarchiving and reordering, so the lock order stays user → habit and concurrent calls
-- cannot deadlock), and counts against the plan's archived-habit cap (CG402).
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
  -- Turning a numeric habit into a yes/no one drops what only numeric habits have;
  -- a target or unit sent along is kept, and the table's check refuses it.
  if v_new.kind = 'boolean' and v_old.kind <> 'boolean' then
    if not p_patch ? 'target' then v_new.target := null; end if;
    if not p_patch ? 'unit' then v_new.unit := null; end if;
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
