-- Plans and their limits, as data: the Postgres functions that enforce a limit read
-- it from here, so a limit lives in one row, not in handlers.
-- Limits per API.md: free 10 active habits / 20 goals / 3 exports a month,
-- pro 1000 / 1000 / 100.

create table plans (
  id                text        not null,
  max_active_habits integer     not null,
  max_goals         integer     not null,
  exports_per_month integer     not null,
  created_at        timestamptz not null default now(),
  constraint plans_pkey primary key (id),
  constraint plans_limits_not_negative
    check (max_active_habits >= 0 and max_goals >= 0 and exports_per_month >= 0)
);

comment on table plans is 'Subscription plans and their limits (free, pro).';

-- Idempotent: running the seed again brings the limits back to these values.
insert into plans (id, max_active_habits, max_goals, exports_per_month)
values
  ('free', 10, 20, 3),
  ('pro', 1000, 1000, 100)
on conflict on constraint plans_pkey do update
  set max_active_habits = excluded.max_active_habits,
      max_goals         = excluded.max_goals,
      exports_per_month = excluded.exports_per_month;
