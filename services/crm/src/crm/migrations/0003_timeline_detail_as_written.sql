-- A timeline entry's detail is written once per event and read back whole (a profile's timeline)
-- or, by the segment job, for its lines. `json` keeps the text as the mapper wrote it; `jsonb`
-- parsed and re-encoded it on every insert, a quarter of what writing an entry cost.
ALTER TABLE timeline ALTER COLUMN detail TYPE json USING detail::json;
