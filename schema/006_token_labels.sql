-- A token's label says whose it is and what it is for ("BUP Östergötland,
-- journal system"), so that `samlad-admin token list` and the audit name
-- it. Optional; samlad-admin checks it is UTF-8 text of one line.
ALTER TABLE token
	ADD COLUMN label text
		CHECK (length(label) BETWEEN 1 AND 200 AND label !~ '[\u0001-\u001f\u007f-\u009f]');
