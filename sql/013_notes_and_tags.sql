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
