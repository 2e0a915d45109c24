-- Reminders (docs/operations.md, "Reminders"). An agency may have a
-- contact address: a functional mailbox such as bup@region.example, never
-- a person's. `samlad-admin remind` mails it when a quarter's report is
-- missing or partial after its due date, and records each mail here, so
-- that a rerun the same day sends nothing twice.
ALTER TABLE agency ADD COLUMN contact text
	CHECK (contact ~ '^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$'
	       AND length(contact) <= 254);

-- One row per reminder sent. Nothing is ever changed or deleted.
CREATE TABLE reminder (
	id bigserial PRIMARY KEY,
	agency_id integer NOT NULL REFERENCES agency (id),
	-- The municipality whose quarter was reminded of.
	area_id integer NOT NULL REFERENCES area (id),
	-- The quarter as yyyyq (2025Q3 is 20253).
	period integer NOT NULL CHECK (period % 10 BETWEEN 1 AND 4),
	-- Where the mail went (the agency's contact then).
	address text NOT NULL CHECK (length(address) BETWEEN 3 AND 254),
	-- The day it was sent (UTC): one reminder per agency, area, quarter and day.
	day date NOT NULL,
	sent_at timestamptz NOT NULL DEFAULT clock_timestamp(),
	-- What was missing: "indicator area" keys, one a line (codes only).
	missing text NOT NULL,
	UNIQUE (agency_id, area_id, period, day)
);

CREATE FUNCTION reminder_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'reminder is append-only';
END
$$;
CREATE TRIGGER reminder_append_only BEFORE UPDATE OR DELETE ON reminder
	FOR EACH STATEMENT EXECUTE FUNCTION reminder_append_only();

-- Only the owner (samlad-admin remind) writes it; neither program reads it.
REVOKE ALL ON reminder FROM samlad_collector, samlad_aggregator;
