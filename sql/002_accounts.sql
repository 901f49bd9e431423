-- Accounts: users (with their settings), browser sessions, personal API tokens, and
-- the activity log every mutation writes to in its own transaction.

create table users (
  id uuid primary key default gen_random_uuid(),
  email text not null,
  password_hash text not null,
  display_name text,
  timezone text not null default 'UTC',
  week_start smallint not null default 1 check (week_start between 1 and 7),
  theme text not null default 'system' check (theme in ('system', 'light', 'dark')),
  email_reminders boolean not null default false,
  plan_id text not null default 'free' references plans (id),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
-- Log-in looks e-mail up case-insensitively; one account per address.
create unique index users_email_lower_key on users (lower(email));

-- A session row is found by the SHA-256 of the cookie's secret: a leaked table
-- does not give working cookies.
create table sessions (
  id_hash text primary key,
  user_id uuid not null references users (id) on delete cascade,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null
);
create index sessions_user_id_idx on sessions (user_id);
create index sessions_expires_at_idx on sessions (expires_at);

create table api_tokens (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references users (id) on delete cascade,
  name text not null check (length(name) between 1 and 100),
  token_hash text not null,
  created_at timestamptz not null default now(),
  last_used_at timestamptz
);
create unique index api_tokens_token_hash_key on api_tokens (token_hash);
create index api_tokens_user_id_idx on api_tokens (user_id, created_at);

create table activity (
  id bigint generated always as identity primary key,
  user_id uuid not null references users (id) on delete cascade,
  action text not null,
  object_type text not null,
  object_id text,
  details jsonb not null default '{}',
  created_at timestamptz not null default now()
);
-- Cursor pagination of a user's history, newest first.
create index activity_user_created_idx on activity (user_id, created_at desc, id desc);

-- Every mutation calls this inside the transaction that makes the change.
create function log_activity(
  p_user uuid,
  p_action text,
  p_object_type text,
  p_object_id text,
  p_details jsonb default '{}'
) returns void
language sql
as $$
  insert into activity (user_id, action, object_type, object_id, details)
  values (p_user, p_action, p_object_type, p_object_id, coalesce(p_details, '{}'));
$$;
