-- The procure database: group roles, the schema, exact-decimal domains and every table with its
-- constraints and indexes. Functions, triggers, views, policies and grants are not here: they live
-- in sql/schema/, one area a file, and are applied again whenever one of those files changes.
--
-- Applied once per database, in one transaction, by a superuser.

-- Group roles are cluster-global; many databases of one cluster run this file,
-- possibly at the same time, so creation is idempotent and race tolerant.
DO $roles$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['procure_buyer', 'procure_finance', 'procure_admin', 'procure_auditor', 'procure_supplier'] LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = r) THEN
            BEGIN
                EXECUTE format('CREATE ROLE %I NOLOGIN', r);
            EXCEPTION WHEN duplicate_object OR unique_violation THEN
                NULL; -- created concurrently by another database's migration
            END;
        END IF;
    END LOOP;
END
$roles$;

-- The roles of procure itself, cluster-global like the groups:
-- - procure_owner owns the schema and everything in it. NOLOGIN, and nobody is a member, so
--   only the migrations (a superuser who sets the role) and the SECURITY DEFINER functions act
--   as it; BYPASSRLS because those functions look past row-level security (FORCEd on the
--   tables), CREATEROLE because user_add creates users.
-- - procure_cli is the role the CLI connects as on the embedded cluster: neither the owner nor
--   a superuser nor a group. It acts as an admin and reads as an auditor, and may SET ROLE to
--   every user through procure_act_as.
-- - procure_act_as holds every user's role (user_add grants it). NOINHERIT, so that
--   procure_cli, its member, may SET ROLE to any user without inheriting the user's privileges.
-- - procure_recorder is the role the database itself connects back as, over dblink, to write
--   the record of a refused price edit that must outlive the refused statement's rollback. It
--   may call that one function and nothing else.
DO $own_roles$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'procure_owner') THEN
        BEGIN
            CREATE ROLE procure_owner NOLOGIN CREATEROLE BYPASSRLS;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL;
        END;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'procure_act_as') THEN
        BEGIN
            CREATE ROLE procure_act_as NOLOGIN NOINHERIT;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL;
        END;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'procure_cli') THEN
        BEGIN
            CREATE ROLE procure_cli LOGIN INHERIT IN ROLE procure_admin, procure_auditor, procure_act_as;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL;
        END;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'procure_recorder') THEN
        BEGIN
            CREATE ROLE procure_recorder LOGIN NOINHERIT CONNECTION LIMIT 20;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL;
        END;
    END IF;
END
$own_roles$;

-- the recorder's connection string names the server's socket folder
GRANT pg_read_all_settings TO procure_owner;

CREATE EXTENSION IF NOT EXISTS btree_gist WITH SCHEMA public;

-- dblink, for the recorder's autonomous write. A contrib module (Debian ships it with the
-- server): where it is missing, procure works and refused price edits are not recorded.
-- Nobody but the owner may call any of its functions.
DO $dblink$
DECLARE
    f regprocedure;
BEGIN
    CREATE EXTENSION IF NOT EXISTS dblink WITH SCHEMA public;
    FOR f IN SELECT d.objid::regprocedure FROM pg_catalog.pg_depend d
              WHERE d.classid = 'pg_catalog.pg_proc'::regclass AND d.deptype = 'e'
                AND d.refobjid = (SELECT oid FROM pg_catalog.pg_extension WHERE extname = 'dblink') LOOP
        EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', f);
    END LOOP;
    GRANT EXECUTE ON FUNCTION public.dblink_connect_u(text, text), public.dblink(text, text),
                              public.dblink_disconnect(text), public.dblink_get_connections()
       TO procure_owner;
EXCEPTION WHEN undefined_file OR feature_not_supported OR undefined_object THEN
    RAISE NOTICE 'dblink is not available (%): refused price edits will not be recorded', SQLERRM;
END
$dblink$;

CREATE SCHEMA procure AUTHORIZATION procure_owner;

-- Everything from here on is created by, and so owned by, procure_owner. The migrator resets
-- the role after the file.
SET LOCAL ROLE procure_owner;

-- ---------------------------------------------------------------------------
-- Exact money domains. A value with too many decimals is refused (23514, the
-- constraint named below), never rounded. NaN and infinities are refused too.
-- ---------------------------------------------------------------------------

CREATE DOMAIN procure.price AS numeric
    CONSTRAINT price_check CHECK (VALUE >= 0 AND abs(VALUE) < 1e15 AND VALUE = round(VALUE, 4));

CREATE DOMAIN procure.qty AS numeric
    CONSTRAINT qty_check CHECK (VALUE >= 0 AND abs(VALUE) < 1e15 AND VALUE = round(VALUE, 3));

CREATE DOMAIN procure.amount AS numeric
    CONSTRAINT amount_check CHECK (abs(VALUE) < 1e15 AND VALUE = round(VALUE, 2));

CREATE DOMAIN procure.pct AS numeric
    CONSTRAINT pct_check CHECK (VALUE >= 0 AND VALUE <= 100 AND VALUE = round(VALUE, 4));

-- ---------------------------------------------------------------------------
-- The two functions that table definitions use (a column default and a check):
-- they live here, with the tables, because the tables cannot exist without them.
-- ---------------------------------------------------------------------------

-- The acting role, also inside SECURITY DEFINER functions (where current_user
-- is the definer): the SET ROLE target, else the session user.
CREATE FUNCTION procure.actor() RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT CASE WHEN pg_catalog.current_setting('role') OPERATOR(pg_catalog.=) 'none'
                  THEN pg_catalog.session_user()::text
                  ELSE pg_catalog.current_setting('role') END COLLATE pg_catalog."default" $$;

CREATE FUNCTION procure.valid_schedule(p jsonb) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE
AS $$
DECLARE
    k text;
    v jsonb;
    n numeric;
BEGIN
    IF p IS NULL THEN RETURN true; END IF;
    IF jsonb_typeof(p) <> 'object' THEN RETURN false; END IF;
    FOR k, v IN SELECT * FROM jsonb_each(p) LOOP
        IF k NOT IN ('issued', 'acknowledged', 'materials', 'production', 'finished') THEN
            RETURN false;
        END IF;
        IF jsonb_typeof(v) NOT IN ('string', 'number')
           OR btrim(v #>> '{}') !~ '^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]{1,3})?$' THEN
            RETURN false;
        END IF;
        n := btrim(v #>> '{}')::numeric;
        IF n < 0 OR n > 100 OR n <> round(n, 4) THEN RETURN false; END IF;
    END LOOP;
    RETURN true;
END
$$;

-- ---------------------------------------------------------------------------
-- Master data (reference tables under Citus)
-- ---------------------------------------------------------------------------
CREATE TABLE procure.suppliers (
    id          bigint GENERATED BY DEFAULT AS IDENTITY,
    code        text NOT NULL,
    name        text NOT NULL,
    currency    text NOT NULL DEFAULT 'CNY',
    regime      text NOT NULL DEFAULT 'cost',
    profit_rate procure.pct NOT NULL DEFAULT 0,
    schedule    jsonb NOT NULL DEFAULT '{}',
    claim_days  integer NOT NULL DEFAULT 15,
    review_days integer NOT NULL DEFAULT 15,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT suppliers_pkey PRIMARY KEY (id),
    CONSTRAINT suppliers_code_key UNIQUE (code),
    CONSTRAINT suppliers_code_check CHECK (code <> '' AND code = btrim(code) AND code !~ '\s'),
    CONSTRAINT suppliers_name_check CHECK (btrim(name) <> ''),
    CONSTRAINT suppliers_currency_check CHECK (currency ~ '^[A-Z]{3}$'),
    CONSTRAINT suppliers_regime_check CHECK (regime IN ('cost', 'schedule', 'expectation')),
    CONSTRAINT suppliers_schedule_check CHECK (procure.valid_schedule(schedule)),
    CONSTRAINT suppliers_claim_days_check CHECK (claim_days >= 0),
    CONSTRAINT suppliers_review_days_check CHECK (review_days >= 0)
);

CREATE TABLE procure.items (
    id         bigint GENERATED BY DEFAULT AS IDENTITY,
    sku        text NOT NULL,
    name       text NOT NULL,
    uom        text NOT NULL DEFAULT 'pcs',
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT items_pkey PRIMARY KEY (id),
    CONSTRAINT items_sku_key UNIQUE (sku),
    CONSTRAINT items_sku_check CHECK (sku <> '' AND sku = btrim(sku) AND sku !~ '[\s:@]'),
    CONSTRAINT items_name_check CHECK (btrim(name) <> ''),
    CONSTRAINT items_uom_check CHECK (btrim(uom) <> '')
);

-- Base price periods: valid is a daterange, both ends inclusive on input
-- ('[from,to]', stored canonically as '[from,to+1)'); an unbounded upper end
-- is an open-ended period, an unbounded lower end means "since always".
CREATE TABLE procure.price_periods (
    supplier_id bigint NOT NULL,
    id          bigint GENERATED BY DEFAULT AS IDENTITY,
    item_id     bigint NOT NULL,
    price       procure.price NOT NULL,
    valid       daterange NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    created_by  text NOT NULL DEFAULT procure.actor(),
    CONSTRAINT price_periods_pkey PRIMARY KEY (supplier_id, id),
    CONSTRAINT price_periods_supplier_fkey FOREIGN KEY (supplier_id) REFERENCES procure.suppliers (id),
    CONSTRAINT price_periods_item_fkey FOREIGN KEY (item_id) REFERENCES procure.items (id),
    CONSTRAINT price_periods_valid_check CHECK (NOT isempty(valid)),
    CONSTRAINT price_periods_price_positive CHECK (price > 0),
    CONSTRAINT price_periods_no_overlap EXCLUDE USING gist (supplier_id WITH =, item_id WITH =, valid WITH &&)
);

CREATE INDEX price_periods_item_idx ON procure.price_periods (item_id);

-- Users: name = PostgreSQL role name; limits apply to buyers.
CREATE TABLE procure.users (
    name            text NOT NULL,
    role            text NOT NULL,
    max_order_total procure.amount,
    max_discount    procure.pct,
    supplier_id     bigint,                    -- the supplier a supplier user belongs to
    active          boolean NOT NULL DEFAULT true,   -- false: the user may no longer act
    login           boolean NOT NULL DEFAULT false,  -- it logs in with a password (kept while inactive)
    created_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT users_pkey PRIMARY KEY (name),
    CONSTRAINT users_role_check CHECK (role IN ('buyer', 'finance', 'admin', 'auditor', 'supplier')),
    CONSTRAINT users_supplier_fkey FOREIGN KEY (supplier_id) REFERENCES procure.suppliers (id),
    CONSTRAINT users_supplier_check CHECK ((role = 'supplier') = (supplier_id IS NOT NULL)),
    CONSTRAINT users_max_order_total_check CHECK (max_order_total >= 0)
);

-- Settings an admin keeps: the issuing company printed on the documents sent to suppliers.
CREATE TABLE procure.settings (
    key        text NOT NULL,
    value      text NOT NULL,
    updated_by text NOT NULL DEFAULT procure.actor(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT settings_pkey PRIMARY KEY (key),
    CONSTRAINT settings_key_check CHECK (key IN ('company.name', 'company.address', 'company.contact')),
    CONSTRAINT settings_value_check CHECK (btrim(value) <> '' AND length(value) <= 500)
);

-- ---------------------------------------------------------------------------
-- Orders and everything that hangs off one: lines, price edits, payments,
-- production reports, the correction, its liability and case notes. Every
-- order-side table is keyed by supplier_id first, so that it can be
-- distributed by supplier (docs/scaling.md).
-- ---------------------------------------------------------------------------
CREATE SEQUENCE procure.orders_id_seq AS bigint;

-- The last automatic order number (PO-000001, …). A row rather than a sequence: the number is
-- taken inside the creating transaction, so a failed attempt gives its number back and the
-- numbers have no gaps. Creations without --number wait on this row for each other.
CREATE TABLE procure.order_counter (
    only_row boolean NOT NULL DEFAULT true,
    last     bigint NOT NULL DEFAULT 0,
    CONSTRAINT order_counter_pkey PRIMARY KEY (only_row),
    CONSTRAINT order_counter_one_row CHECK (only_row)
);

INSERT INTO procure.order_counter DEFAULT VALUES;

CREATE TABLE procure.orders (
    supplier_id      bigint NOT NULL,
    id               bigint NOT NULL DEFAULT nextval('procure.orders_id_seq'),
    number           text NOT NULL,            -- filled by the insert trigger when NULL
    buyer            text NOT NULL DEFAULT current_user,
    order_date       date NOT NULL DEFAULT current_date,
    status           text NOT NULL DEFAULT 'draft',
    issued_at        timestamptz,
    acknowledged_at  timestamptz,
    in_production_at timestamptz,
    delivered_at     timestamptz,
    closed_at        timestamptz,
    revoked_at       timestamptz,
    replaces         text,                     -- number of the revoked order this one replaces
    replaced_by      text,                     -- number of this order's replacement
    revision         integer NOT NULL DEFAULT 0, -- k of a replacement numbered N-Rk; 0 for a first order
    chain_base       text,                     -- a replacement's N: the first order of its chain
    created_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT orders_pkey PRIMARY KEY (supplier_id, id),
    CONSTRAINT orders_number_key UNIQUE (number),
    CONSTRAINT orders_supplier_fkey FOREIGN KEY (supplier_id) REFERENCES procure.suppliers (id),
    CONSTRAINT orders_number_check CHECK (number <> '' AND number = btrim(number) AND length(number) <= 64),
    CONSTRAINT orders_status_check CHECK (status IN
        ('draft', 'issued', 'acknowledged', 'in_production', 'delivered', 'closed', 'revoked')),
    CONSTRAINT orders_revision_check CHECK ((revision = 0) = (replaces IS NULL) AND revision >= 0)
) WITH (fillfactor = 90);
-- fillfactor 90: an order's status changes four or five times in its life (issued, acknowledged,
-- in production, revoked and linked to its replacement); the free tenth of each page lets such an
-- update stay on its page (a HOT update) instead of writing a new entry into every index.

ALTER SEQUENCE procure.orders_id_seq OWNED BY procure.orders.id;

CREATE INDEX orders_buyer_idx ON procure.orders (buyer, order_date);

-- No index on status: seven values, none rare enough to pick rows by (po list --status is driven
-- by the buyer or the date), and an indexed status made every status change write every index.

CREATE INDEX orders_order_date_idx ON procure.orders (order_date);

CREATE INDEX orders_revoked_at_idx ON procure.orders (revoked_at) WHERE revoked_at IS NOT NULL;

CREATE UNIQUE INDEX orders_replaces_key ON procure.orders (replaces) WHERE replaces IS NOT NULL;

CREATE TABLE procure.order_lines (
    supplier_id bigint NOT NULL,
    order_id    bigint NOT NULL,
    line_no     integer NOT NULL,              -- 1-based; next free number when NULL
    item_id     bigint NOT NULL,
    qty         procure.qty NOT NULL,
    price       procure.price NOT NULL,        -- NULL on insert = the base price
    base_price  procure.price NOT NULL,        -- set by the trigger: base in force on the order date
    delivered   procure.qty NOT NULL DEFAULT 0,
    CONSTRAINT order_lines_pkey PRIMARY KEY (supplier_id, order_id, line_no),
    CONSTRAINT order_lines_order_fkey FOREIGN KEY (supplier_id, order_id)
        REFERENCES procure.orders (supplier_id, id) ON DELETE CASCADE,
    CONSTRAINT order_lines_item_fkey FOREIGN KEY (item_id) REFERENCES procure.items (id),
    CONSTRAINT order_lines_line_no_check CHECK (line_no > 0),
    CONSTRAINT order_lines_qty_positive CHECK (qty > 0),
    CONSTRAINT order_lines_delivered_le_qty CHECK (delivered <= qty)
);

CREATE INDEX order_lines_item_idx ON procure.order_lines (item_id);

-- Every price edit, accepted (written by the line trigger) or refused (written
-- by the recorder, in a transaction of its own that outlives the refusal).
CREATE TABLE procure.price_edits (
    supplier_id bigint NOT NULL,
    id          bigint GENERATED BY DEFAULT AS IDENTITY,
    order_id    bigint NOT NULL,
    line_no     integer NOT NULL,
    actor       text NOT NULL,
    at          timestamptz NOT NULL DEFAULT now(),
    old_price   numeric,
    new_price   numeric,
    base_price  numeric,
    accepted    boolean NOT NULL,
    code        text,                          -- the refusal's error code when not accepted
    CONSTRAINT price_edits_pkey PRIMARY KEY (supplier_id, id)
    -- No foreign key to orders: the record of a refused edit is written by another session
    -- while the refused statement's transaction holds its order locked, and a foreign key
    -- check would wait for that lock. Rows come only from the line trigger and the recorder,
    -- for an existing line; a deleted draft's rows go with it (orders_before_delete).
);

CREATE INDEX price_edits_order_idx ON procure.price_edits (supplier_id, order_id, line_no);

CREATE INDEX price_edits_actor_idx ON procure.price_edits (actor, at);

CREATE TABLE procure.payments (
    supplier_id bigint NOT NULL,
    id          bigint GENERATED BY DEFAULT AS IDENTITY,
    order_id    bigint NOT NULL,
    amount      procure.amount NOT NULL,
    paid_at     timestamptz NOT NULL DEFAULT now(),
    paid_by     text NOT NULL DEFAULT procure.actor(),
    CONSTRAINT payments_pkey PRIMARY KEY (supplier_id, id),
    CONSTRAINT payments_order_fkey FOREIGN KEY (supplier_id, order_id) REFERENCES procure.orders (supplier_id, id),
    CONSTRAINT payments_amount_positive CHECK (amount > 0)
);

CREATE INDEX payments_order_idx ON procure.payments (supplier_id, order_id);

CREATE TABLE procure.production_reports (
    supplier_id      bigint NOT NULL,
    id               bigint GENERATED BY DEFAULT AS IDENTITY,
    order_id         bigint NOT NULL,
    line_no          integer NOT NULL,
    stage            text,
    finished         procure.qty NOT NULL DEFAULT 0,
    in_progress      procure.qty NOT NULL DEFAULT 0,
    wip_cost         procure.amount NOT NULL DEFAULT 0,
    materials        procure.amount NOT NULL DEFAULT 0,
    salvage          procure.amount NOT NULL DEFAULT 0,
    cost_to_complete procure.amount NOT NULL DEFAULT 0,
    as_of            timestamptz NOT NULL DEFAULT now(),
    reported_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
    reported_by      text NOT NULL DEFAULT procure.actor(),
    reported_as      text NOT NULL DEFAULT 'buyer', -- buyer, supplier, admin (on the supplier's behalf) or carried over
    note             text,
    CONSTRAINT production_reports_pkey PRIMARY KEY (supplier_id, id),
    CONSTRAINT production_reports_line_fkey FOREIGN KEY (supplier_id, order_id, line_no)
        REFERENCES procure.order_lines (supplier_id, order_id, line_no),
    CONSTRAINT production_reports_stage_check CHECK (stage IN ('materials', 'production', 'finished')),
    CONSTRAINT production_reports_reported_as_check CHECK (reported_as IN ('buyer', 'supplier', 'admin', 'carried_over')),
    CONSTRAINT production_reports_amounts_check CHECK
        (wip_cost >= 0 AND materials >= 0 AND salvage >= 0 AND cost_to_complete >= 0)
);

CREATE INDEX production_reports_line_idx ON procure.production_reports (supplier_id, order_id, line_no, as_of);

-- The revocation note: one per order.
CREATE TABLE procure.corrections (
    supplier_id  bigint NOT NULL,
    id           bigint GENERATED BY DEFAULT AS IDENTITY,
    order_id     bigint NOT NULL,
    reason       text NOT NULL,
    note         text NOT NULL,
    settlement   procure.amount NOT NULL DEFAULT 0,
    order_state  text NOT NULL,                -- the order's status when revoked (set by trigger)
    acknowledged boolean NOT NULL,             -- the order had reached acknowledged (set by trigger)
    -- the supplier's cancellation terms at the revocation, which govern the case (set by trigger)
    regime       text NOT NULL,
    currency     text NOT NULL,
    profit_rate  procure.pct NOT NULL,
    schedule     jsonb NOT NULL,
    created_by   text NOT NULL DEFAULT procure.actor(),
    created_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT corrections_pkey PRIMARY KEY (supplier_id, id),
    CONSTRAINT already_revoked UNIQUE (supplier_id, order_id),
    CONSTRAINT corrections_order_fkey FOREIGN KEY (supplier_id, order_id) REFERENCES procure.orders (supplier_id, id),
    CONSTRAINT corrections_reason_check CHECK (reason IN
        ('wrong-quantity', 'wrong-item', 'wrong-price', 'wrong-supplier', 'wrong-date', 'duplicate', 'other')),
    CONSTRAINT corrections_note_check CHECK (btrim(note) <> ''),
    CONSTRAINT corrections_settlement_check CHECK (settlement >= 0)
);

-- Beside its keys no index: every reader comes to a correction from its order (already_revoked),
-- and each index more is written by every revocation.

-- The liability of a correction: its inputs (the order's facts) and result,
-- both computed by the database, with the result's total.
CREATE TABLE procure.liabilities (
    supplier_id   bigint NOT NULL,
    correction_id bigint NOT NULL,
    order_id      bigint NOT NULL,             -- set by trigger from the correction
    inputs        jsonb,
    result        jsonb,
    total         procure.amount,              -- set by trigger: result->>'total'
    status        text NOT NULL DEFAULT 'open',
    claim_days    integer NOT NULL DEFAULT 15, -- the supplier's terms at the revocation
    review_days   integer NOT NULL DEFAULT 15,
    claim_deadline  timestamptz,               -- while open: the claim window closes here
    claimed_at    timestamptz,
    claimed_by    text,                        -- the supplier user; NULL when the claim window closed
    review_deadline timestamptz,               -- while claimed: the review window closes here
    agreed_by     text,                        -- the finance user; NULL when the review window closed
    agreed_at     timestamptz,
    settled_by    text,
    settled_at    timestamptz,
    settle_ref    text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT liabilities_pkey PRIMARY KEY (supplier_id, correction_id),
    CONSTRAINT liabilities_correction_fkey FOREIGN KEY (supplier_id, correction_id)
        REFERENCES procure.corrections (supplier_id, id),
    CONSTRAINT liabilities_status_check CHECK (status IN ('open', 'claimed', 'agreed', 'settled'))
);

CREATE UNIQUE INDEX liabilities_order_key ON procure.liabilities (supplier_id, order_id);

-- No index on status: every reader judges the state as of now (liability_status_now), which an
-- index on the stored status cannot serve; the sweep has the two partial indexes below.

-- the deadlines still to pass, for the sweep every command runs
CREATE INDEX liabilities_claim_deadline_idx ON procure.liabilities (claim_deadline) WHERE status = 'open';

CREATE INDEX liabilities_review_deadline_idx ON procure.liabilities (review_deadline) WHERE status = 'claimed';

CREATE TABLE procure.case_notes (
    supplier_id   bigint NOT NULL,
    id            bigint GENERATED BY DEFAULT AS IDENTITY,
    correction_id bigint NOT NULL,
    order_id      bigint NOT NULL,             -- set by trigger from the correction
    body          text NOT NULL,
    kind          text NOT NULL DEFAULT 'note', -- note, or an event of the case: claim, dispute, deadline
    created_by    text NOT NULL DEFAULT procure.actor(),
    created_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT case_notes_pkey PRIMARY KEY (supplier_id, id),
    CONSTRAINT case_notes_correction_fkey FOREIGN KEY (supplier_id, correction_id)
        REFERENCES procure.corrections (supplier_id, id),
    CONSTRAINT case_notes_body_check CHECK (btrim(body) <> ''),
    CONSTRAINT case_notes_kind_check CHECK (kind IN ('note', 'claim', 'dispute', 'deadline'))
);

CREATE INDEX case_notes_correction_idx ON procure.case_notes (supplier_id, correction_id);

CREATE TABLE procure.idempotency_keys (
    key        text NOT NULL,
    verb       text NOT NULL,
    actor      text NOT NULL,
    result     jsonb,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT idempotency_keys_pkey PRIMARY KEY (actor, key)
);

-- ---------------------------------------------------------------------------
-- The audit log: append-only, hash-chained, written only by triggers.
--
-- One chain per order ('order:' || number: the order, its lines, payments,
-- production reports, correction, liability and case notes), per supplier's
-- price list ('prices:' || supplier code), per supplier ('supplier:' || code),
-- per item ('item:' || sku), per setting ('setting:' || key) and per user ('user:' || name). Writers of one
-- chain serialise on the chain's row in procure.audit_heads (a row lock, held
-- to commit); writers of different chains never wait on each other.
--
-- One row per chain and transaction: every change the transaction made to the
-- chain's rows, in statement order, as one entry (changes: [{table, op,
-- entity, old, new}], an UPDATE's old and new holding only the columns it
-- changed). hash = sha256(prev_hash || audit_content(row)) in hex, prev_hash
-- of a chain's first row is NULL (hashed as '').
-- ---------------------------------------------------------------------------
CREATE TABLE procure.audit_log (
    id         bigserial,
    chain      text NOT NULL,
    seq        bigint NOT NULL,
    at         timestamptz NOT NULL,
    actor      text NOT NULL,
    changes    jsonb NOT NULL,
    prev_hash  text,
    hash       text NOT NULL,
    CONSTRAINT audit_log_pkey PRIMARY KEY (id),
    CONSTRAINT audit_log_chain_seq_key UNIQUE (chain, seq),
    CONSTRAINT audit_log_changes_check CHECK (jsonb_typeof(changes) = 'array')
);

CREATE INDEX audit_log_at_idx ON procure.audit_log (at);

-- The head (last seq and hash) of every chain. Writers of a chain lock its
-- head row, so writers of one chain are serialised and writers of different
-- chains never wait on each other; row locks (unlike advisory locks) do not
-- fill the shared lock table when one transaction touches many chains (a bulk
-- import). audit_verify also checks that no row was cut off a chain's end.
CREATE TABLE procure.audit_heads (
    chain text NOT NULL,
    seq   bigint NOT NULL,
    hash  text,
    CONSTRAINT audit_heads_pkey PRIMARY KEY (chain)
);

-- The audit's work tables. Audited statements only record what changed in
-- audit_pending (UNLOGGED: no WAL; a crash empties it together with the
-- transactions its rows belonged to) and register their transaction in
-- audit_txn, whose deferred constraint trigger hashes the transaction's rows
-- into audit_log once, at commit (sql/schema/08_audit.sql). A rolled-back
-- transaction or savepoint takes its pending rows with it.
CREATE UNLOGGED TABLE procure.audit_pending (
    xact       xid8 NOT NULL,
    ord        bigint GENERATED ALWAYS AS IDENTITY,
    chain      text NOT NULL,
    entity     text NOT NULL,
    at         timestamptz NOT NULL,
    actor      text NOT NULL,
    table_name text NOT NULL,
    op         text NOT NULL,
    old        jsonb,
    new        jsonb
);

CREATE INDEX audit_pending_xact_idx ON procure.audit_pending (xact);

ALTER TABLE procure.audit_pending SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 2000);

CREATE UNLOGGED TABLE procure.audit_txn (
    xact xid8 NOT NULL,
    CONSTRAINT audit_txn_pkey PRIMARY KEY (xact)
);

ALTER TABLE procure.audit_txn SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 500);

-- Row-level security is a property of the table; the policies are in sql/schema/90_security.sql.
-- FORCE, so that a non-superuser owner is held too.

ALTER TABLE procure.orders ENABLE ROW LEVEL SECURITY;
ALTER TABLE procure.orders FORCE ROW LEVEL SECURITY;

ALTER TABLE procure.order_lines ENABLE ROW LEVEL SECURITY;
ALTER TABLE procure.order_lines FORCE ROW LEVEL SECURITY;

ALTER TABLE procure.price_edits ENABLE ROW LEVEL SECURITY;
ALTER TABLE procure.price_edits FORCE ROW LEVEL SECURITY;

ALTER TABLE procure.payments ENABLE ROW LEVEL SECURITY;
ALTER TABLE procure.payments FORCE ROW LEVEL SECURITY;

ALTER TABLE procure.production_reports ENABLE ROW LEVEL SECURITY;
ALTER TABLE procure.production_reports FORCE ROW LEVEL SECURITY;

ALTER TABLE procure.corrections ENABLE ROW LEVEL SECURITY;
ALTER TABLE procure.corrections FORCE ROW LEVEL SECURITY;

ALTER TABLE procure.liabilities ENABLE ROW LEVEL SECURITY;
ALTER TABLE procure.liabilities FORCE ROW LEVEL SECURITY;

ALTER TABLE procure.case_notes ENABLE ROW LEVEL SECURITY;
ALTER TABLE procure.case_notes FORCE ROW LEVEL SECURITY;

ALTER TABLE procure.suppliers ENABLE ROW LEVEL SECURITY;
ALTER TABLE procure.suppliers FORCE ROW LEVEL SECURITY;

ALTER TABLE procure.price_periods ENABLE ROW LEVEL SECURITY;
ALTER TABLE procure.price_periods FORCE ROW LEVEL SECURITY;

ALTER TABLE procure.users ENABLE ROW LEVEL SECURITY;
ALTER TABLE procure.users FORCE ROW LEVEL SECURITY;

ALTER TABLE procure.settings ENABLE ROW LEVEL SECURITY;
ALTER TABLE procure.settings FORCE ROW LEVEL SECURITY;

ALTER TABLE procure.items ENABLE ROW LEVEL SECURITY;
ALTER TABLE procure.items FORCE ROW LEVEL SECURITY;

-- The audit's rows and the stored results of idempotency keys hold order data: only
-- registered users read them (policies in 90_security.sql). Not FORCEd: the audit triggers
-- and the key functions write them as the owner.
ALTER TABLE procure.audit_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE procure.audit_heads ENABLE ROW LEVEL SECURITY;
ALTER TABLE procure.idempotency_keys ENABLE ROW LEVEL SECURITY;

-- The migrator resets the role after every file; so does this line, for a file run by hand.
RESET ROLE;
