-- Account control: sessions a user can see and end, password change and reset by
-- e-mail, and deleting the account. One function per mutation, each writing exactly one
-- activity row in its transaction (except delete_account, which erases them all).
-- Rule violations use the app's SQLSTATEs (db/rules.ts): CG400 invalid, CG404 not found,
-- CG409 conflict.

-- Sessions as their owner sees them: a public id to name one by (the primary key is the
-- hash of the cookie's secret, which stays internal), when it was last used, and the
-- browser it was started from.
alter table sessions add column public_id uuid not null default gen_random_uuid();
alter table sessions add column last_seen_at timestamptz;
update sessions set last_seen_at = created_at;
alter table sessions alter column last_seen_at set not null;
alter table sessions alter column last_seen_at set default now();
alter table sessions add column user_agent text
  constraint sessions_user_agent_check check (char_length(user_agent) <= 256);
create unique index sessions_public_id_key on sessions (public_id);

-- Single-use password reset links. Only the SHA-256 of the link's secret is kept; the
-- newest request replaces older ones, and using one ends the others.
create table password_resets (
  token_hash text primary key,
  user_id uuid not null references users (id) on delete cascade,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  used_at timestamptz
);
create index password_resets_user_idx on password_resets (user_id);

-- An outbox row whose body holds a secret (a reset link): the sender blanks the body
-- once the e-mail is sent or given up on, so the link lives in the database no longer
-- than it takes to deliver.
alter table email_outbox add column redact_after_send boolean not null default false;

-- The two session-starting functions of 003 gain the browser's User-Agent. Dropped and
-- created again (a new parameter makes a new function in Postgres); bodies as in 003.
drop function create_user(text, text, text, text, integer, text);
create function create_user(
  p_email text,
  p_password_hash text,
  p_timezone text,
  p_session_hash text,
  p_session_days integer,
  p_replaces_session text default null,
  p_user_agent text default null
) returns users
language plpgsql
as $$
declare
  v_user users;
  v_email text := lower(btrim(p_email));
begin
  if v_email is null or length(v_email) > 254 or v_email !~ '^[^@\s]+@[^@\s]+$' then
    raise exception 'Enter a valid e-mail address' using errcode = 'CG400';
  end if;
  if p_password_hash is null or p_password_hash not like '$argon2id$%' then
    raise exception 'The password hash must be an encoded argon2id string' using errcode = 'CG400';
  end if;
  perform assert_valid_timezone(coalesce(p_timezone, 'UTC'));
  begin
    insert into users (email, password_hash, timezone)
    values (v_email, p_password_hash, coalesce(p_timezone, 'UTC'))
    returning * into v_user;
  exception
    when unique_violation then
      raise exception 'An account with this e-mail address already exists: log in instead'
        using errcode = 'CG409';
  end;
  if p_replaces_session is not null then
    delete from sessions where id_hash = p_replaces_session;
  end if;
  insert into sessions (id_hash, user_id, expires_at, user_agent)
  values (p_session_hash, v_user.id, now() + make_interval(days => p_session_days), left(p_user_agent, 256));
  perform log_activity(v_user.id, 'user.signed_up', 'user', v_user.id::text,
                       jsonb_build_object('timezone', v_user.timezone));
  return v_user;
end;
$$;

drop function log_in(uuid, text, integer, text);
create function log_in(
  p_user uuid,
  p_session_hash text,
  p_session_days integer,
  p_replaces_session text default null,
  p_user_agent text default null
) returns void
language plpgsql
as $$
begin
  if p_replaces_session is not null then
    delete from sessions where id_hash = p_replaces_session;
  end if;
  delete from sessions where user_id = p_user and expires_at <= now();
  insert into sessions (id_hash, user_id, expires_at, user_agent)
  values (p_session_hash, p_user, now() + make_interval(days => p_session_days), left(p_user_agent, 256));
  perform log_activity(p_user, 'user.logged_in', 'session', null);
end;
$$;

-- Ends one of the user's sessions by its public id. Another user's session, an unknown
-- id and one that is not a UUID are the same CG404. Activity: `session.revoked`.
create function revoke_session(p_user uuid, p_session text) returns void
language plpgsql
as $$
declare
  v_session sessions;
begin
  if p_session is null
     or p_session !~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then
    raise exception 'No session with that id' using errcode = 'CG404';
  end if;
  delete from sessions where public_id = p_session::uuid and user_id = p_user returning * into v_session;
  if not found then
    raise exception 'No session with that id' using errcode = 'CG404';
  end if;
  perform log_activity(p_user, 'session.revoked', 'session', v_session.public_id::text,
                       jsonb_build_object('userAgent', v_session.user_agent));
end;
$$;

-- "Log out everywhere": every session of the user ends, the caller's too; API tokens
-- stay. Returns how many ended. Activity: `session.revoked_all`.
create function log_out_everywhere(p_user uuid) returns integer
language plpgsql
as $$
declare
  v_count integer;
begin
  delete from sessions where user_id = p_user;
  get diagnostics v_count = row_count;
  perform log_activity(p_user, 'session.revoked_all', 'session', null, jsonb_build_object('count', v_count));
  return v_count;
end;
$$;

-- A new password for a user who proved the current one (checked by the app against
-- p_current_hash, which must still be the stored hash: a concurrent change wins and this
-- one gets CG409). Every other session ends (p_keep_session, the caller's, stays), and
-- so do outstanding reset links; API tokens stay. Activity: `password.changed`.
create function change_password(
  p_user uuid,
  p_current_hash text,
  p_new_hash text,
  p_keep_session text
) returns integer
language plpgsql
as $$
declare
  v_count integer;
begin
  if p_new_hash is null or p_new_hash not like '$argon2id$%' then
    raise exception 'The password hash must be an encoded argon2id string' using errcode = 'CG400';
  end if;
  update users set password_hash = p_new_hash, updated_at = now()
   where id = p_user and password_hash = p_current_hash;
  if not found then
    raise exception 'Your password was changed meanwhile: reload and try again' using errcode = 'CG409';
  end if;
  delete from sessions where user_id = p_user and id_hash is distinct from p_keep_session;
  get diagnostics v_count = row_count;
  delete from password_resets where user_id = p_user;
  perform log_activity(p_user, 'password.changed', 'user', p_user::text,
                       jsonb_build_object('sessionsEnded', v_count));
  return v_count;
end;
$$;

-- Asks for a reset link for p_email (canonical: trimmed, lower-case). Does the same
-- statement whether or not an account has that address, and returns nothing either way:
-- the caller cannot tell the two apart. For an account: its older links end, a new one
-- (by its hash) lasts p_ttl_seconds, and the e-mail carrying it joins the outbox, to be
-- blanked once sent. Activity: `password.reset_requested`.
create function request_password_reset(
  p_email text,
  p_token_hash text,
  p_ttl_seconds integer,
  p_subject text,
  p_body text
) returns void
language plpgsql
as $$
declare
  v_user users;
begin
  select * into v_user from users where lower(email) = p_email;
  if not found then
    return;
  end if;
  delete from password_resets where user_id = v_user.id;
  insert into password_resets (token_hash, user_id, expires_at)
  values (p_token_hash, v_user.id, now() + make_interval(secs => p_ttl_seconds));
  insert into email_outbox (user_id, to_address, subject, body, redact_after_send)
  values (v_user.id, v_user.email, p_subject, p_body, true);
  perform log_activity(v_user.id, 'password.reset_requested', 'user', v_user.id::text);
end;
$$;

-- Uses a reset link: CG400 unless it is unused and unexpired. Sets the new password,
-- ends every session and every other link of the user, stops any reset e-mail still
-- waiting to go out, and returns the user's id. Activity: `password.reset`.
create function confirm_password_reset(p_token_hash text, p_new_hash text) returns uuid
language plpgsql
as $$
declare
  v_user uuid;
  v_count integer;
begin
  if p_new_hash is null or p_new_hash not like '$argon2id$%' then
    raise exception 'The password hash must be an encoded argon2id string' using errcode = 'CG400';
  end if;
  update password_resets set used_at = now()
   where token_hash = p_token_hash and used_at is null and expires_at > now()
  returning user_id into v_user;
  if v_user is null then
    raise exception 'This reset link is invalid, already used or expired: ask for a new one'
      using errcode = 'CG400';
  end if;
  update users set password_hash = p_new_hash, updated_at = now() where id = v_user;
  delete from sessions where user_id = v_user;
  get diagnostics v_count = row_count;
  delete from password_resets where user_id = v_user and token_hash <> p_token_hash;
  update email_outbox set body = '', next_attempt_at = null
   where user_id = v_user and redact_after_send and sent_at is null;
  perform log_activity(v_user, 'password.reset', 'user', v_user::text, jsonb_build_object('sessionsEnded', v_count));
  return v_user;
end;
$$;

-- Deletes the account and, through `on delete cascade`, every row that is the user's
-- (sessions, tokens, habits, check-ins, goals, reminders, activity, outbox, …). Returns
-- the e-mail it had (the app erases what it keyed by it), CG404 when there is no such user.
create function delete_account(p_user uuid) returns text
language plpgsql
as $$
declare
  v_email text;
begin
  delete from users where id = p_user returning email into v_email;
  if v_email is null then
    raise exception 'No such account' using errcode = 'CG404';
  end if;
  return v_email;
end;
$$;
