-- Account mutations, one function each, each in the caller's transaction and each
-- writing exactly one activity row: sign-up, log-in, log-out, settings, API tokens.
-- Rule violations use the app's SQLSTATEs (db/rules.ts): CG400 invalid input,
-- CG404 not found (also for ids that are not UUIDs), CG409 conflict. Messages are
-- shown to the user as they are.

-- Raises CG400 unless p_timezone is a zone this server knows, so every stored
-- timezone also works in SQL (`now() at time zone u.timezone`).
create function assert_valid_timezone(p_timezone text) returns void
language plpgsql
as $$
begin
  if p_timezone is null or length(p_timezone) not between 1 and 64 then
    raise exception 'Choose a timezone from the list' using errcode = 'CG400';
  end if;
  perform now() at time zone p_timezone;
exception
  when invalid_parameter_value then
    raise exception 'Choose a timezone from the list' using errcode = 'CG400';
end;
$$;

-- A new account with its first session. The e-mail is stored trimmed and lower-case;
-- one account per address whatever the case, also when two sign-ups race (the unique
-- index decides, and the loser gets CG409). p_replaces_session (the hash of the
-- session the request came with, if any) is deleted: a new identity gets a new
-- session id. Activity: `user.signed_up`.
create function create_user(
  p_email text,
  p_password_hash text,
  p_timezone text,
  p_session_hash text,
  p_session_days integer,
  p_replaces_session text default null
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
  insert into sessions (id_hash, user_id, expires_at)
  values (p_session_hash, v_user.id, now() + make_interval(days => p_session_days));
  perform log_activity(v_user.id, 'user.signed_up', 'user', v_user.id::text,
                       jsonb_build_object('timezone', v_user.timezone));
  return v_user;
end;
$$;

-- A new session for a user whose password was checked. Rotation: the session the
-- request came with (p_replaces_session) is deleted, whoever it belonged to, and the
-- user's expired sessions are swept. Activity: `user.logged_in`.
create function log_in(
  p_user uuid,
  p_session_hash text,
  p_session_days integer,
  p_replaces_session text default null
) returns void
language plpgsql
as $$
begin
  if p_replaces_session is not null then
    delete from sessions where id_hash = p_replaces_session;
  end if;
  delete from sessions where user_id = p_user and expires_at <= now();
  insert into sessions (id_hash, user_id, expires_at)
  values (p_session_hash, p_user, now() + make_interval(days => p_session_days));
  perform log_activity(p_user, 'user.logged_in', 'session', null);
end;
$$;

-- Ends one session. True when it existed (and then logs `user.logged_out`); logging
-- out twice is not an error.
create function log_out(p_session_hash text) returns boolean
language plpgsql
as $$
declare
  v_user uuid;
begin
  delete from sessions where id_hash = p_session_hash returning user_id into v_user;
  if v_user is null then
    return false;
  end if;
  perform log_activity(v_user, 'user.logged_out', 'session', null);
  return true;
end;
$$;

-- Saves any subset of the settings in one statement and returns the row.
-- Convention: a null argument leaves that setting unchanged; for the display name an
-- empty (or all-blank) string clears it. Activity: `settings.saved`, with the names
-- of the settings that were given.
create function save_settings(
  p_user uuid,
  p_display_name text,
  p_timezone text,
  p_week_start smallint,
  p_theme text,
  p_email_reminders boolean
) returns users
language plpgsql
as $$
declare
  v_user users;
  v_fields text[] := array_remove(array[
    case when p_display_name is not null then 'displayName' end,
    case when p_timezone is not null then 'timezone' end,
    case when p_week_start is not null then 'weekStart' end,
    case when p_theme is not null then 'theme' end,
    case when p_email_reminders is not null then 'emailReminders' end
  ], null);
begin
  if p_display_name is not null and length(btrim(p_display_name)) > 80 then
    raise exception 'Use at most 80 characters for the display name' using errcode = 'CG400';
  end if;
  if p_timezone is not null then
    perform assert_valid_timezone(p_timezone);
  end if;
  if p_week_start is not null and p_week_start not between 1 and 7 then
    raise exception 'The week starts on a day from 1 (Monday) to 7 (Sunday)' using errcode = 'CG400';
  end if;
  if p_theme is not null and p_theme not in ('system', 'light', 'dark') then
    raise exception 'The theme is system, light or dark' using errcode = 'CG400';
  end if;
  update users set
    display_name = case when p_display_name is null then display_name else nullif(btrim(p_display_name), '') end,
    timezone = coalesce(p_timezone, timezone),
    week_start = coalesce(p_week_start, week_start),
    theme = coalesce(p_theme, theme),
    email_reminders = coalesce(p_email_reminders, email_reminders),
    updated_at = now()
  where id = p_user
  returning * into v_user;
  if not found then
    raise exception 'No such account' using errcode = 'CG404';
  end if;
  perform log_activity(p_user, 'settings.saved', 'user', p_user::text, jsonb_build_object('fields', v_fields));
  return v_user;
end;
$$;

-- A personal API token, stored by the hash of its secret (the secret itself is shown
-- to the user once and never stored). Activity: `token.created`.
create function create_api_token(p_user uuid, p_name text, p_token_hash text) returns api_tokens
language plpgsql
as $$
declare
  v_token api_tokens;
  v_name text := btrim(p_name);
begin
  if v_name is null or length(v_name) not between 1 and 100 then
    raise exception 'Name the token in 1 to 100 characters' using errcode = 'CG400';
  end if;
  insert into api_tokens (user_id, name, token_hash)
  values (p_user, v_name, p_token_hash)
  returning * into v_token;
  perform log_activity(p_user, 'token.created', 'api_token', v_token.id::text,
                       jsonb_build_object('name', v_token.name));
  return v_token;
end;
$$;

-- Revokes (deletes) one of the user's tokens. Another user's token, an unknown id
-- and an id that is not a UUID are all the same CG404. Activity: `token.revoked`.
create function revoke_api_token(p_user uuid, p_token_id text) returns void
language plpgsql
as $$
declare
  v_token api_tokens;
begin
  if p_token_id is null
     or p_token_id !~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then
    raise exception 'No API token with that id' using errcode = 'CG404';
  end if;
  delete from api_tokens
  where id = p_token_id::uuid and user_id = p_user
  returning * into v_token;
  if not found then
    raise exception 'No API token with that id' using errcode = 'CG404';
  end if;
  perform log_activity(p_user, 'token.revoked', 'api_token', v_token.id::text,
                       jsonb_build_object('name', v_token.name));
end;
$$;
