-- Roles for the two programs. The role that runs the migrations (samlad_admin
-- in the embedded cluster) owns every object; these two get only what their
-- program needs, granted in the later migrations.
DO $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'samlad_collector') THEN
		CREATE ROLE samlad_collector LOGIN;
	END IF;
	IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'samlad_aggregator') THEN
		CREATE ROLE samlad_aggregator LOGIN;
	END IF;
END
$$;

-- Nobody but the owner creates objects in the public schema.
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO samlad_collector, samlad_aggregator;
