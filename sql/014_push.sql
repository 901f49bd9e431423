-- Web Push reminders and one-tap check-ins (issue 12, items 1 and 2).
--
-- Delivery keeps the one claim of sql/007: deliver_due_reminders decides what is due
-- and inserts the (reminder, local day) row exactly once across instances. The
-- scheduler now calls deliver_reminders_to_devices, which wraps that claim and, in the
-- same statement, routes each reminder it claimed: one reminder_pushes row per device
-- of the user (sent by the scheduler's push job, lib/push + db/push.ts), or, for a
-- user with no device, the outbox e-mail as before. A reminder no device took (every
-- device gone, refused, or silent for PUSH_GIVE_UP) falls back to e-mail in
-- finish_reminder_push, once.
--
-- One-tap links (lib/one_tap.ts) are made single-use by one_tap_uses: use_one_tap
-- inserts the token's row and records the check-in in one transaction.

-- A browser's push subscription on one device. The endpoint is the push service's
-- capability URL for that browser profile: unique, so a device that subscribes again
-- (or for another account after a log-out) has one row, owned by its latest user.
create table push_subscriptions (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references users (id) on delete cascade,
  endpoint text not null,
  p256dh text not null,
  auth text not null,
  -- "Chrome on Android": a name the settings page lists the device by (from User-Agent).
  device_label text not null default '',
  created_at timestamptz not null default now(),
  last_success_at timestamptz,
  constraint push_subscriptions_endpoint_key unique (endpoint),
  constraint push_subscriptions_endpoint_check check (char_length(endpoint) between 1 and 2048),
  constraint push_subscriptions_keys_check check (char_length(p256dh) = 87 and char_length(auth) = 22),
  constraint push_subscriptions_label_check check (char_length(device_label) <= 100)
);
create index push_subscriptions_user_idx on push_subscriptions (user_id, created_at);

-- One reminder to one device. A sender leases due pending rows (FOR UPDATE SKIP
-- LOCKED, so concurrent senders never take the same row), sends, then calls
-- finish_reminder_push. A device's rows go with its subscription (removed by the user,
-- or gone at the push service): they no longer count as a device that took it.
create table reminder_pushes (
  id uuid primary key default gen_random_uuid(),
  reminder_id uuid not null references reminders (id) on delete cascade,
  local_date date not null,
  user_id uuid not null references users (id) on delete cascade,
  subscription_id uuid not null references push_subscriptions (id) on delete cascade,
  status text not null default 'pending',
  attempts integer not null default 0,
  -- Pending: when it may be (re)tried; also the lease of the sender holding it.
  next_attempt_at timestamptz,
  -- Pending past this: failed without another try (the e-mail then goes instead).
  give_up_at timestamptz not null,
  last_error text,
  created_at timestamptz not null default now(),
  finished_at timestamptz,
  constraint reminder_pushes_status_check check (status in ('pending', 'delivered', 'failed')),
  constraint reminder_pushes_device_key unique (reminder_id, local_date, subscription_id)
);
create index reminder_pushes_due_idx on reminder_pushes (next_attempt_at) where status = 'pending';
create index reminder_pushes_subscription_idx on reminder_pushes (subscription_id);

-- The reminder an outbox e-mail is about, so the sender can add one-tap links signed
-- at send time, and a push fallback is queued at most once.
alter table email_outbox add column reminder_id uuid references reminders (id) on delete set null;
alter table email_outbox add column reminder_date date;
create unique index email_outbox_reminder_idx on email_outbox (reminder_id, reminder_date)
  where reminder_id is not null;

-- The text of a reminder e-mail (the same words as sql/007's, which no longer sends:
-- the scheduler passes it p_email = false). One-tap links are appended when it is sent.
create function reminder_email_body(p_title text, p_habit_name text, p_time time) returns text
language sql immutable
as $$
  select p_title || E'\n\n'
    || case when p_habit_name is null then ''
            else 'Your habit “' || p_habit_name || E'” is not done yet today.\n\n' end
    || 'You asked ConsistencyGrid to remind you at ' || to_char(p_time, 'HH24:MI')
    || E'. Turn these e-mails off in your settings.\n'
$$;

-- Queues the reminder e-mail for one delivered (reminder, day), when the user wants
-- reminder e-mail and none is queued for it yet. Returns whether it queued one.
create function queue_reminder_email(p_reminder uuid, p_date date, p_now timestamptz) returns boolean
language plpgsql
as $$
begin
  insert into email_outbox (user_id, to_address, subject, body, next_attempt_at, created_at, reminder_id, reminder_date)
  select u.id, u.email, 'Reminder: ' || r.title, reminder_email_body(r.title, h.name, r.time_of_day),
         p_now, p_now, r.id, p_date
    from reminders r
    join users u on u.id = r.user_id
    left join habits h on h.id = r.habit_id
   where r.id = p_reminder and u.email_reminders
  on conflict (reminder_id, reminder_date) where reminder_id is not null do nothing;
  return found;
end;
$$;

-- The scheduler's one statement: claims what is due (deliver_due_reminders, sql/007:
-- the in-app notification and the at-most-once row) and routes each claimed reminder
-- to the user's devices (p_push: the server has VAPID keys) or, with no device, to
-- e-mail (p_email: SMTP is configured). Same transaction, so a crash leaves all of it
-- or none.
--
-- PAUSED HABITS: which reminders are due is deliver_due_reminders' decision alone
-- (helper "model" adds the pause rule there, sql/012); nothing here re-selects
-- reminders, so a pause excluded there is never pushed or e-mailed here.
create function deliver_reminders_to_devices(
  p_now timestamptz,
  p_email boolean,
  p_push boolean,
  p_limit integer default 1000
) returns table (reminder_id uuid, user_id uuid, local_date date, notification_id uuid, emailed boolean, pushes integer)
language plpgsql
as $$
declare
  v_delivery record;
  v_pushes integer;
  v_emailed boolean;
begin
  for v_delivery in select * from deliver_due_reminders(p_now, false, p_limit) loop
    v_pushes := 0;
    v_emailed := false;
    if p_push then
      insert into reminder_pushes (reminder_id, local_date, user_id, subscription_id, next_attempt_at, give_up_at, created_at)
      select v_delivery.reminder_id, v_delivery.local_date, s.user_id, s.id, p_now, p_now + interval '15 minutes', p_now
        from push_subscriptions s
       where s.user_id = v_delivery.user_id
      on conflict do nothing;
      get diagnostics v_pushes = row_count;
    end if;
    if v_pushes = 0 and p_email then
      v_emailed := queue_reminder_email(v_delivery.reminder_id, v_delivery.local_date, p_now);
    end if;
    reminder_id := v_delivery.reminder_id;
    user_id := v_delivery.user_id;
    local_date := v_delivery.local_date;
    notification_id := v_delivery.notification_id;
    emailed := v_emailed;
    pushes := v_pushes;
    return next;
  end loop;
end;
$$;

-- Records what became of one push and, when that leaves the reminder with no device
-- that took it and none still trying, queues the e-mail instead (once: finishers of
-- one reminder are serialised on its delivery row).
--
-- p_outcome: 'delivered'; 'retry' (at p_retry_at, unless past give_up_at: then failed);
-- 'gone' (the subscription is deleted); 'refused' (failed). Returns whether it queued
-- the fallback e-mail.
create function finish_reminder_push(
  p_push uuid,
  p_outcome text,
  p_error text,
  p_retry_at timestamptz,
  p_now timestamptz,
  p_email boolean
) returns boolean
language plpgsql
as $$
declare
  v_push reminder_pushes;
begin
  select * into v_push from reminder_pushes where id = p_push;
  if not found then
    return false;
  end if;
  perform 1 from reminder_deliveries
   where reminder_deliveries.reminder_id = v_push.reminder_id and reminder_deliveries.local_date = v_push.local_date
     for update;
  select * into v_push from reminder_pushes where id = p_push;
  if not found or v_push.status <> 'pending' then
    return false;
  end if;

  if p_outcome = 'delivered' then
    update reminder_pushes set status = 'delivered', next_attempt_at = null, last_error = null, finished_at = p_now
     where id = p_push;
    update push_subscriptions set last_success_at = p_now where id = v_push.subscription_id;
    return false;
  end if;
  if p_outcome = 'retry' and p_retry_at < v_push.give_up_at then
    update reminder_pushes set next_attempt_at = p_retry_at, last_error = left(p_error, 1000) where id = p_push;
    return false;
  end if;
  update reminder_pushes set status = 'failed', next_attempt_at = null, last_error = left(p_error, 1000),
                             finished_at = p_now
   where id = p_push;
  if p_outcome = 'gone' then
    -- Its rows go with it (cascade), this one included.
    delete from push_subscriptions where id = v_push.subscription_id;
  end if;

  if p_email and not exists (
    select 1 from reminder_pushes p
     where p.reminder_id = v_push.reminder_id and p.local_date = v_push.local_date and p.status <> 'failed'
  ) then
    return queue_reminder_email(v_push.reminder_id, v_push.local_date, p_now);
  end if;
  return false;
end;
$$;

-- Saves (or renews) a device's subscription for p_user. The endpoint is unique: a
-- device already known (for this user or another) is updated and now belongs to
-- p_user. One activity row. At most p_max devices per user (CG409 beyond).
create function save_push_subscription(
  p_user uuid,
  p_endpoint text,
  p_p256dh text,
  p_auth text,
  p_label text,
  p_max integer
) returns push_subscriptions
language plpgsql
as $$
declare
  v_subscription push_subscriptions;
begin
  -- The user's lock: concurrent subscribes of one user count one after another.
  perform 1 from users where id = p_user for no key update;
  if (select count(*) from push_subscriptions where user_id = p_user and endpoint <> p_endpoint) >= p_max then
    raise exception 'You can receive reminders on % devices at most: remove one in Settings first', p_max
      using errcode = 'CG409';
  end if;
  insert into push_subscriptions (user_id, endpoint, p256dh, auth, device_label)
  values (p_user, p_endpoint, p_p256dh, p_auth, p_label)
  on conflict (endpoint) do update
    set user_id = excluded.user_id, p256dh = excluded.p256dh, auth = excluded.auth,
        device_label = excluded.device_label, created_at = now(), last_success_at = null
  returning * into v_subscription;
  perform log_activity(p_user, 'push.subscribed', 'push_subscription', v_subscription.id::text,
    jsonb_build_object('device', v_subscription.device_label));
  return v_subscription;
end;
$$;

create function delete_push_subscription(p_user uuid, p_subscription uuid) returns boolean
language plpgsql
as $$
declare
  v_label text;
begin
  delete from push_subscriptions where id = p_subscription and user_id = p_user returning device_label into v_label;
  if not found then
    return false;
  end if;
  perform log_activity(p_user, 'push.unsubscribed', 'push_subscription', p_subscription::text,
    jsonb_build_object('device', v_label));
  return true;
end;
$$;

-- One row per one-tap token used: the token's random id is the key, so a second use
-- (a double tap, a mail scanner that POSTs, the same link on two devices) finds it.
-- Tokens live 48 hours; older rows guard nothing (the scheduler prunes them, db/one_tap.ts).
create table one_tap_uses (
  token_id uuid primary key,
  user_id uuid not null references users (id) on delete cascade,
  habit_id uuid not null references habits (id) on delete cascade,
  local_date date not null,
  action text not null,
  used_at timestamptz not null default now(),
  constraint one_tap_uses_action_check check (action in ('done', 'skip'))
);
create index one_tap_uses_used_idx on one_tap_uses (used_at);

-- Uses one token: records the check-in (upsert_checkin: ownership, allowed days, one
-- activity row) and the token's row in one transaction, or nothing. "Today" is the
-- user's local day at p_now. Returns the time of the use that counted and whether it
-- was this call; a failed check-in (CG404: the habit is gone; CG400: a day out of
-- range) raises and leaves the token unused.
create function use_one_tap(
  p_token uuid,
  p_user uuid,
  p_habit uuid,
  p_day date,
  p_action text,
  p_now timestamptz
) returns table (used_now boolean, used_at timestamptz)
language plpgsql
as $$
declare
  v_used_at timestamptz;
  v_today date;
begin
  select (p_now at time zone u.timezone)::date into v_today
    from habits h join users u on u.id = h.user_id
   where h.id = p_habit and h.user_id = p_user;
  if not found then
    raise exception 'No habit with that id' using errcode = 'CG404';
  end if;
  insert into one_tap_uses (token_id, user_id, habit_id, local_date, action, used_at)
  values (p_token, p_user, p_habit, p_day, p_action, p_now)
  on conflict (token_id) do nothing
  returning one_tap_uses.used_at into v_used_at;
  if v_used_at is null then
    return query select false, u.used_at from one_tap_uses u where u.token_id = p_token;
    return;
  end if;
  perform upsert_checkin(p_user, p_habit, p_day, case p_action when 'done' then 'done' else 'skipped' end,
                         null, null, v_today);
  return query select true, v_used_at;
end;
$$;
