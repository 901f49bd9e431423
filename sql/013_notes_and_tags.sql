-- Notes searchable on a habit's page (issue 11, item 8).
--
-- A generated tsvector column keeps the search form of each note in the row itself, so
-- no trigger and no app code can let it drift from the note; a GIN index on it serves
-- `note_search @@ websearch_to_tsquery('english', q)` (db/note_search.ts). The English
-- configuration stems words ("run" finds "running") and drops stop words; words of other
-- languages still match as written. Works the same on PGlite (embedded) and Postgres 15.
alter table checkins
  add column note_search tsvector
  generated always as (to_tsvector('english'::regconfig, coalesce(note, ''))) stored;

create index checkins_note_search_idx on checkins using gin (note_search);

-- Tags (issue 11, item 6): 0–10 per habit, 1–30 characters each (trimmed, no control
-- characters), unique ignoring case. The same limits are constants in domain/tags.ts,
-- checked against this function by tests/domain/tags_test.ts.
create function habit_tags_are_valid(p_tags text[]) returns boolean
language sql
immutable
as $$
  select p_tags is not null
     and coalesce(array_ndims(p_tags), 1) = 1
     and coalesce(cardinality(p_tags), 0) <= 10
     and not exists (
       select 1 from unnest(p_tags) as tag
        where tag is null or char_length(tag) not between 1 and 30 or tag <> btrim(tag)
           or tag ~ '[\x01-\x1f\x7f-\x9f]' or position(',' in tag) > 0)
     and (select count(distinct lower(tag)) = count(*) from unnest(p_tags) as tag)
$$;

alter table habits
  add column tags text[] not null default '{}',
  add constraint habits_tags_check check (habit_tags_are_valid(tags));

-- Replaces the tags of one of the user's habits (active or archived); no row when the
-- habit is not theirs. One activity row (habit.updated, fields ["tags"]), like any edit.
create function set_habit_tags(p_user uuid, p_habit uuid, p_tags text[]) returns setof habits
language plpgsql
as $$
declare
  v_habit habits;
begin
  update habits set tags = p_tags, updated_at = now()
   where id = p_habit and user_id = p_user
  returning * into v_habit;
  if not found then
    return;
  end if;
  perform log_activity(p_user, 'habit.updated', 'habit', p_habit::text,
    jsonb_build_object('name', v_habit.name, 'fields', jsonb_build_array('tags')));
  return next v_habit;
end;
$$;
