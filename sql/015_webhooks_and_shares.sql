-- Outgoing webhooks and shared grids (issue 12, items 4 and 5).
--
-- Webhooks: a user registers URLs for events; every activity row of a subscribed kind
-- enqueues one delivery per matching webhook from a trigger on `activity`. The trigger
-- runs inside the transaction of the write that logged the activity, so a committed
-- write always has its deliveries and a rolled-back one never does (no event lost, none
-- invented), and no writer can forget to emit. The scheduler sends deliveries later
-- (db/webhooks.ts), leasing rows with FOR UPDATE SKIP LOCKED like the e-mail outbox.
--
-- Shares: one secret link per habit, to its year grid; deleting the row revokes it.

create table webhooks (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references users (id) on delete cascade,
  url text not null check (char_length(url) between 1 and 2048),
  -- What it listens to: 'checkin.created', 'checkin.deleted', 'habit.*', 'goal.*'.
  events text[] not null check (cardinality(events) between 1 and 10),
  -- The HMAC key. Kept as is (a signature needs the key itself, not a hash of it);
  -- shown to the user once, when the webhook is created.
  secret text not null,
  created_at timestamptz not null default now()
);
create index webhooks_user_id_idx on webhooks (user_id, created_at);

create table webhook_deliveries (
  id uuid primary key default gen_random_uuid(),
  webhook_id uuid not null references webhooks (id) on delete cascade,
  user_id uuid not null references users (id) on delete cascade,
  event text not null,
  -- The body, fixed when the event happened: every retry sends the same bytes.
  payload text not null,
  created_at timestamptz not null default now(),
  -- Attempts started (a claim counts one before sending).
  attempts integer not null default 0,
  -- When the next attempt may start; null once delivered or given up.
  next_attempt_at timestamptz default now(),
  delivered_at timestamptz,
  -- The last attempt's HTTP status (null: no answer) and what went wrong.
  last_status integer,
  last_error text,
  last_attempt_at timestamptz
);
-- The sender's scan: due rows only.
create index webhook_deliveries_due_idx on webhook_deliveries (next_attempt_at) where next_attempt_at is not null;
-- The last 20 of a webhook, newest first.
create index webhook_deliveries_webhook_idx on webhook_deliveries (webhook_id, created_at desc, id desc);
create index webhook_deliveries_user_id_idx on webhook_deliveries (user_id);

-- The webhook event an activity action is, or null when it is none: a check-in saved is
-- `checkin.created` (a new or changed check-in for that day), cleared `checkin.deleted`;
-- habit.* and goal.* actions keep their names.
create function webhook_event_type(p_action text) returns text
language sql immutable
as $$
  select case
    when p_action = 'checkin.saved' then 'checkin.created'
    when p_action = 'checkin.cleared' then 'checkin.deleted'
    when p_action like 'habit.%' or p_action like 'goal.%' then p_action
  end;
$$;

-- Trigger: one delivery per webhook of the activity's user that listens to its event,
-- in the same transaction as the activity row (and so as the write it records).
create function enqueue_webhook_deliveries() returns trigger
language plpgsql
as $$
declare
  v_event text := webhook_event_type(new.action);
begin
  if v_event is null then
    return null;
  end if;
  insert into webhook_deliveries (webhook_id, user_id, event, payload, created_at)
  select w.id, w.user_id, v_event,
         jsonb_build_object(
           'type', v_event,
           'createdAt', to_char(new.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
           'data', jsonb_build_object('objectType', new.object_type, 'objectId', new.object_id) || new.details
         )::text,
         new.created_at
    from webhooks w
   where w.user_id = new.user_id
     and (v_event = any (w.events) or split_part(v_event, '.', 1) || '.*' = any (w.events));
  return null;
end;
$$;

create trigger activity_webhooks after insert on activity
  for each row execute function enqueue_webhook_deliveries();

-- Registers a webhook (the URL already checked by the app, which can resolve DNS).
-- At most 10 per user: CG409. Activity: webhook.created.
create function create_webhook(p_user uuid, p_url text, p_events text[], p_secret text) returns webhooks
language plpgsql
as $$
declare
  v_webhook webhooks;
begin
  -- Serialises one user's creations so two at once cannot both pass the count.
  perform 1 from users where id = p_user for update;
  if (select count(*) from webhooks where user_id = p_user) >= 10 then
    raise exception 'You have 10 webhooks, the most an account can have: delete one first' using errcode = 'CG409';
  end if;
  insert into webhooks (user_id, url, events, secret)
  values (p_user, p_url, p_events, p_secret)
  returning * into v_webhook;
  perform log_activity(p_user, 'webhook.created', 'webhook', v_webhook.id::text,
    jsonb_build_object('url', p_url, 'events', to_jsonb(p_events)));
  return v_webhook;
end;
$$;

-- Deletes one of the user's webhooks and its deliveries. Another user's, an unknown id
-- and an id that is not a UUID are the same CG404. Activity: webhook.deleted.
create function delete_webhook(p_user uuid, p_webhook text) returns void
language plpgsql
as $$
declare
  v_url text;
begin
  if p_webhook !~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then
    raise exception 'No webhook with that id' using errcode = 'CG404';
  end if;
  delete from webhooks where id = p_webhook::uuid and user_id = p_user returning url into v_url;
  if not found then
    raise exception 'No webhook with that id' using errcode = 'CG404';
  end if;
  perform log_activity(p_user, 'webhook.deleted', 'webhook', p_webhook, jsonb_build_object('url', v_url));
end;
$$;

create table habit_shares (
  habit_id uuid primary key references habits (id) on delete cascade,
  user_id uuid not null references users (id) on delete cascade,
  -- The link's secret. Kept as is so the owner can copy the link again: it only opens
  -- data this same database holds in the clear.
  token text not null,
  show_name boolean not null default false,
  created_at timestamptz not null default now()
);
create unique index habit_shares_token_key on habit_shares (token);
create index habit_shares_user_id_idx on habit_shares (user_id);

-- Shares one of the user's habits: creates its link, or keeps the existing one (a new
-- token only with p_rotate, which kills the old link). p_show_name null keeps the
-- current choice. Another user's habit: CG404. Activity: habit.shared when created or
-- rotated, habit.share_updated when only the name choice changed.
create function share_habit(p_user uuid, p_habit uuid, p_token text, p_show_name boolean, p_rotate boolean)
returns habit_shares
language plpgsql
as $$
declare
  v_share habit_shares;
  v_name text;
  v_existed boolean;
begin
  select name into v_name from habits where id = p_habit and user_id = p_user for key share;
  if not found then
    raise exception 'No habit with that id' using errcode = 'CG404';
  end if;
  select exists (select 1 from habit_shares where habit_id = p_habit) into v_existed;
  insert into habit_shares (habit_id, user_id, token, show_name)
  values (p_habit, p_user, p_token, coalesce(p_show_name, false))
  on conflict (habit_id) do update
    set token = case when p_rotate then excluded.token else habit_shares.token end,
        show_name = coalesce(p_show_name, habit_shares.show_name),
        created_at = case when p_rotate then now() else habit_shares.created_at end
  returning * into v_share;
  perform log_activity(p_user,
    case when v_existed and not p_rotate then 'habit.share_updated' else 'habit.shared' end,
    'habit', p_habit::text, jsonb_build_object('name', v_name, 'showName', v_share.show_name));
  return v_share;
end;
$$;

-- Revokes a habit's link. Another user's habit, or one not shared: CG404.
-- Activity: habit.unshared.
create function unshare_habit(p_user uuid, p_habit uuid) returns void
language plpgsql
as $$
declare
  v_name text;
begin
  delete from habit_shares s using habits h
   where s.habit_id = p_habit and s.user_id = p_user and h.id = s.habit_id
  returning h.name into v_name;
  if not found then
    raise exception 'That habit has no share link' using errcode = 'CG404';
  end if;
  perform log_activity(p_user, 'habit.unshared', 'habit', p_habit::text, jsonb_build_object('name', v_name));
end;
$$;
