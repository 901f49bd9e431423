-- A check-in and everything its answer needs, in one round trip (issue 14).
--
-- POST /api/habits/:id/checkins answers with the check-in and the habit's new statistics.
-- Those used to take five statements one after another (the habit, upsert_checkin, the
-- habit's check-ins, its pauses), each a round trip through the pool and PgBouncer; the
-- app spent more time writing to sockets than anything else. This function is
-- upsert_checkin (which keeps every rule that must be atomic: ownership, the allowed
-- days, the value rules, one activity row) followed, in the same statement, by the rows
-- the statistics are computed from (domain/stats.ts), read after the write, so the
-- statistics are exactly those of a fresh read.
--
-- One row: the check-in's columns (all null when `none` cleared the day), the habit's
-- rule (kind, target, schedule, start_date, direction), its pauses (the habit's own and
-- its user's user-wide ones) as a JSON array of [from, to], and every check-in up to
-- p_today as a JSON array of [day, status, value]. Raises what upsert_checkin raises.
create or replace function checkin_with_history(
  p_user uuid,
  p_habit uuid,
  p_day date,
  p_status text,
  p_value numeric,
  p_note text,
  p_today date
) returns table (
  checkin_habit_id uuid,
  checkin_day date,
  checkin_status text,
  checkin_value numeric,
  checkin_note text,
  checkin_updated_at timestamptz,
  habit_kind text,
  habit_target numeric,
  habit_schedule jsonb,
  habit_start_date date,
  habit_direction text,
  pauses json,
  history json
)
language plpgsql
as $$
declare
  v_checkin checkins;
begin
  select * into v_checkin from upsert_checkin(p_user, p_habit, p_day, p_status, p_value, p_note, p_today);
  return query
    select v_checkin.habit_id, v_checkin.day, v_checkin.status, v_checkin.value, v_checkin.note,
           v_checkin.updated_at,
           h.kind, h.target, h.schedule, h.start_date, h.direction,
           (select coalesce(json_agg(json_build_array(p.from_day, p.to_day) order by p.from_day), '[]'::json)
              from pauses p
             where p.user_id = h.user_id and (p.habit_id is null or p.habit_id = h.id)),
           (select coalesce(json_agg(json_build_array(c.day, c.status, c.value)), '[]'::json)
              from checkins c
             where c.habit_id = h.id and c.day <= p_today)
      from habits h
     where h.id = p_habit and h.user_id = p_user;
end;
$$;
