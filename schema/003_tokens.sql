-- Bearer tokens. Only the SHA-256 of the secret is kept; the token text is
-- shown once, when it is created.
CREATE TABLE token (
	id bigserial PRIMARY KEY,
	secret_sha256 bytea NOT NULL CHECK (length(secret_sha256) = 32),
	role text NOT NULL CHECK (role IN ('submitter', 'analyst', 'admin')),
	agency_id integer REFERENCES agency (id),
	created_at timestamptz NOT NULL DEFAULT now(),
	revoked_at timestamptz,
	CHECK ((role = 'submitter') = (agency_id IS NOT NULL))
);

-- Both programs check tokens; neither can create, change or revoke one.
GRANT SELECT ON token TO samlad_collector, samlad_aggregator;
