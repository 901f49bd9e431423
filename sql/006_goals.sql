-- Goals with their milestones and subgoals, pins, and the functions that change them.
--
-- As in 004_habits.sql, every change is one function call (one statement, so one
-- transaction even through PgBouncer in transaction mode) that checks ownership, makes
-- the write and logs exactly one activity row. Another user's goal, milestone or
-- subgoal reads exactly like a missing one (CG404 or no row).
--
-- Custom SQLSTATEs (db/rules.ts maps them): CG400 invalid, CG402 plan limit, CG404 not found.

create table goals (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references users (id) on delete cascade,
  title text not null,
  description text,
  target_date date,
  status text not null default 'active',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint goals_title_check check (char_length(title) between 1 and 200 and title = btrim(title)),
  constraint goals_description_check check (description is null or char_length(description) between 1 and 2000),
  constraint goals_status_check check (status in ('active', 'done', 'dropped'))
);
-- GET /api/goals and /goals: a user's goals, newest first; also what the plan limit counts.
create index goals_user_created_idx on goals (user_id, created_at desc, id);

-- Pinned goals and their order on the dashboard. A row exists only while the goal is
-- pinned; positions of one user are dense (0..n-1), kept so by pin_goal and delete_goal.
create table goal_pins (
  goal_id uuid primary key references goals (id) on delete cascade,
  user_id uuid not null references users (id) on delete cascade,
  position integer not null,
  pinned_at timestamptz not null default now(),
  constraint goal_pins_position_check check (position >= 0),
  -- Deferred: a reorder renumbers several rows in one statement, passing through
  -- duplicates that only the end state must not have.
  constraint goal_pins_user_position_key unique (user_id, position) deferrable initially deferred
);

create table milestones (
  id uuid primary key default gen_random_uuid(),
  goal_id uuid not null references goals (id) on delete cascade,
  -- The goal's owner, copied so ownership is one index probe and a user's milestones
  -- across goals (the goal list) come from one range.
  user_id uuid not null references users (id) on delete cascade,
  title text not null,
  due_date date,
  done boolean not null default false,
  -- Order within the goal: creation order (appended at the end).
  position integer not null default 0,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint milestones_title_check check (char_length(title) between 1 and 200 and title = btrim(title))
);
-- One goal's timeline.
create index milestones_goal_position_idx on milestones (goal_id, position, created_at);
-- Every milestone of a user's goals (the goal list computes progress for each goal).
create index milestones_user_goal_idx on milestones (user_id, goal_id);

create table subgoals (
  id uuid primary key default gen_random_uuid(),
  goal_id uuid not null references goals (id) on delete cascade,
  user_id uuid not null references users (id) on delete cascade,
  title text not null,
  progress integer not null default 0,
  done boolean not null default false,
  position integer not null default 0,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint subgoals_title_check check (char_length(title) between 1 and 200 and title = btrim(title)),
  constraint subgoals_progress_check check (progress between 0 and 100)
);
create index subgoals_goal_position_idx on subgoals (goal_id, position, created_at);
create index subgoals_user_goal_idx on subgoals (user_id, goal_id);

-- Creates a goal within the plan's limit (plans.max_goals, counting every goal the user
-- has, whatever its status). The user's row lock makes concurrent creations of one
-- user count one after another, so the count always includes every goal a previous
-- call committed: 25 racing calls with 20 allowed make exactly 20.
create function create_goal(p_user uuid, p_title text, p_description text, p_target_date date) returns goals
language plpgsql
as $$
declare
  v_plan plans;
  v_count integer;
  v_upgrade plans;
  v_goal goals;
begin
  select p.* into v_plan
    from users u join plans p on p.id = u.plan_id
   where u.id = p_user
     for no key update of u;
  if not found then
    raise exception 'No such user' using errcode = 'CG404';
  end if;

  select count(*) into v_count from goals where user_id = p_user;
  if v_count >= v_plan.max_goals then
    select * into v_upgrade from plans where max_goals > v_plan.max_goals order by max_goals limit 1;
    if v_upgrade.id is null then
      raise exception 'Your % plan allows % goals. Delete one to make room.', v_plan.id, v_plan.max_goals
        using errcode = 'CG402';
    end if;
    raise exception 'Your % plan allows % goals. Delete one, or upgrade to % (up to % goals) at /upgrade.',
      v_plan.id, v_plan.max_goals, v_upgrade.id, v_upgrade.max_goals
      using errcode = 'CG402';
  end if;

  insert into goals (user_id, title, description, target_date)
  values (p_user, p_title, nullif(p_description, ''), p_target_date)
  returning * into v_goal;

  perform log_activity(p_user, 'goal.created', 'goal', v_goal.id::text, jsonb_build_object('title', v_goal.title));
  return v_goal;
end;
$$;

-- Applies a partial change (keys: title, description, targetDate, status; null clears
-- description and targetDate). No row when the goal is not the user's.
create function update_goal(p_user uuid, p_goal uuid, p_patch jsonb) returns setof goals
language plpgsql
as $$
declare
  v_goal goals;
begin
  update goals
     set title = case when p_patch ? 'title' then p_patch->>'title' else title end,
         description = case when p_patch ? 'description' then nullif(p_patch->>'description', '') else description end,
         target_date = case when p_patch ? 'targetDate' then (p_patch->>'targetDate')::date else target_date end,
         status = case when p_patch ? 'status' then p_patch->>'status' else status end,
         updated_at = now()
   where id = p_goal and user_id = p_user
  returning * into v_goal;
  if not found then
    return;
  end if;
  perform log_activity(p_user, 'goal.updated', 'goal', p_goal::text,
    jsonb_build_object('title', v_goal.title,
                       'fields', coalesce((select jsonb_agg(key order by key) from jsonb_object_keys(p_patch) key),
                                          '[]'::jsonb)));
  return next v_goal;
end;
$$;

-- Renumbers the user's pins 0..n-1 in their current order (after a removal).
create function compact_goal_pins(p_user uuid) returns void
language sql
as $$
  with ordered as (
    select goal_id, row_number() over (order by position, pinned_at, goal_id)::integer - 1 as idx
      from goal_pins where user_id = p_user
  )
  update goal_pins g set position = o.idx
    from ordered o
   where g.goal_id = o.goal_id and g.position <> o.idx;
$$;

-- Deletes one of the user's goals with its milestones and subgoals; false when it is
-- not theirs. Closes the gap its pin leaves.
create function delete_goal(p_user uuid, p_goal uuid) returns boolean
language plpgsql
as $$
declare
  v_title text;
begin
  -- The user's lock, as pin_goal takes it: pins are renumbered one caller at a time.
  perform 1 from users where id = p_user for no key update;
  delete from goals where id = p_goal and user_id = p_user returning title into v_title;
  if not found then
    return false;
  end if;
  perform compact_goal_pins(p_user);
  perform log_activity(p_user, 'goal.deleted', 'goal', p_goal::text, jsonb_build_object('title', v_title));
  return true;
end;
$$;

-- Pins or unpins one of the user's goals (CG404 when it is not theirs) — an upsert:
-- pinning a pinned goal again keeps its place unless p_position says otherwise, and
-- unpinning an unpinned goal changes nothing. p_position (0-based, clamped to the end;
-- null = the end, or the current place when already pinned) moves the goal within the
-- pinned list and shifts the others, so positions stay dense and unique (0..n-1)
-- whatever the concurrency: every caller takes the user's row lock first.
-- One activity row: goal.pinned or goal.unpinned.
create function pin_goal(p_user uuid, p_goal uuid, p_pinned boolean, p_position integer) returns void
language plpgsql
as $$
declare
  v_title text;
  v_current integer;
  v_index integer;
begin
  perform 1 from users where id = p_user for no key update;
  select title into v_title from goals where id = p_goal and user_id = p_user for key share;
  if not found then
    raise exception 'No goal with that id' using errcode = 'CG404';
  end if;
  if p_position is not null and p_position < 0 then
    raise exception 'The position is a whole number from 0' using errcode = 'CG400';
  end if;

  if not p_pinned then
    delete from goal_pins where goal_id = p_goal;
    perform compact_goal_pins(p_user);
    perform log_activity(p_user, 'goal.unpinned', 'goal', p_goal::text, jsonb_build_object('title', v_title));
    return;
  end if;

  select position into v_current from goal_pins where goal_id = p_goal;
  -- Everyone else pinned, in order, leaves a gap at the target index.
  with others as (
    select goal_id, row_number() over (order by position, pinned_at, goal_id)::integer - 1 as idx
      from goal_pins
     where user_id = p_user and goal_id <> p_goal
  )
  select least(coalesce(p_position, v_current, count(*)::integer), count(*)::integer) into v_index from others;

  with others as (
    select goal_id, row_number() over (order by position, pinned_at, goal_id)::integer - 1 as idx
      from goal_pins
     where user_id = p_user and goal_id <> p_goal
  )
  update goal_pins g
     set position = case when o.idx < v_index then o.idx else o.idx + 1 end
    from others o
   where g.goal_id = o.goal_id
     and g.position <> case when o.idx < v_index then o.idx else o.idx + 1 end;

  insert into goal_pins (goal_id, user_id, position)
  values (p_goal, p_user, v_index)
  on conflict (goal_id) do update set position = excluded.position;

  perform log_activity(p_user, 'goal.pinned', 'goal', p_goal::text,
    jsonb_build_object('title', v_title, 'position', v_index));
end;
$$;

-- Adds a milestone at the end of one of the user's goals (CG404 when not theirs).
create function create_milestone(p_user uuid, p_goal uuid, p_title text, p_due_date date) returns milestones
language plpgsql
as $$
declare
  v_milestone milestones;
begin
  -- Locks the goal so concurrent additions number one after another and a concurrent
  -- delete_goal waits instead of failing the insert on the foreign key.
  perform 1 from goals where id = p_goal and user_id = p_user for no key update;
  if not found then
    raise exception 'No goal with that id' using errcode = 'CG404';
  end if;
  insert into milestones (goal_id, user_id, title, due_date, position)
  values (p_goal, p_user, p_title, p_due_date,
          (select coalesce(max(position) + 1, 0) from milestones where goal_id = p_goal))
  returning * into v_milestone;
  perform log_activity(p_user, 'milestone.created', 'goal', p_goal::text,
    jsonb_build_object('milestoneId', v_milestone.id, 'title', v_milestone.title));
  return v_milestone;
end;
$$;

-- Partial change (keys: title, dueDate (null clears), done); no row when not the user's.
create function update_milestone(p_user uuid, p_milestone uuid, p_patch jsonb) returns setof milestones
language plpgsql
as $$
declare
  v_milestone milestones;
begin
  update milestones
     set title = case when p_patch ? 'title' then p_patch->>'title' else title end,
         due_date = case when p_patch ? 'dueDate' then (p_patch->>'dueDate')::date else due_date end,
         done = case when p_patch ? 'done' then (p_patch->>'done')::boolean else done end,
         updated_at = now()
   where id = p_milestone and user_id = p_user
  returning * into v_milestone;
  if not found then
    return;
  end if;
  perform log_activity(p_user, 'milestone.updated', 'goal', v_milestone.goal_id::text,
    jsonb_build_object('milestoneId', p_milestone, 'title', v_milestone.title,
                       'fields', (select coalesce(jsonb_agg(key order by key), '[]'::jsonb) from jsonb_object_keys(p_patch) key)));
  return next v_milestone;
end;
$$;

create function delete_milestone(p_user uuid, p_milestone uuid) returns boolean
language plpgsql
as $$
declare
  v_milestone milestones;
begin
  delete from milestones where id = p_milestone and user_id = p_user returning * into v_milestone;
  if not found then
    return false;
  end if;
  perform log_activity(p_user, 'milestone.deleted', 'goal', v_milestone.goal_id::text,
    jsonb_build_object('milestoneId', p_milestone, 'title', v_milestone.title));
  return true;
end;
$$;

-- Adds a subgoal at the end of one of the user's goals (CG404 when not theirs).
create function create_subgoal(p_user uuid, p_goal uuid, p_title text) returns subgoals
language plpgsql
as $$
declare
  v_subgoal subgoals;
begin
  perform 1 from goals where id = p_goal and user_id = p_user for no key update;
  if not found then
    raise exception 'No goal with that id' using errcode = 'CG404';
  end if;
  insert into subgoals (goal_id, user_id, title, position)
  values (p_goal, p_user, p_title, (select coalesce(max(position) + 1, 0) from subgoals where goal_id = p_goal))
  returning * into v_subgoal;
  perform log_activity(p_user, 'subgoal.created', 'goal', p_goal::text,
    jsonb_build_object('subgoalId', v_subgoal.id, 'title', v_subgoal.title));
  return v_subgoal;
end;
$$;

-- Partial change (keys: title, progress 0..100, done); no row when not the user's.
create function update_subgoal(p_user uuid, p_subgoal uuid, p_patch jsonb) returns setof subgoals
language plpgsql
as $$
declare
  v_subgoal subgoals;
begin
  update subgoals
     set title = case when p_patch ? 'title' then p_patch->>'title' else title end,
         progress = case when p_patch ? 'progress' then (p_patch->>'progress')::integer else progress end,
         done = case when p_patch ? 'done' then (p_patch->>'done')::boolean else done end,
         updated_at = now()
   where id = p_subgoal and user_id = p_user
  returning * into v_subgoal;
  if not found then
    return;
  end if;
  perform log_activity(p_user, 'subgoal.updated', 'goal', v_subgoal.goal_id::text,
    jsonb_build_object('subgoalId', p_subgoal, 'title', v_subgoal.title,
                       'fields', (select coalesce(jsonb_agg(key order by key), '[]'::jsonb) from jsonb_object_keys(p_patch) key)));
  return next v_subgoal;
end;
$$;

create function delete_subgoal(p_user uuid, p_subgoal uuid) returns boolean
language plpgsql
as $$
declare
  v_subgoal subgoals;
begin
  delete from subgoals where id = p_subgoal and user_id = p_user returning * into v_subgoal;
  if not found then
    return false;
  end if;
  perform log_activity(p_user, 'subgoal.deleted', 'goal', v_subgoal.goal_id::text,
    jsonb_build_object('subgoalId', p_subgoal, 'title', v_subgoal.title));
  return true;
end;
$$;
