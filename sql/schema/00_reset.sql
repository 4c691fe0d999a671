-- The repeatable set starts from nothing: every function, trigger, view and policy of the
-- procure schema is dropped and every grant revoked, and the files after this one create them
-- again. So the database after an upgrade holds exactly what these files say — an object
-- deleted from a file is gone, a grant taken out of 90_security.sql is revoked — and equals a
-- database built fresh. All of it runs in one transaction with the rest of the set, so no
-- session ever sees the schema half-built.
--
-- Kept: the tables and their data, constraints and indexes (sql/migrations/), and the two
-- functions that table definitions depend on (procure.actor, procure.valid_schedule), which the
-- baseline migration defines.

-- Bodies refer to objects of later files (and a later file may call an earlier one's function
-- under a new signature); they are checked when they run, as PL/pgSQL is anyway.
SET LOCAL check_function_bodies = off;

-- The set is created by, and so owned by, the schema's NOLOGIN owner: SECURITY DEFINER
-- functions run as it, never as the superuser who migrates. The migrator resets the role after
-- the set.
SET LOCAL ROLE procure_owner;

DO $reset$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT p.polname, c.relname
               FROM pg_catalog.pg_policy p
               JOIN pg_catalog.pg_class c ON c.oid = p.polrelid
               JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
              WHERE n.nspname = 'procure' LOOP
        EXECUTE format('DROP POLICY %I ON procure.%I', r.polname, r.relname);
    END LOOP;

    FOR r IN SELECT t.tgname, c.relname
               FROM pg_catalog.pg_trigger t
               JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid
               JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
              WHERE n.nspname = 'procure' AND NOT t.tgisinternal LOOP
        EXECUTE format('DROP TRIGGER %I ON procure.%I', r.tgname, r.relname);
    END LOOP;

    FOR r IN SELECT c.relname
               FROM pg_catalog.pg_class c
               JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
              WHERE n.nspname = 'procure' AND c.relkind IN ('v', 'm') LOOP
        EXECUTE format('DROP VIEW IF EXISTS procure.%I CASCADE', r.relname);
    END LOOP;

    -- every function but those a table's default or check constraint depends on
    FOR r IN SELECT p.oid::regprocedure AS signature
               FROM pg_catalog.pg_proc p
               JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
              WHERE n.nspname = 'procure'
                AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                                 WHERE d.refclassid = 'pg_catalog.pg_proc'::regclass
                                   AND d.refobjid = p.oid
                                   AND d.classid IN ('pg_catalog.pg_attrdef'::regclass,
                                                     'pg_catalog.pg_constraint'::regclass)) LOOP
        EXECUTE format('DROP FUNCTION %s', r.signature);
    END LOOP;
END
$reset$;

REVOKE ALL ON SCHEMA procure FROM PUBLIC, procure_buyer, procure_finance, procure_admin, procure_auditor, procure_supplier, procure_cli, procure_recorder;
REVOKE ALL ON ALL TABLES IN SCHEMA procure FROM PUBLIC, procure_buyer, procure_finance, procure_admin, procure_auditor, procure_supplier, procure_cli, procure_recorder;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA procure FROM PUBLIC, procure_buyer, procure_finance, procure_admin, procure_auditor, procure_supplier, procure_cli, procure_recorder;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA procure FROM PUBLIC, procure_buyer, procure_finance, procure_admin, procure_auditor, procure_supplier, procure_cli, procure_recorder;
