-- The first submission that carried a flag, found on every request with the
-- versions (tables/load.c): with no flag at or below a request's data
-- version the aggregator skips reading flags at all. A partial index keeps
-- that probe one index page whatever the history's size.
CREATE INDEX count_history_flagged ON count_history (submission_id) WHERE flag IS NOT NULL;
