-- Scheduled backups: one per UTC day across every instance (BACKUP_DIR set).
--
-- The claim works like reminders' (sql/007_reminders.sql): one row per day, inserted
-- with ON CONFLICT; whoever gets the row back makes the backup, any instance racing for
-- the same day waits on the key and gets nothing. Unlike a reminder, a backup can fail
-- or its instance can die half-way: a claim that has not finished within the lease may
-- be taken over (the row then counts another attempt), so a day is retried, not lost.

create table backup_runs (
  -- The UTC day the backup is for.
  day date primary key,
  -- Who holds the claim: host and pid of the instance.
  claimed_by text not null,
  claimed_at timestamptz not null default now(),
  attempts integer not null default 1,
  finished_at timestamptz,
  -- The file written (its name only: BACKUP_DIR may be mounted elsewhere on each host).
  file text,
  bytes bigint,
  sha256 text,
  -- Why the last attempt failed; cleared by a success.
  last_error text
);

-- True when p_instance now holds the claim for p_day: nobody had it, or the previous
-- claim is unfinished and older than p_lease (its instance died or failed).
create function claim_daily_backup(p_day date, p_instance text, p_lease interval) returns boolean
language sql
as $$
  with claimed as (
    insert into backup_runs as b (day, claimed_by)
    values (p_day, p_instance)
    on conflict (day) do update
      set claimed_by = excluded.claimed_by, claimed_at = now(), attempts = b.attempts + 1
      where b.finished_at is null and b.claimed_at < now() - p_lease
    returning 1
  )
  select exists (select 1 from claimed)
$$;

-- Records the outcome of a claim this instance holds (p_error null: success).
create function finish_daily_backup(
  p_day date,
  p_instance text,
  p_file text,
  p_bytes bigint,
  p_sha256 text,
  p_error text
) returns void
language sql
as $$
  update backup_runs
     set finished_at = case when p_error is null then now() end,
         file = coalesce(p_file, file),
         bytes = coalesce(p_bytes, bytes),
         sha256 = coalesce(p_sha256, sha256),
         last_error = p_error
   where day = p_day and claimed_by = p_instance
$$;
