-- Monthly usage quotas (exports) and Stripe billing: which customer is which user, which
-- webhook events were applied, and the one function per event that changes a plan.
--
-- Like every function in sql/, each is one call (one statement, so one transaction even
-- through PgBouncer in transaction mode), keeps no session state, and logs exactly one
-- activity row when it changes something.
--
-- Custom SQLSTATEs (db/rules.ts maps them): CG400 invalid, CG404 not found.

-- --- usage quotas -------------------------------------------------------------

-- How much of a monthly feature a user used in one calendar month (UTC). A new month
-- is a new row, so quotas reset without any job.
create table usage_counters (
  user_id uuid not null references users (id) on delete cascade,
  feature text not null,
  -- The first day of the UTC month this row counts.
  period date not null,
  used integer not null default 0,
  updated_at timestamptz not null default now(),
  constraint usage_counters_pkey primary key (user_id, feature, period),
  constraint usage_counters_used_check check (used >= 0),
  constraint usage_counters_period_check check (extract(day from period) = 1)
);

comment on table usage_counters is 'Per-user monthly use of quota-limited features (exports).';

-- A feature's monthly quota on a plan; null for a feature no plan knows.
create function plan_monthly_quota(p_plan plans, p_feature text) returns integer
language sql
immutable
as $$
  select case p_feature
    when 'exports' then p_plan.exports_per_month
  end
$$;

-- Counts one use of `p_feature` in the UTC month of `p_now` when the user's plan has
-- some of that month's quota left; otherwise changes nothing. Returns whether it was
-- allowed and the month's standing after the call.
--
-- Exact under any concurrency in one statement: INSERT ... ON CONFLICT DO UPDATE takes
-- the counter row's lock and re-checks `used < quota` against the newest committed
-- version, so N racing calls with k left let exactly k through.
create function increment_usage_if_allowed(
  p_user uuid,
  p_feature text,
  p_now timestamptz default now()
) returns table (allowed boolean, used integer, quota integer, remaining integer)
language plpgsql
as $$
declare
  v_plan plans;
  v_quota integer;
  v_period date := date_trunc('month', p_now at time zone 'UTC')::date;
  v_used integer;
begin
  select p.* into v_plan from users u join plans p on p.id = u.plan_id where u.id = p_user;
  if not found then
    raise exception 'No such user' using errcode = 'CG404';
  end if;
  v_quota := plan_monthly_quota(v_plan, p_feature);
  if v_quota is null then
    raise exception 'Unknown quota feature "%"', p_feature using errcode = 'CG400';
  end if;

  insert into usage_counters as c (user_id, feature, period, used)
  select p_user, p_feature, v_period, 1
   where v_quota > 0
  on conflict on constraint usage_counters_pkey do update
    set used = c.used + 1, updated_at = now()
    where c.used < v_quota
  returning c.used into v_used;

  if v_used is not null then
    perform log_activity(p_user, 'usage.consumed', 'usage', p_feature,
      jsonb_build_object('period', v_period, 'used', v_used, 'quota', v_quota));
    return query select true, v_used, v_quota, greatest(v_quota - v_used, 0);
    return;
  end if;

  select c.used into v_used
    from usage_counters c
   where c.user_id = p_user and c.feature = p_feature and c.period = v_period;
  v_used := coalesce(v_used, 0);
  return query select false, v_used, v_quota, greatest(v_quota - v_used, 0);
end;
$$;

-- --- Stripe billing -----------------------------------------------------------

-- A user's Stripe customer and subscription, as the last applied event left them.
create table billing_customers (
  user_id uuid not null references users (id) on delete cascade,
  stripe_customer_id text not null,
  subscription_id text,
  subscription_status text,
  -- The `created` time of the newest subscription event applied: older ones are stale.
  last_event_created timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint billing_customers_pkey primary key (user_id),
  constraint billing_customers_stripe_customer_id_key unique (stripe_customer_id)
);

comment on table billing_customers is 'Stripe customer and subscription per user.';

-- Every webhook event applied (or deliberately ignored), so a replay is a no-op.
create table stripe_events (
  id text not null,
  type text not null,
  created timestamptz not null,
  received_at timestamptz not null default now(),
  result text not null,
  constraint stripe_events_pkey primary key (id)
);

comment on table stripe_events is 'Stripe webhook events already processed, by event id.';

-- Records the event id; false when it was recorded before (a duplicate). A concurrent
-- replay waits on the primary key until the first transaction ends, then sees the
-- conflict, so only one of them ever goes on.
create function record_stripe_event(p_event_id text, p_type text, p_created timestamptz, p_result text)
returns boolean
language plpgsql
as $$
begin
  insert into stripe_events (id, type, created, result)
  values (p_event_id, p_type, p_created, p_result)
  on conflict on constraint stripe_events_pkey do nothing;
  return found;
end;
$$;

-- checkout.session.completed: links a Stripe customer to the user who checked out
-- (client_reference_id). Returns 'applied', 'duplicate', 'unknown_user' or 'conflict'
-- (the customer is linked to another user).
create function link_stripe_customer(
  p_event_id text,
  p_event_created timestamptz,
  p_user uuid,
  p_customer text
) returns text
language plpgsql
as $$
begin
  if not record_stripe_event(p_event_id, 'checkout.session.completed', p_event_created, 'applied') then
    return 'duplicate';
  end if;
  if not exists (select 1 from users where id = p_user) then
    update stripe_events set result = 'unknown_user' where id = p_event_id;
    return 'unknown_user';
  end if;
  -- One customer belongs to one user: a customer already linked elsewhere stays there.
  if exists (select 1 from billing_customers where stripe_customer_id = p_customer and user_id <> p_user) then
    update stripe_events set result = 'conflict' where id = p_event_id;
    return 'conflict';
  end if;
  insert into billing_customers (user_id, stripe_customer_id)
  values (p_user, p_customer)
  on conflict on constraint billing_customers_pkey do update
    set stripe_customer_id = excluded.stripe_customer_id, updated_at = now();
  perform log_activity(p_user, 'billing.customer_linked', 'billing', p_customer,
    jsonb_build_object('eventId', p_event_id));
  return 'applied';
end;
$$;

-- customer.subscription.created / updated / deleted: sets the user's plan from the
-- subscription, in the same transaction that records the event id. Returns
--   'duplicate'        the event was applied before (or is being applied right now);
--   'unknown_customer' no user is linked to the customer and none was named;
--   'stale'            a newer event for this customer was applied already: ignored;
--   'applied'          the plan (and subscription state) now follow this event.
-- `p_user` (the subscription's metadata.user_id) links a customer seen for the first
-- time, since Stripe does not promise checkout.session.completed arrives first.
-- Plan: active/trialing with the pro price → pro; deleted, canceled, unpaid,
-- incomplete_expired or paused → free; anything else (past_due, incomplete) keeps it.
create function apply_stripe_subscription_event(
  p_event_id text,
  p_event_created timestamptz,
  p_type text,
  p_customer text,
  p_subscription text,
  p_status text,
  p_price_pro boolean,
  p_user uuid default null
) returns text
language plpgsql
as $$
declare
  v_customer billing_customers;
  v_from text;
  v_to text;
begin
  if p_type not in ('customer.subscription.created', 'customer.subscription.updated',
                    'customer.subscription.deleted') then
    raise exception 'Not a subscription event: %', p_type using errcode = 'CG400';
  end if;
  if not record_stripe_event(p_event_id, p_type, p_event_created, 'applied') then
    return 'duplicate';
  end if;

  if p_user is not null and exists (select 1 from users where id = p_user) then
    -- Any unique conflict (user or customer already linked) means "linked already".
    insert into billing_customers (user_id, stripe_customer_id)
    values (p_user, p_customer)
    on conflict do nothing;
  end if;
  -- The customer's lock orders its events one after another, so the staleness check
  -- below always sees the newest applied event.
  select * into v_customer from billing_customers where stripe_customer_id = p_customer for update;
  if not found then
    update stripe_events set result = 'unknown_customer' where id = p_event_id;
    return 'unknown_customer';
  end if;
  if v_customer.last_event_created is not null and p_event_created < v_customer.last_event_created then
    update stripe_events set result = 'stale' where id = p_event_id;
    return 'stale';
  end if;

  select plan_id into v_from from users where id = v_customer.user_id for no key update;
  v_to := case
    when p_type = 'customer.subscription.deleted'
      or p_status in ('canceled', 'unpaid', 'incomplete_expired', 'paused') then 'free'
    when p_status in ('active', 'trialing') and p_price_pro then 'pro'
    when p_status in ('active', 'trialing') then 'free'
    else v_from
  end;

  update billing_customers
     set subscription_id = p_subscription,
         subscription_status = case when p_type = 'customer.subscription.deleted' then 'canceled' else p_status end,
         last_event_created = p_event_created,
         updated_at = now()
   where user_id = v_customer.user_id;

  if v_to is distinct from v_from then
    update users set plan_id = v_to, updated_at = now() where id = v_customer.user_id;
    perform log_activity(v_customer.user_id, 'plan.changed', 'plan', v_to,
      jsonb_build_object('from', v_from, 'to', v_to, 'status', p_status, 'eventId', p_event_id));
  else
    perform log_activity(v_customer.user_id, 'billing.subscription_synced', 'billing', p_subscription,
      jsonb_build_object('plan', v_to, 'status', p_status, 'eventId', p_event_id));
  end if;
  return 'applied';
end;
$$;
