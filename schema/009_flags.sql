-- Flags on values (docs/collector.md, "Flags"). An agency may flag a value
-- when it reports it: 'break' (a change of routine or organisation makes it
-- incomparable with earlier quarters) or 'provisional'. A fixed list, never
-- free text, since free text could carry personal data. NULL: no flag.
-- A flag is part of the stored value: the same count with another flag is
-- a new row of the history, as a changed count is.
ALTER TABLE count_history
	ADD COLUMN flag text CHECK (flag IN ('break', 'provisional'));

-- The current value of every key with its flag (a column added at the end,
-- so the view keeps its other columns).
CREATE OR REPLACE VIEW count_current AS
	SELECT DISTINCT ON (indicator_id, area_id, period)
	       indicator_id, area_id, period, value, submission_id, flag
	  FROM count_history
	 ORDER BY indicator_id, area_id, period, submission_id DESC;

-- The flags a recorded table state publishes, cell by cell as its cells
-- (docs/aggregator.md, "Flags"): 0 none, 1 provisional, 2 break. NULL in
-- the states recorded before this migration, when no value had a flag.
-- Part of the state, so an answer as of a time never changes.
ALTER TABLE table_state
	ADD COLUMN flags smallint[]
		CHECK (flags IS NULL OR (cardinality(flags) = cardinality(cells)
		                         AND 0 <= ALL (flags) AND 2 >= ALL (flags)));
