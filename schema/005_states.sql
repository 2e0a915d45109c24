-- Disclosure control over time (docs/aggregator.md, "Disclosure control").
--
-- A published table is protected against every earlier state of itself
-- that any reader could have seen. That needs two histories besides the
-- counts: the catalogue as it was at each import (which districts a table
-- had, in which quarters, with which k), and every state of every table as
-- it was published (table_state). Both are append-only.

-- An area belongs to its tables from its first period to its last (yyyyq;
-- NULL: no bound). A district added to a municipality from 2027Q1 changes
-- no table before it; the collector refuses counts outside the range.
ALTER TABLE area
	ADD COLUMN first_period integer
		CHECK (first_period BETWEEN 20001 AND 99994 AND first_period % 10 BETWEEN 1 AND 4),
	ADD COLUMN last_period integer
		CHECK (last_period BETWEEN 20001 AND 99994 AND last_period % 10 BETWEEN 1 AND 4),
	ADD CHECK (first_period IS NULL OR last_period IS NULL OR first_period <= last_period);

-- One row per catalogue version: when it took effect and after which
-- submission. The import takes the collector's ingest lock, so a
-- submission is either before an import (id <= after_submission) or after
-- it; received_at and imported_at come from the same clock under that lock.
CREATE TABLE catalogue_import (
	version bigint PRIMARY KEY,
	imported_at timestamptz NOT NULL,
	after_submission bigint NOT NULL CHECK (after_submission >= 0),
	-- The k of indicators whose own suppress_below is empty.
	suppress_below integer NOT NULL CHECK (suppress_below BETWEEN 1 AND 1000)
);

-- What of the catalogue shapes a table, per version.
CREATE TABLE area_history (
	catalogue_version bigint NOT NULL REFERENCES catalogue_import (version),
	area_id integer NOT NULL REFERENCES area (id),
	parent_id integer REFERENCES area (id),
	first_period integer,
	last_period integer,
	PRIMARY KEY (catalogue_version, area_id)
);

CREATE TABLE indicator_history (
	catalogue_version bigint NOT NULL REFERENCES catalogue_import (version),
	indicator_id integer NOT NULL REFERENCES indicator (id),
	kind text NOT NULL CHECK (kind IN ('flow', 'stock')),
	-- The k in effect: the indicator's own, else the version's default.
	suppress_below integer NOT NULL CHECK (suppress_below BETWEEN 1 AND 1000),
	PRIMARY KEY (catalogue_version, indicator_id)
);

-- The catalogue as it stands is the first version of the history. Its
-- earlier versions were not kept, so it counts from the beginning.
INSERT INTO catalogue_import (version, imported_at, after_submission, suppress_below)
	SELECT version, '-infinity', 0, 5 FROM catalogue_version;
INSERT INTO area_history (catalogue_version, area_id, parent_id, first_period, last_period)
	SELECT v.version, a.id, a.parent_id, a.first_period, a.last_period
	  FROM area a, catalogue_version v;
INSERT INTO indicator_history (catalogue_version, indicator_id, kind, suppress_below)
	SELECT v.version, i.id, i.kind, coalesce(i.suppress_below, 5)
	  FROM indicator i, catalogue_version v;

-- Every state of every table as it was published: a table (indicator,
-- municipality, year) gets a new state when a submission changes one of
-- its counts or a catalogue import changes its shape or k. A state begins
-- at (data_version, catalogue_version) and lasts until the next. Its cells
-- are what every endpoint answers for it, forever: a value >= 0 is
-- published, -1 is missing, -2 is hidden. Nothing here is secret: hidden
-- values are not stored.
CREATE TABLE table_state (
	indicator_id integer NOT NULL REFERENCES indicator (id),
	municipality_id integer NOT NULL REFERENCES area (id),
	year integer NOT NULL CHECK (year BETWEEN 2000 AND 9999),
	data_version bigint NOT NULL CHECK (data_version >= 0),
	catalogue_version bigint NOT NULL REFERENCES catalogue_import (version),
	seq integer NOT NULL CHECK (seq >= 1),
	k integer NOT NULL CHECK (k BETWEEN 1 AND 1000),
	kind text NOT NULL CHECK (kind IN ('flow', 'stock')),
	-- The leaf rows' areas in row order; false: one row, the municipality.
	leaves integer[] NOT NULL,
	total boolean NOT NULL,
	-- Per leaf, the quarters it belongs to the table: bit q-1 for Q q.
	active smallint[] NOT NULL,
	cells integer[] NOT NULL,
	hidden integer NOT NULL CHECK (hidden >= 0),
	-- False when the protection fell back to hiding every new cell.
	passed boolean NOT NULL,
	recorded_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (indicator_id, municipality_id, year, data_version, catalogue_version),
	UNIQUE (indicator_id, municipality_id, year, seq),
	CHECK (cardinality(leaves) = cardinality(active)),
	CHECK (cardinality(cells) = (cardinality(leaves) + total::integer) * 5)
);
-- Which tables got a state between two points: what an aggregator's
-- memory must forget, and the benchmark's count of recorded states.
CREATE INDEX table_state_at ON table_state (data_version, catalogue_version);

-- How far every table's states are recorded: all events up to and including
-- the point (data_version, catalogue_version). Appended by the recorder.
CREATE TABLE record_progress (
	data_version bigint NOT NULL,
	catalogue_version bigint NOT NULL,
	recorded_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (data_version, catalogue_version)
);
INSERT INTO record_progress (data_version, catalogue_version) VALUES (0, 0);

-- The recorder finds the counts of new submissions: rows are appended in
-- submission order, so a block-range index is small and nearly free to
-- keep up during COPY.
CREATE INDEX count_history_submission ON count_history USING brin (submission_id);

GRANT SELECT ON catalogue_import, area_history, indicator_history
	TO samlad_collector, samlad_aggregator;
-- The aggregator may append states and progress, never change or delete one.
GRANT SELECT, INSERT ON table_state, record_progress TO samlad_aggregator;
