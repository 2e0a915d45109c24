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

