-- 0012_audit_at_commit: the audit hashes once per transaction, at commit.
--
-- Until now every audited statement locked its chains' heads, hashed its rows
-- and wrote them to audit_log in its own statement trigger (a correction ran
-- seven of them, about 60 % of its server time). Now:
--
-- * procure.audit_trigger() (the same statement-level triggers with transition
--   tables on every audited table) only records what changed: one INSERT …
--   SELECT of the statement's changed rows, with their chain, entity, clock
--   time and actor as of the statement, into procure.audit_pending (an
--   UNLOGGED work table: no WAL, no grants, written and emptied only by the
--   audit triggers). It also registers the transaction in procure.audit_txn
--   (one row per transaction), whose DEFERRABLE INITIALLY DEFERRED constraint
--   trigger fires when the transaction commits.
-- * That commit-time trigger (procure.audit_commit) takes the transaction's
--   pending rows ordered by chain, then statement order, in slices of 5000
--   (bounded memory for big imports), locks the chains' heads in chain order,
--   hashes, writes audit_log and the heads, and removes the pending rows. A
--   correction now locks, hashes and writes once instead of seven times, and
--   holds its chains' head locks only for the commit, not for the whole
--   transaction (multi-chain writers lock heads once, in chain order: no
--   deadlock between two of them on the heads either).
--
-- Unchanged: what an audit row holds (chain, seq, at = clock time of the
-- statement, actor = the acting role of the statement, table, op, entity, old,
-- new, prev_hash, hash = the same formula), one row per changed row for every
-- writer (psql included), append-only audit_log / audit_heads with their
-- guards, audit_verify, the shape of history. A rolled-back transaction or
-- savepoint takes its pending rows with it (they are ordinary table rows); a
-- crash empties the unlogged table with the transactions it belonged to.
-- history() shows the calling transaction's own not yet committed changes
-- too (seq numbered after the chain's committed head), as before.
--
-- correct_begin also issues the replacement and links the revoked order to it
-- in one UPDATE of the two order rows (one audited statement fewer).

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

REVOKE ALL ON procure.audit_pending, procure.audit_txn FROM PUBLIC;
REVOKE ALL ON procure.audit_pending, procure.audit_txn FROM procure_buyer, procure_finance, procure_admin, procure_auditor;

-- Only the audit triggers write the work tables (INSERT and DELETE, at trigger
-- depth 2 or more: the guard itself is one level); nobody updates or truncates.
CREATE FUNCTION procure.audit_work_guard() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    IF pg_trigger_depth() > 1 AND TG_OP IN ('INSERT', 'DELETE') THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION USING
        MESSAGE = format('procure.%s is written by the audit triggers only (%s refused)', TG_TABLE_NAME, TG_OP),
        ERRCODE = '42501', CONSTRAINT = 'permission_denied';
END
$$;
CREATE TRIGGER audit_pending_guard BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON procure.audit_pending
    FOR EACH STATEMENT EXECUTE FUNCTION procure.audit_work_guard();
CREATE TRIGGER audit_txn_guard BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON procure.audit_txn
    FOR EACH STATEMENT EXECUTE FUNCTION procure.audit_work_guard();

-- Chain and entity of a changed row (the row as JSON), as 0003 defined them.
-- Inlined into the audit trigger's INSERT … SELECT (SQL, STABLE, one SELECT).
CREATE FUNCTION procure.audit_key(p_table text, j jsonb) RETURNS TABLE (chain text, entity text)
LANGUAGE sql STABLE
AS $$
    SELECT CASE WHEN p_table = 'orders' THEN 'order:' || (j ->> 'number')
                WHEN k.num IS NOT NULL THEN 'order:' || k.num
                WHEN p_table = 'price_periods' THEN 'prices:' || k.code
                WHEN p_table = 'suppliers' THEN 'supplier:' || (j ->> 'code')
                WHEN p_table = 'items' THEN 'item:' || (j ->> 'sku')
                ELSE 'user:' || (j ->> 'name') END,
           CASE WHEN p_table = 'orders' THEN j ->> 'number'
                WHEN k.num IS NOT NULL THEN k.num || CASE p_table
                    WHEN 'order_lines' THEN ' line ' || (j ->> 'line_no')
                    WHEN 'payments' THEN ' payment ' || (j ->> 'id')
                    WHEN 'production_reports' THEN ' line ' || (j ->> 'line_no') || ' report ' || (j ->> 'id')
                    WHEN 'corrections' THEN ' correction'
                    WHEN 'liabilities' THEN ' liability'
                    ELSE ' note ' || (j ->> 'id') END
                WHEN p_table = 'price_periods' THEN k.sku || ' ' || (j ->> 'valid')
                WHEN p_table = 'suppliers' THEN j ->> 'code'
                WHEN p_table = 'items' THEN j ->> 'sku'
                ELSE j ->> 'name' END
      FROM (SELECT CASE WHEN p_table IN ('order_lines', 'payments', 'production_reports', 'corrections',
                                         'liabilities', 'case_notes')
                        THEN coalesce((SELECT o.number FROM procure.orders o
                                        WHERE o.supplier_id = (j ->> 'supplier_id')::bigint
                                          AND o.id = (j ->> 'order_id')::bigint),
                                      (j ->> 'supplier_id') || '/' || (j ->> 'order_id')) END AS num,
                   CASE WHEN p_table = 'price_periods'
                        THEN coalesce((SELECT s.code FROM procure.suppliers s WHERE s.id = (j ->> 'supplier_id')::bigint),
                                      j ->> 'supplier_id') END AS code,
                   CASE WHEN p_table = 'price_periods'
                        THEN coalesce((SELECT i.sku FROM procure.items i WHERE i.id = (j ->> 'item_id')::bigint),
                                      j ->> 'item_id') END AS sku) k
$$;

-- Statement-level audit trigger: records the statement's changed rows (an
-- UPDATE's old and new paired by primary key, unchanged rows skipped), in
-- statement order, as pending audit rows of this transaction, and registers
-- the transaction for the commit-time write. Set-based: memory stays bounded
-- whatever the statement's size.
-- Generic plans: a custom plan of the INSERT … SELECT was re-planned on every
-- statement (measured: half the trigger's time).
CREATE OR REPLACE FUNCTION procure.audit_trigger() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, procure, pg_temp
SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
    -- TG_TABLE_NAME is a name (collation "C"): keep text in the default
    -- collation, or the indexes on text columns are not used
    v_table text COLLATE "default" := TG_TABLE_NAME;
    v_actor text COLLATE "default" := procure.actor();
    v_at timestamptz := clock_timestamp();
    v_xact xid8 := pg_current_xact_id();
    n bigint;
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO procure.audit_pending (xact, chain, entity, at, actor, table_name, op, old, new)
        SELECT v_xact, k.chain, k.entity, v_at, v_actor, v_table, 'INSERT', NULL, r.j
          FROM (SELECT to_jsonb(x) AS j FROM new_rows x) r
          CROSS JOIN LATERAL procure.audit_key(v_table, r.j) k;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO procure.audit_pending (xact, chain, entity, at, actor, table_name, op, old, new)
        SELECT v_xact, k.chain, k.entity, v_at, v_actor, v_table, 'DELETE', r.j, NULL
          FROM (SELECT to_jsonb(x) AS j FROM old_rows x) r
          CROSS JOIN LATERAL procure.audit_key(v_table, r.j) k;
    ELSE
        INSERT INTO procure.audit_pending (xact, chain, entity, at, actor, table_name, op, old, new)
        SELECT v_xact, k.chain, k.entity, v_at, v_actor, v_table, 'UPDATE', u.od, u.nw
          FROM (SELECT o.j AS od, nw.j AS nw, coalesce(nw.ord, o.ord) AS ord
                  FROM (SELECT to_jsonb(x) AS j, row_number() OVER () AS ord FROM old_rows x) o
                  FULL JOIN (SELECT to_jsonb(y) AS j, row_number() OVER () AS ord FROM new_rows y) nw
                    ON procure.audit_pk(v_table, o.j) = procure.audit_pk(v_table, nw.j)
                 WHERE o.j IS DISTINCT FROM nw.j) u
          CROSS JOIN LATERAL procure.audit_key(v_table, coalesce(u.nw, u.od)) k
         ORDER BY u.ord;
    END IF;
    GET DIAGNOSTICS n = ROW_COUNT;
    IF n > 0 THEN
        INSERT INTO procure.audit_txn (xact) VALUES (v_xact) ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END
$$;

-- Appends one slice of pending rows (sorted by chain, then statement order) to
-- their chains: the chains' heads locked (created when new) in chain order,
-- rows hashed chain by chain, one UPDATE of the heads, one INSERT. A chain
-- continued from the previous slice continues from its head, which this
-- transaction already holds locked.
CREATE FUNCTION procure.audit_append(a_chain text[], a_entity text[], a_at timestamptz[], a_actor text[],
                                     a_table text[], a_op text[], a_old jsonb[], a_new jsonb[]) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, procure, pg_temp
AS $$
DECLARE
    n integer := coalesce(cardinality(a_chain), 0);
    a_seq bigint[];
    a_prev text[];
    a_hash text[];
    i integer;
    j integer;
    v_chain text COLLATE "default";
    v_seq bigint;
    v_hash text;
    h_chain text[];
    h_seq bigint[];
    h_hash text[];
BEGIN
    IF n = 0 THEN
        RETURN;
    END IF;
    -- lock the heads of the chains (creating new ones), in chain order; a
    -- writer of the same chain waits here until we commit, then reads our
    -- head (READ COMMITTED: ON CONFLICT DO UPDATE sees the latest version)
    WITH h AS (
        INSERT INTO procure.audit_heads AS t (chain, seq, hash)
        SELECT DISTINCT c.chain, 0, NULL::text FROM unnest(a_chain) AS c(chain) ORDER BY 1
        ON CONFLICT (chain) DO UPDATE SET seq = t.seq
        RETURNING t.chain, t.seq, t.hash)
    SELECT array_agg(h.chain ORDER BY h.chain), array_agg(h.seq ORDER BY h.chain), array_agg(h.hash ORDER BY h.chain)
      INTO h_chain, h_seq, h_hash
      FROM h;

    a_seq := array_fill(NULL::bigint, ARRAY[n]);
    a_prev := array_fill(NULL::text, ARRAY[n]);
    a_hash := array_fill(NULL::text, ARRAY[n]);
    j := 0;
    FOR i IN 1 .. n LOOP
        IF v_chain IS DISTINCT FROM a_chain[i] THEN
            IF j > 0 THEN
                h_seq[j] := v_seq;
                h_hash[j] := v_hash;
            END IF;
            v_chain := a_chain[i];
            j := j + 1;
            WHILE h_chain[j] IS DISTINCT FROM v_chain LOOP
                j := j + 1;
            END LOOP;
            v_seq := h_seq[j];
            v_hash := h_hash[j];
        END IF;
        v_seq := v_seq + 1;
        a_seq[i] := v_seq;
        a_prev[i] := v_hash;
        -- = procure.audit_hash(v_hash, procure.audit_content(...)), written out
        v_hash := encode(sha256(convert_to(coalesce(v_hash, '') ||
                      jsonb_build_array(v_chain, v_seq, extract(epoch FROM a_at[i]), a_actor[i], a_table[i], a_op[i],
                                        a_entity[i], a_old[i], a_new[i])::text, 'UTF8')), 'hex');
        a_hash[i] := v_hash;
    END LOOP;
    h_seq[j] := v_seq;
    h_hash[j] := v_hash;

    UPDATE procure.audit_heads t SET seq = u.seq, hash = u.hash
      FROM unnest(h_chain, h_seq, h_hash) AS u(chain, seq, hash)
     WHERE t.chain = u.chain;

    INSERT INTO procure.audit_log (chain, seq, at, actor, table_name, op, entity, old, new, prev_hash, hash)
    SELECT u.chain, u.seq, u.at, u.actor, u.tbl, u.op, u.entity, u.od, u.nw, u.prev, u.hash
      FROM unnest(a_chain, a_seq, a_at, a_actor, a_table, a_op, a_entity, a_old, a_new, a_prev, a_hash)
           AS u(chain, seq, at, actor, tbl, op, entity, od, nw, prev, hash);
END
$$;

-- Commit-time write of the transaction's pending audit rows (the deferred
-- constraint trigger on audit_txn). Fires again harmlessly (nothing pending)
-- when SET CONSTRAINTS … IMMEDIATE made it run earlier.
CREATE FUNCTION procure.audit_commit() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, procure, pg_temp
AS $$
DECLARE
    v_xact xid8 := NEW.xact;
    v_slice constant integer := 5000;
    a_chain text[] := '{}';
    a_entity text[] := '{}';
    a_at timestamptz[] := '{}';
    a_actor text[] := '{}';
    a_table text[] := '{}';
    a_op text[] := '{}';
    a_old jsonb[] := '{}';
    a_new jsonb[] := '{}';
    n integer := 0;
    r record;
BEGIN
    FOR r IN SELECT p.chain, p.entity, p.at, p.actor, p.table_name, p.op, p.old, p.new
               FROM procure.audit_pending p
              WHERE p.xact = v_xact
              ORDER BY p.chain COLLATE "default", p.ord LOOP
        a_chain := array_append(a_chain, r.chain);
        a_entity := array_append(a_entity, r.entity);
        a_at := array_append(a_at, r.at);
        a_actor := array_append(a_actor, r.actor);
        a_table := array_append(a_table, r.table_name);
        a_op := array_append(a_op, r.op);
        a_old := array_append(a_old, r.old);
        a_new := array_append(a_new, r.new);
        n := n + 1;
        IF n = v_slice THEN
            PERFORM procure.audit_append(a_chain, a_entity, a_at, a_actor, a_table, a_op, a_old, a_new);
            a_chain := '{}'; a_entity := '{}'; a_at := '{}'; a_actor := '{}';
            a_table := '{}'; a_op := '{}'; a_old := '{}'; a_new := '{}';
            n := 0;
        END IF;
    END LOOP;
    IF n > 0 THEN
        PERFORM procure.audit_append(a_chain, a_entity, a_at, a_actor, a_table, a_op, a_old, a_new);
    END IF;
    DELETE FROM procure.audit_pending WHERE xact = v_xact;
    DELETE FROM procure.audit_txn WHERE xact = v_xact;
    RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER audit_txn_commit AFTER INSERT ON procure.audit_txn
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION procure.audit_commit();

-- history(number): the order's chain, oldest first, including the calling
-- transaction's own changes not yet written (numbered after the chain's
-- committed head). Buyers see their own orders' history only; finance,
-- admin, auditor (and superusers) any.
CREATE OR REPLACE FUNCTION procure.history(p_number text) RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, procure, pg_temp
AS $$
DECLARE
    v_actor text := procure.actor();
    v_buyer text;
    v_chain text := 'order:' || p_number;
    v_xact xid8 := pg_current_xact_id_if_assigned();
    v_head bigint;
BEGIN
    SELECT buyer INTO v_buyer FROM procure.orders WHERE number = p_number;
    IF NOT FOUND THEN
        -- a deleted draft still has its history
        SELECT new ->> 'buyer' INTO v_buyer FROM procure.audit_log
         WHERE chain = v_chain AND table_name = 'orders' ORDER BY seq LIMIT 1;
        IF v_buyer IS NULL AND v_xact IS NOT NULL THEN
            SELECT new ->> 'buyer' INTO v_buyer FROM procure.audit_pending
             WHERE xact = v_xact AND chain = v_chain AND table_name = 'orders' ORDER BY ord LIMIT 1;
        END IF;
        IF v_buyer IS NULL THEN
            PERFORM procure.fail('not_found', format('order %s not found', p_number));
        END IF;
    END IF;
    IF v_buyer IS DISTINCT FROM v_actor AND NOT procure.actor_is('procure_finance')
       AND NOT procure.actor_is('procure_admin') AND NOT procure.actor_is('procure_auditor') THEN
        PERFORM procure.fail('permission_denied',
            format('order %s belongs to another buyer; %s may not read its history', p_number, v_actor));
    END IF;
    IF v_xact IS NULL OR NOT EXISTS (SELECT 1 FROM procure.audit_pending WHERE xact = v_xact AND chain = v_chain) THEN
        RETURN coalesce((
            SELECT jsonb_agg(jsonb_build_object(
                       'seq', seq, 'at', at, 'actor', actor, 'table', table_name, 'op', op,
                       'entity', entity, 'old', old, 'new', new) ORDER BY seq)
              FROM procure.audit_log WHERE chain = v_chain), '[]'::jsonb);
    END IF;
    SELECT max(seq) INTO v_head FROM procure.audit_log WHERE chain = v_chain;
    RETURN coalesce((
        SELECT jsonb_agg(jsonb_build_object(
                   'seq', x.seq, 'at', x.at, 'actor', x.actor, 'table', x.table_name, 'op', x.op,
                   'entity', x.entity, 'old', x.old, 'new', x.new) ORDER BY x.seq)
          FROM (SELECT l.seq, l.at, l.actor, l.table_name, l.op, l.entity, l.old, l.new
                  FROM procure.audit_log l WHERE l.chain = v_chain
                UNION ALL
                SELECT coalesce(v_head, 0) + row_number() OVER (ORDER BY p.ord), p.at, p.actor, p.table_name, p.op,
                       p.entity, p.old, p.new
                  FROM procure.audit_pending p WHERE p.xact = v_xact AND p.chain = v_chain) x), '[]'::jsonb);
END
$$;

-- correct_begin: as in 0006, but the replacement is issued and the revoked
-- order linked to it in one UPDATE of both rows (the row triggers check each
-- row as before; one audited statement instead of two).
CREATE OR REPLACE FUNCTION procure.correct_begin(p_number text, p_reason text, p_note text, p_replace jsonb,
                                                 p_supplier text, p_settlement numeric) RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, procure, pg_temp
AS $$
DECLARE
    o procure.orders;
    r procure.orders;
    c procure.corrections;
    v_supplier_id bigint;
    v_replace boolean := p_replace IS NOT NULL AND jsonb_typeof(p_replace) = 'array' AND jsonb_array_length(p_replace) > 0;
BEGIN
    o := procure.get_order(p_number, true);
    IF o.status = 'revoked' THEN
        PERFORM procure.fail('already_revoked', format('order %s is already revoked (at %s)', o.number, o.revoked_at));
    END IF;
    IF o.status NOT IN ('issued', 'acknowledged', 'in_production') THEN
        PERFORM procure.fail('invalid_state', format(
            'order %s is %s; only issued, acknowledged or in-production orders are revoked%s',
            o.number, o.status, CASE WHEN o.status = 'draft' THEN ' (edit or delete a draft instead)' ELSE '' END));
    END IF;
    IF p_reason IS NULL OR p_reason NOT IN
       ('wrong-quantity', 'wrong-item', 'wrong-price', 'wrong-supplier', 'wrong-date', 'duplicate', 'other') THEN
        PERFORM procure.fail('invalid_argument', format(
            'order %s: --reason %s is not one of wrong-quantity, wrong-item, wrong-price, wrong-supplier, wrong-date, duplicate, other',
            o.number, coalesce(p_reason, '(missing)')));
    END IF;
    IF p_note IS NULL OR btrim(p_note) = '' THEN
        PERFORM procure.fail('invalid_argument', format('order %s: --note is required and must not be empty', o.number));
    END IF;
    IF p_replace IS NOT NULL AND jsonb_typeof(p_replace) <> 'array' THEN
        PERFORM procure.fail('invalid_argument', format('order %s: --replace lines must be a list', o.number));
    END IF;
    IF p_supplier IS NOT NULL THEN
        IF NOT v_replace THEN
            PERFORM procure.fail('invalid_argument',
                format('order %s: --supplier names the replacement''s supplier and needs --replace', o.number));
        END IF;
        SELECT id INTO v_supplier_id FROM procure.suppliers WHERE code = p_supplier;
        IF NOT FOUND THEN PERFORM procure.fail('not_found', format('supplier %s not found', p_supplier)); END IF;
    END IF;
    PERFORM procure.arg_num('amount', p_settlement, format('order %s --settlement', o.number));

    INSERT INTO procure.corrections AS t (supplier_id, order_id, reason, note, settlement)
    VALUES (o.supplier_id, o.id, p_reason, p_note, coalesce(p_settlement, 0))
    RETURNING t.* INTO c;                               -- revokes the order (trigger)

    IF v_replace THEN
        INSERT INTO procure.orders AS t (supplier_id, buyer, order_date, replaces)
        VALUES (coalesce(v_supplier_id, o.supplier_id), o.buyer, current_date, o.number)
        RETURNING t.* INTO r;
        PERFORM procure.insert_lines(r, p_replace);
        -- the replacement draft → issued, the revoked order → replaced_by
        UPDATE procure.orders t
           SET status = CASE WHEN t.id = r.id AND t.supplier_id = r.supplier_id THEN 'issued' ELSE t.status END,
               replaced_by = CASE WHEN t.id = r.id AND t.supplier_id = r.supplier_id THEN t.replaced_by ELSE r.number END
         WHERE (t.supplier_id = r.supplier_id AND t.id = r.id) OR (t.supplier_id = o.supplier_id AND t.id = o.id);
    END IF;

    SELECT * INTO o FROM procure.orders WHERE supplier_id = o.supplier_id AND id = o.id;
    RETURN jsonb_build_object(
        'correction_id', c.id,
        'order', o.number,
        'replacement', r.number,
        'revoked_at', o.revoked_at,
        'inputs', procure.liability_inputs_for(o));
END
$$;

REVOKE ALL ON FUNCTION procure.audit_work_guard(), procure.audit_key(text, jsonb), procure.audit_commit(),
    procure.audit_append(text[], text[], timestamptz[], text[], text[], text[], jsonb[], jsonb[]) FROM PUBLIC;
