-- What agencies send: submissions (receipts) and the counts they carried.
--
-- count_history is append-only: a re-posted value is a new row, and the
-- current value of a key is the row of the highest submission id. Ingest
-- writes it with COPY only, which is why it has no foreign keys (the
-- collector validates every row against the catalogue in the same
-- transaction) and only its primary key as index.

CREATE TABLE submission (
	id bigserial PRIMARY KEY,
	uuid uuid NOT NULL UNIQUE,
	agency_id integer NOT NULL REFERENCES agency (id),
	token_id bigint NOT NULL REFERENCES token (id),
	received_at timestamptz NOT NULL,
	body_sha256 bytea NOT NULL CHECK (length(body_sha256) = 32),
	-- SHA-256 of the client's Idempotency-Key: the key itself is free text.
	idempotency_sha256 bytea CHECK (length(idempotency_sha256) = 32),
	rows integer NOT NULL CHECK (rows >= 0),
	created integer NOT NULL CHECK (created >= 0),
	updated integer NOT NULL CHECK (updated >= 0),
	unchanged integer NOT NULL CHECK (unchanged >= 0),
	UNIQUE (agency_id, idempotency_sha256)
);

CREATE TABLE count_history (
	indicator_id integer NOT NULL,
	area_id integer NOT NULL,
	-- A quarter as yyyyq: 2024Q3 is 20243.
	period integer NOT NULL CHECK (period BETWEEN 20001 AND 99994 AND period % 10 BETWEEN 1 AND 4),
	submission_id bigint NOT NULL,
	value integer NOT NULL CHECK (value BETWEEN 0 AND 1000000000),
	PRIMARY KEY (indicator_id, area_id, period, submission_id)
);

-- The value of every key as it stands now.
CREATE VIEW count_current AS
	SELECT DISTINCT ON (indicator_id, area_id, period)
	       indicator_id, area_id, period, value, submission_id
	  FROM count_history
	 ORDER BY indicator_id, area_id, period, submission_id DESC;

-- The collector appends; it can neither update nor delete.
GRANT SELECT, INSERT ON submission, count_history TO samlad_collector;
GRANT USAGE ON SEQUENCE submission_id_seq TO samlad_collector;
GRANT SELECT ON count_current TO samlad_collector;
-- The aggregator reads counts and when they arrived, never who sent them.
GRANT SELECT ON count_history, count_current TO samlad_aggregator;
GRANT SELECT (id, agency_id, received_at) ON submission TO samlad_aggregator;
