-- Locked periods (docs/operations.md, "Locking a year"). After the annual
-- review the coordinator locks a municipality's year: from then on the
-- collector refuses a batch that would change one of its values
-- (409 period_locked). The table is the history of every lock and unlock:
-- a year is locked when its latest event says so. Nothing is ever changed
-- or deleted, so the history also answers who locked what when.
CREATE TABLE period_lock (
	id bigserial PRIMARY KEY,
	-- A municipality (an area without parent); samlad-admin checks it.
	area_id integer NOT NULL REFERENCES area (id),
	year integer NOT NULL CHECK (year BETWEEN 2000 AND 9999),
	-- true: locked from `at` on; false: unlocked.
	locked boolean NOT NULL,
	at timestamptz NOT NULL DEFAULT clock_timestamp(),
	-- Who: samlad-admin lock --by, else the database user that ran it.
	by_whom text NOT NULL CHECK (length(by_whom) BETWEEN 1 AND 200)
);
-- The latest event of a (municipality, year) is found through this index.
CREATE INDEX period_lock_year ON period_lock (area_id, year, id);

-- Append-only, also for the owner: an event is never changed or deleted.
CREATE FUNCTION period_lock_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'period_lock is append-only';
END
$$;
CREATE TRIGGER period_lock_append_only BEFORE UPDATE OR DELETE ON period_lock
	FOR EACH STATEMENT EXECUTE FUNCTION period_lock_append_only();

-- The owner (samlad-admin) writes; the collector reads, to refuse changes.
GRANT SELECT ON period_lock TO samlad_collector;
