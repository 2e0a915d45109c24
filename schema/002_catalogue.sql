-- The catalogue: agencies, the area tree, indicators and permissions.
-- Codes are short identifiers; names are display text chosen by the
-- municipality. Nothing here describes a person.

CREATE TABLE agency (
	id serial PRIMARY KEY,
	code text NOT NULL UNIQUE CHECK (code ~ '^[a-z0-9][a-z0-9._-]{0,63}$'),
	name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200)
);

CREATE TABLE area (
	id serial PRIMARY KEY,
	code text NOT NULL UNIQUE CHECK (code ~ '^[a-z0-9][a-z0-9._-]{0,63}$'),
	name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
	parent_id integer REFERENCES area (id)
);

CREATE TABLE indicator (
	id serial PRIMARY KEY,
	code text NOT NULL UNIQUE CHECK (code ~ '^[a-z0-9][a-z0-9._-]{0,63}$'),
	agency_id integer NOT NULL REFERENCES agency (id),
	level text NOT NULL CHECK (level IN ('first_line', 'specialised')),
	kind text NOT NULL CHECK (kind IN ('flow', 'stock')),
	name_sv text NOT NULL CHECK (length(name_sv) BETWEEN 1 AND 200),
	name_en text NOT NULL CHECK (length(name_en) BETWEEN 1 AND 200),
	suppress_below integer CHECK (suppress_below BETWEEN 1 AND 1000)
);

-- An agency may report an indicator for an area; a municipality's row
-- permits all of its districts.
CREATE TABLE permission (
	agency_id integer NOT NULL REFERENCES agency (id),
	indicator_id integer NOT NULL REFERENCES indicator (id),
	area_id integer NOT NULL REFERENCES area (id),
	PRIMARY KEY (agency_id, indicator_id, area_id)
);

-- Bumped by every import so that running programs notice and reload.
CREATE TABLE catalogue_version (
	singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
	version bigint NOT NULL,
	updated_at timestamptz NOT NULL
);
INSERT INTO catalogue_version VALUES (true, 0, now());

GRANT SELECT ON agency, area, indicator, permission, catalogue_version
	TO samlad_collector, samlad_aggregator;
