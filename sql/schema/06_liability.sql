-- The liability of a revoked order: its inputs read from the order's facts, the
-- formula (liability_compute, the one implementation in the product; docs/liability.md
-- explains it with a worked example), and its states open → agreed → settled
-- (finance), frozen once agreed.

CREATE FUNCTION procure.liabilities_before() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, procure, pg_temp
AS $$
DECLARE
    c procure.corrections;
    v_number text;
    v_now timestamptz := clock_timestamp();
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM procure.fail('invalid_state', 'liabilities are never deleted');
    END IF;
    SELECT * INTO c FROM procure.corrections WHERE supplier_id = NEW.supplier_id AND id = NEW.correction_id;
    IF NOT FOUND THEN
        PERFORM procure.fail('not_found', format('correction %s not found', NEW.correction_id));
    END IF;
    SELECT number INTO v_number FROM procure.orders WHERE supplier_id = c.supplier_id AND id = c.order_id;
    NEW.order_id := c.order_id;
    NEW.updated_at := now();

    IF TG_OP = 'INSERT' THEN
        IF coalesce(NEW.status, 'open') <> 'open' THEN
            PERFORM procure.fail('invalid_state', format('the liability of %s starts open', v_number));
        END IF;
        NEW.status := 'open';
        -- the supplier's terms at the revocation govern the case
        SELECT claim_days, review_days INTO NEW.claim_days, NEW.review_days
          FROM procure.suppliers WHERE id = c.supplier_id;
        NEW.claim_deadline := c.created_at + make_interval(days => NEW.claim_days);
        NEW.claimed_at := NULL; NEW.claimed_by := NULL; NEW.review_deadline := NULL;
        NEW.agreed_by := NULL; NEW.agreed_at := NULL;
        NEW.settled_by := NULL; NEW.settled_at := NULL; NEW.settle_ref := NULL;
        NEW.created_at := now();
        RETURN NEW;
    END IF;

    IF NEW.supplier_id IS DISTINCT FROM OLD.supplier_id OR NEW.correction_id IS DISTINCT FROM OLD.correction_id THEN
        PERFORM procure.fail('invalid_argument', format('the liability of %s never moves', v_number));
    END IF;
    IF OLD.status IN ('agreed', 'settled') AND (NEW.inputs IS DISTINCT FROM OLD.inputs OR NEW.result IS DISTINCT FROM OLD.result) THEN
        PERFORM procure.fail('invalid_state',
            format('the liability of %s is %s; its figures no longer change', v_number, OLD.status));
    END IF;
    NEW.created_at := OLD.created_at;
    NEW.total := OLD.total;                 -- liabilities_figures sets it when it recomputes
    NEW.claim_days := OLD.claim_days; NEW.review_days := OLD.review_days;
    NEW.claim_deadline := OLD.claim_deadline; NEW.review_deadline := OLD.review_deadline;
    NEW.claimed_at := OLD.claimed_at; NEW.claimed_by := OLD.claimed_by;
    NEW.agreed_by := OLD.agreed_by; NEW.agreed_at := OLD.agreed_at;
    NEW.settled_by := OLD.settled_by; NEW.settled_at := OLD.settled_at;
    IF NEW.status IS NOT DISTINCT FROM OLD.status THEN
        NEW.settle_ref := OLD.settle_ref;
        RETURN NEW;
    END IF;

    IF OLD.status = 'open' AND NEW.status = 'claimed' THEN
        IF v_now >= OLD.claim_deadline THEN         -- the claim window closed: the claim is what is on record
            NEW.claimed_at := OLD.claim_deadline;
            NEW.claimed_by := NULL;
        ELSIF procure.actor_supplier_id() IS NOT DISTINCT FROM OLD.supplier_id OR procure.actor_is_super() THEN
            NEW.claimed_at := v_now;
            NEW.claimed_by := procure.actor();
        ELSE
            PERFORM procure.fail('permission_denied', format(
                'the claim of %s is submitted by a user of its supplier; %s may not', v_number, procure.actor()));
        END IF;
        NEW.review_deadline := NEW.claimed_at + make_interval(days => OLD.review_days);
    ELSIF OLD.status = 'claimed' AND NEW.status = 'open' THEN
        IF NOT procure.actor_is('procure_finance') THEN
            PERFORM procure.fail('permission_denied',
                format('%s may not dispute liabilities (finance only)', procure.actor()));
        END IF;
        IF v_now >= OLD.review_deadline THEN
            PERFORM procure.fail('invalid_state', format(
                'the review window of %s closed at %s: the claim counts as agreed', v_number, OLD.review_deadline));
        END IF;
        NEW.claim_deadline := v_now + make_interval(days => OLD.claim_days);
        NEW.claimed_at := NULL; NEW.claimed_by := NULL; NEW.review_deadline := NULL;
    ELSIF OLD.status = 'claimed' AND NEW.status = 'agreed' THEN
        IF v_now >= OLD.review_deadline THEN        -- the review window closed with no answer
            NEW.agreed_at := OLD.review_deadline;
            NEW.agreed_by := NULL;
        ELSIF procure.actor_is('procure_finance') THEN
            NEW.agreed_at := v_now;
            NEW.agreed_by := procure.actor();
        ELSE
            PERFORM procure.fail('permission_denied',
                format('%s may not agree liabilities (finance only)', procure.actor()));
        END IF;
        NEW.settle_ref := NULL;
        IF OLD.total = 0 THEN                       -- nothing to pay: settled as it is agreed
            NEW.status := 'settled';
            NEW.settled_at := NEW.agreed_at;
            NEW.settled_by := NEW.agreed_by;
            NEW.settle_ref := 'nothing to pay';
        END IF;
    ELSIF OLD.status = 'open' AND NEW.status IN ('agreed', 'settled') THEN
        PERFORM procure.fail('invalid_state', format(
            'the liability of %s is open: the supplier''s claim window closes at %s; it can be agreed once claimed',
            v_number, OLD.claim_deadline));
    ELSIF OLD.status = 'agreed' AND NEW.status = 'settled' THEN
        IF NOT procure.actor_is('procure_finance') THEN
            PERFORM procure.fail('permission_denied',
                format('%s may not settle liabilities (finance only)', procure.actor()));
        END IF;
        IF NEW.settle_ref IS NULL OR btrim(NEW.settle_ref) = '' THEN
            PERFORM procure.fail('invalid_argument',
                format('the liability of %s: a settlement reference (--ref) is required', v_number));
        END IF;
        NEW.settled_by := procure.actor();
        NEW.settled_at := v_now;
    ELSE
        PERFORM procure.fail('invalid_state', format('the liability of %s is %s; it cannot become %s',
            v_number, OLD.status, coalesce(NEW.status, 'NULL')));
    END IF;
    RETURN NEW;
END
$$;

-- The liability input JSON of a revoked order, from the counting
-- production reports (as_of ≤ revoked_at; the latest per line).
CREATE FUNCTION procure.liability_inputs_for(o procure.orders) RETURNS jsonb
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, procure, pg_temp
AS $$
BEGIN
    RETURN (
    SELECT jsonb_build_object(
            'regime', c.regime,
            'currency', c.currency,
            'profit_rate', procure.fmt_pct(c.profit_rate),
            'schedule', c.schedule,
            'acknowledged', c.acknowledged,
            'settlement', procure.fmt_amount(c.settlement),
            'payments', (SELECT procure.fmt_amount(coalesce(sum(p.amount), 0)) FROM procure.payments p
                          WHERE p.supplier_id = o.supplier_id AND p.order_id = o.id),
            'lines', coalesce((
                SELECT jsonb_agg(jsonb_build_object(
                           'line', l.line_no, 'sku', i.sku, 'price', procure.fmt_price(l.price),
                           'ordered', procure.fmt_qty(l.qty), 'delivered', procure.fmt_qty(l.delivered),
                           'report', rep.j) ORDER BY l.line_no)
                  FROM procure.order_lines l
                  JOIN procure.items i ON i.id = l.item_id
                  LEFT JOIN LATERAL (
                      SELECT jsonb_build_object(
                                 'stage', r.stage, 'finished', procure.fmt_qty(r.finished),
                                 'in_progress', procure.fmt_qty(r.in_progress),
                                 'wip_cost', procure.fmt_amount(r.wip_cost), 'materials', procure.fmt_amount(r.materials),
                                 'salvage', procure.fmt_amount(r.salvage),
                                 'cost_to_complete', procure.fmt_amount(r.cost_to_complete)) AS j
                        FROM procure.production_reports r
                       WHERE r.supplier_id = l.supplier_id AND r.order_id = l.order_id AND r.line_no = l.line_no
                         AND r.as_of <= o.revoked_at
                       ORDER BY r.as_of DESC, r.id DESC
                       LIMIT 1) rep ON true
                 WHERE l.supplier_id = o.supplier_id AND l.order_id = o.id), '[]'::jsonb),
            'replacement', coalesce((
                SELECT jsonb_agg(jsonb_build_object('sku', x.sku, 'quantity', procure.fmt_qty(x.q)) ORDER BY x.sku)
                  FROM (SELECT i.sku, sum(rl.qty) AS q
                          FROM procure.orders r
                          JOIN procure.order_lines rl ON rl.supplier_id = r.supplier_id AND rl.order_id = r.id
                          JOIN procure.items i ON i.id = rl.item_id
                         WHERE r.number = o.replaced_by AND r.supplier_id = o.supplier_id
                         GROUP BY i.sku) x), '[]'::jsonb))
          FROM procure.corrections c
         WHERE c.supplier_id = o.supplier_id AND c.order_id = o.id);
END
$$;

-- Recomputes the liability of an order when one of its inputs changed: while it is open or
-- claimed (agreed and settled figures no longer change). The triggers of every table that
-- feeds liability_inputs_for call this, whoever wrote the change.
CREATE FUNCTION procure.liability_refresh(p_supplier_id bigint, p_order_id bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, procure, pg_temp
AS $$
BEGIN
    -- looked for first: most orders have no liability (a replacement being created, a report
    -- on an order never revoked), and an UPDATE of no rows still fires every statement trigger
    IF EXISTS (SELECT 1 FROM procure.liabilities
                WHERE supplier_id = p_supplier_id AND order_id = p_order_id AND status IN ('open', 'claimed')) THEN
        UPDATE procure.liabilities SET inputs = NULL, result = NULL
         WHERE supplier_id = p_supplier_id AND order_id = p_order_id AND status IN ('open', 'claimed');
    END IF;
END
$$;

-- The statement-level form for payments and line changes: each order touched, once.
CREATE FUNCTION procure.liability_inputs_changed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, procure, pg_temp
AS $$
BEGIN
    PERFORM procure.liability_refresh(x.supplier_id, x.order_id)
       FROM (SELECT DISTINCT n.supplier_id, n.order_id FROM new_rows n) x
      WHERE EXISTS (SELECT 1 FROM procure.liabilities li WHERE li.supplier_id = x.supplier_id AND li.order_id = x.order_id);
    RETURN NULL;
END
$$;

-- A revoked order's replacement counts in its liability (reuse): linking one recomputes it.
CREATE FUNCTION procure.orders_after_link() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, procure, pg_temp
AS $$
BEGIN
    IF NEW.replaced_by IS DISTINCT FROM OLD.replaced_by THEN
        PERFORM procure.liability_refresh(NEW.supplier_id, NEW.id);
    END IF;
    RETURN NULL;
END
$$;

-- The state of a liability as of now: the stored state moved on by every deadline that has
-- passed since it was written (resolve_deadlines writes those moves at the next command).
-- Every reader shows this, so a deadline passes without anything having to run.
-- PL/pgSQL, as liability_deadlines_now: called with a row, these were not inlined, and an SQL
-- function that is not is parsed and planned again at every statement that calls it.
CREATE FUNCTION procure.liability_status_now(li procure.liabilities) RETURNS text
LANGUAGE plpgsql STABLE
AS $$
BEGIN
    RETURN CASE
        WHEN li.status = 'open' AND clock_timestamp() >= li.claim_deadline THEN
            CASE WHEN clock_timestamp() < li.claim_deadline + make_interval(days => li.review_days) THEN 'claimed'
                 WHEN li.total = 0 THEN 'settled'
                 ELSE 'agreed' END
        WHEN li.status = 'claimed' AND clock_timestamp() >= li.review_deadline THEN
            CASE WHEN li.total = 0 THEN 'settled' ELSE 'agreed' END
        ELSE li.status END;
END
$$;

-- The deadlines of a liability as of now: the claim window's while open, the review window's
-- while claimed; NULL once passed or not yet open.
CREATE FUNCTION procure.liability_deadlines_now(li procure.liabilities,
                                                OUT claim_deadline timestamptz, OUT review_deadline timestamptz)
LANGUAGE plpgsql STABLE
AS $$
DECLARE
    v_status text := procure.liability_status_now(li);
BEGIN
    claim_deadline := CASE WHEN v_status = 'open' THEN li.claim_deadline END;
    review_deadline := CASE WHEN v_status = 'claimed'
                            THEN coalesce(li.review_deadline, li.claim_deadline + make_interval(days => li.review_days)) END;
END
$$;

-- Writes every deadline that has passed: an open liability whose claim window closed becomes
-- claimed (the claim is what is on record), a claimed one whose review window closed becomes
-- agreed (and a 0.00 one settled). Each move is stamped with the deadline's own time and noted
-- in the case with the deadline as its reason. Every procure command runs this first, whoever
-- runs it, and writes the deadlines that passed before it started; rows another session is
-- moving are skipped, not waited for.
CREATE FUNCTION procure.resolve_deadlines() RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, procure, pg_temp
AS $$
DECLARE
    li procure.liabilities;
    v_moved integer := 0;
    v_claim boolean;
BEGIN
    -- the command's own start (statement_timestamp(), stable): a deadline is written by the
    -- first command that starts after it. Not clock_timestamp(): a volatile call is no index
    -- condition, and a variable would be planned anew at every call; this runs in every command.
    FOR li IN SELECT * FROM procure.liabilities
               WHERE (status = 'open' AND claim_deadline <= statement_timestamp())
                  OR (status = 'claimed' AND review_deadline <= statement_timestamp())
               FOR UPDATE SKIP LOCKED LOOP
        -- a claim window that closed long ago may have taken its review window with it: the
        -- inner loop makes both moves
        WHILE li.status = 'open' OR (li.status = 'claimed' AND li.review_deadline <= statement_timestamp()) LOOP
            v_claim := li.status = 'open';
            UPDATE procure.liabilities SET status = CASE WHEN v_claim THEN 'claimed' ELSE 'agreed' END
             WHERE supplier_id = li.supplier_id AND correction_id = li.correction_id
            RETURNING * INTO li;
            INSERT INTO procure.case_notes (supplier_id, correction_id, kind, body, created_by, created_at)
            VALUES (li.supplier_id, li.correction_id, 'deadline',
                    CASE WHEN v_claim
                         THEN format('the claim window closed at %s with no claim submitted: the claim is what is on record', li.claim_deadline)
                         ELSE format('the review window closed at %s with no answer from finance: the claim counts as agreed', li.review_deadline) END,
                    'deadline', CASE WHEN v_claim THEN li.claim_deadline ELSE li.review_deadline END);
            v_moved := v_moved + 1;
        END LOOP;
    END LOOP;
    RETURN v_moved;
END
$$;

CREATE FUNCTION procure.liability_json(o procure.orders) RETURNS jsonb
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, procure, pg_temp
AS $$
BEGIN
    RETURN (
    SELECT coalesce(li.result, '{}'::jsonb) || jsonb_build_object(
            'status', procure.liability_status_now(li),
            'claim_deadline', (procure.liability_deadlines_now(li)).claim_deadline,
            'review_deadline', (procure.liability_deadlines_now(li)).review_deadline,
            'claimed_at', coalesce(li.claimed_at, CASE WHEN procure.liability_status_now(li) <> 'open'
                                                       THEN li.claim_deadline END),
            'claimed_by', li.claimed_by,
            'total', procure.fmt_amount(li.total),
            'order', o.number,
            'supplier', s.code,
            'buyer', o.buyer,
            'revoked_at', o.revoked_at,
            'replacement', o.replaced_by,
            'correction', jsonb_build_object('reason', c.reason, 'note', c.note, 'by', c.created_by, 'at', c.created_at,
                                             'state', c.order_state, 'settlement', procure.fmt_amount(c.settlement)),
            'agreed_by', li.agreed_by, 'agreed_at', li.agreed_at,
            'settled_by', li.settled_by, 'settled_at', li.settled_at, 'settle_ref', li.settle_ref,
            'notes', coalesce((SELECT jsonb_agg(jsonb_build_object('id', n.id, 'kind', n.kind, 'text', n.body,
                                                                   'by', n.created_by, 'at', n.created_at) ORDER BY n.id)
                                 FROM procure.case_notes n
                                WHERE n.supplier_id = c.supplier_id AND n.correction_id = c.id), '[]'::jsonb))
          FROM procure.corrections c
          JOIN procure.suppliers s ON s.id = c.supplier_id
          JOIN procure.liabilities li ON li.supplier_id = c.supplier_id AND li.correction_id = c.id
         WHERE c.supplier_id = o.supplier_id AND c.order_id = o.id);
END
$$;

CREATE FUNCTION procure.liability_show(p_number text) RETURNS jsonb
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, procure, pg_temp
AS $$
DECLARE
    o procure.orders;
    v jsonb;
BEGIN
    o := procure.get_order(p_number, false);
    v := procure.liability_json(o);
    IF v IS NULL THEN
        PERFORM procure.fail('not_found', format('order %s has no liability', p_number));
    END IF;
    RETURN v;
END
$$;

CREATE FUNCTION procure.liability_list(p_supplier text, p_buyer text, p_status text) RETURNS jsonb
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, procure, pg_temp
AS $$
DECLARE
    v_supplier_id bigint;
BEGIN
    IF p_status IS NOT NULL AND p_status NOT IN ('open', 'claimed', 'agreed', 'settled') THEN
        PERFORM procure.fail('invalid_argument', format('status %s is not one of open, claimed, agreed, settled', p_status));
    END IF;
    IF p_supplier IS NOT NULL THEN
        SELECT id INTO v_supplier_id FROM procure.suppliers WHERE code = p_supplier;
        IF NOT FOUND THEN PERFORM procure.fail('not_found', format('supplier %s not found', p_supplier)); END IF;
    END IF;
    RETURN coalesce((
        SELECT jsonb_agg(jsonb_build_object(
                   'order', o.number, 'supplier', s.code, 'buyer', o.buyer, 'reason', c.reason,
                   'revoked_at', o.revoked_at, 'status', procure.liability_status_now(li), 'total', procure.fmt_amount(li.total),
                   'currency', s.currency, 'replacement', o.replaced_by) ORDER BY o.revoked_at, o.number)
          FROM procure.liabilities li
          JOIN procure.corrections c ON c.supplier_id = li.supplier_id AND c.id = li.correction_id
          JOIN procure.orders o ON o.supplier_id = c.supplier_id AND o.id = c.order_id
          JOIN procure.suppliers s ON s.id = li.supplier_id
         WHERE (v_supplier_id IS NULL OR li.supplier_id = v_supplier_id)
           AND (p_buyer IS NULL OR o.buyer = p_buyer)
           AND (p_status IS NULL OR procure.liability_status_now(li) = p_status)), '[]'::jsonb);
END
$$;

CREATE FUNCTION procure.liability_set_status(p_number text, p_status text, p_ref text) RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, procure, pg_temp
AS $$
DECLARE
    o procure.orders;
    c procure.corrections;
BEGIN
    PERFORM procure.resolve_deadlines();
    o := procure.get_order(p_number, false);
    c := procure.get_correction(o);
    IF EXISTS (SELECT 1 FROM procure.liabilities
                WHERE supplier_id = c.supplier_id AND correction_id = c.id AND status = p_status) THEN
        PERFORM procure.fail('invalid_state', format('the liability of %s is already %s', o.number, p_status));
    END IF;
    UPDATE procure.liabilities SET status = p_status, settle_ref = coalesce(p_ref, settle_ref)
     WHERE supplier_id = c.supplier_id AND correction_id = c.id;
    IF NOT FOUND THEN
        PERFORM procure.fail('not_found', format('order %s has no liability', p_number));
    END IF;
    RETURN procure.liability_json(o);
END
$$;

CREATE FUNCTION procure.liability_agree(p_number text) RETURNS jsonb
LANGUAGE sql
AS $$ SELECT procure.liability_set_status(p_number, 'agreed', NULL) $$;

CREATE FUNCTION procure.liability_settle(p_number text, p_ref text) RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, procure, pg_temp
AS $$
BEGIN
    IF p_ref IS NULL OR btrim(p_ref) = '' THEN
        PERFORM procure.fail('invalid_argument', format('order %s: --ref is required to settle', p_number));
    END IF;
    RETURN procure.liability_set_status(p_number, 'settled', p_ref);
END
$$;

-- Finance sends a claimed case back to the supplier: open again, with a new claim window of
-- the supplier's claim days from now. The note says why, in the case.
CREATE FUNCTION procure.liability_dispute(p_number text, p_note text) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, procure, pg_temp
AS $$
DECLARE
    o procure.orders;
    c procure.corrections;
BEGIN
    IF NOT procure.actor_is('procure_finance') THEN
        PERFORM procure.fail('permission_denied', format('%s may not dispute liabilities (finance only)', procure.actor()));
    END IF;
    IF p_note IS NULL OR btrim(p_note) = '' THEN
        PERFORM procure.fail('invalid_argument', format('order %s: a dispute needs a --note saying why', p_number));
    END IF;
    PERFORM procure.resolve_deadlines();
    o := procure.get_order(p_number, false);
    c := procure.get_correction(o);
    UPDATE procure.liabilities SET status = 'open' WHERE supplier_id = c.supplier_id AND correction_id = c.id;
    INSERT INTO procure.case_notes (supplier_id, correction_id, kind, body) VALUES (c.supplier_id, c.id, 'dispute', p_note);
    PERFORM procure.resolve_deadlines();         -- a claim window of 0 days closes at once
    RETURN procure.liability_json(o);
END
$$;

-- The supplier declares its claim final: what is on record is what it claims.
CREATE FUNCTION procure.claim_submit(p_number text, p_note text) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, procure, pg_temp
AS $$
DECLARE
    o procure.orders;
    c procure.corrections;
BEGIN
    PERFORM procure.resolve_deadlines();
    SELECT * INTO o FROM procure.orders WHERE number = p_number;
    IF NOT FOUND OR (o.supplier_id IS DISTINCT FROM procure.actor_supplier_id() AND NOT procure.actor_is_super()) THEN
        IF procure.actor_supplier_id() IS NULL AND NOT procure.actor_is_super() THEN
            PERFORM procure.fail('permission_denied',
                format('a claim is submitted by a user of the order''s supplier; %s may not', procure.actor()));
        END IF;
        PERFORM procure.fail('not_found', format('order %s not found', p_number));
    END IF;
    c := procure.get_correction(o);
    IF EXISTS (SELECT 1 FROM procure.liabilities WHERE supplier_id = c.supplier_id AND correction_id = c.id
                                                   AND status <> 'open') THEN
        PERFORM procure.fail('invalid_state', format('the claim of %s is already final: its liability is %s', o.number,
            (SELECT status FROM procure.liabilities WHERE supplier_id = c.supplier_id AND correction_id = c.id)));
    END IF;
    UPDATE procure.liabilities SET status = 'claimed' WHERE supplier_id = c.supplier_id AND correction_id = c.id;
    INSERT INTO procure.case_notes (supplier_id, correction_id, kind, body)
    VALUES (c.supplier_id, c.id, 'claim', coalesce(nullif(btrim(p_note), ''), 'claim submitted'));
    PERFORM procure.resolve_deadlines();         -- a review window of 0 days closes at once
    RETURN procure.liability_json(o);
END
$$;

CREATE FUNCTION procure.liability_compute(p jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, procure, pg_temp
AS $$
DECLARE
    v_regime text := coalesce(p ->> 'regime', 'cost');
    v_ack boolean := coalesce((p ->> 'acknowledged')::boolean, false);
    x jsonb;
    rep jsonb;
    n integer := 0;
    i integer;
    -- per line, in ascending line number
    l_no integer[] := '{}'; l_sku text[] := '{}'; l_stage text[] := '{}';
    l_p numeric[] := '{}'; l_q numeric[] := '{}'; l_d numeric[] := '{}';
    l_f numeric[] := '{}'; l_w numeric[] := '{}'; l_wc numeric[] := '{}'; l_m numeric[] := '{}';
    l_v numeric[] := '{}'; l_e numeric[] := '{}'; l_u numeric[] := '{}';
    l_rf numeric[] := '{}'; l_rw numeric[] := '{}'; l_ru numeric[] := '{}'; l_t numeric[] := '{}';
    v_started boolean := false;
    v_stage text;
    v_sku text;
    v_left numeric;
    v_take numeric;
    -- amounts
    a numeric := 0; c numeric := 0; pr numeric := 0; k numeric := 0; sv numeric := 0;
    s numeric := 0; cr numeric := 0; b numeric := 0; total numeric := 0; sch numeric := 0;
    v_capped boolean := false;
    v_lines jsonb := '[]';
BEGIN
    FOR x IN SELECT value FROM jsonb_array_elements(coalesce(p -> 'lines', '[]'))
              ORDER BY (value ->> 'line')::integer LOOP
        n := n + 1;
        rep := nullif(x -> 'report', 'null'::jsonb);
        l_no[n] := (x ->> 'line')::integer;
        l_sku[n] := x ->> 'sku';
        l_p[n] := procure.jnum0(x -> 'price');
        l_q[n] := procure.jnum0(x -> 'ordered');
        l_d[n] := procure.jnum0(x -> 'delivered');
        l_f[n] := procure.jnum0(rep -> 'finished');
        l_w[n] := procure.jnum0(rep -> 'in_progress');
        l_wc[n] := procure.jnum0(rep -> 'wip_cost');
        l_m[n] := procure.jnum0(rep -> 'materials');
        l_v[n] := procure.jnum0(rep -> 'salvage');
        l_e[n] := procure.jnum0(rep -> 'cost_to_complete');
        l_u[n] := greatest(0, l_q[n] - l_d[n] - l_f[n] - l_w[n]);           -- u
        l_rf[n] := 0; l_rw[n] := 0; l_ru[n] := 0;
        -- the line's stage (schedule regime)
        v_stage := rep ->> 'stage';
        IF v_stage IS NULL THEN
            v_stage := CASE
                WHEN rep IS NOT NULL AND (l_f[n] > 0 OR l_w[n] > 0 OR l_wc[n] > 0) THEN 'production'
                WHEN rep IS NOT NULL AND l_m[n] > 0 THEN 'materials'
                WHEN v_ack THEN 'acknowledged'
                ELSE 'issued' END;
        END IF;
        l_stage[n] := v_stage;
        IF (rep ->> 'stage') IN ('materials', 'production', 'finished')
           OR l_f[n] > 0 OR l_w[n] > 0 OR l_wc[n] > 0 OR l_m[n] > 0 THEN
            v_started := true;
        END IF;
    END LOOP;

    -- Reuse by the replacement: per item, finished, then in-progress, then
    -- not-started units, within a tier the lines in ascending line number.
    FOR v_sku, v_left IN
        SELECT r ->> 'sku', sum(greatest(0, procure.jnum0(r -> 'quantity')))
          FROM jsonb_array_elements(coalesce(p -> 'replacement', '[]')) r
         GROUP BY r ->> 'sku' LOOP
        FOR i IN 1 .. n LOOP
            IF l_sku[i] = v_sku THEN
                v_take := least(greatest(0, l_f[i]), v_left); l_rf[i] := v_take; v_left := v_left - v_take;
            END IF;
        END LOOP;
        FOR i IN 1 .. n LOOP
            IF l_sku[i] = v_sku THEN
                v_take := least(greatest(0, l_w[i]), v_left); l_rw[i] := v_take; v_left := v_left - v_take;
            END IF;
        END LOOP;
        FOR i IN 1 .. n LOOP
            IF l_sku[i] = v_sku THEN
                v_take := least(greatest(0, l_u[i]), v_left); l_ru[i] := v_take; v_left := v_left - v_take;
            END IF;
        END LOOP;
    END LOOP;

    FOR i IN 1 .. n LOOP
        l_t[i] := greatest(0, l_q[i] - l_d[i] - l_rf[i] - l_rw[i] - l_ru[i]);      -- t
        k := k + l_t[i] * l_p[i];
        cr := cr + l_v[i];
        a := a + (l_f[i] - l_rf[i]) * l_p[i];
        c := c + CASE WHEN l_w[i] = 0 THEN l_wc[i] ELSE l_wc[i] * (l_w[i] - l_rw[i]) / l_w[i] END
               + CASE WHEN l_u[i] = 0 THEN l_m[i] ELSE l_m[i] * (l_u[i] - l_ru[i]) / l_u[i] END;
        IF l_w[i] + l_u[i] <> 0 THEN
            sv := sv + l_e[i] * ((l_w[i] - l_rw[i]) + (l_u[i] - l_ru[i])) / (l_w[i] + l_u[i]);
        END IF;
        sch := sch + coalesce(procure.jnum0(p -> 'schedule' -> l_stage[i]), 0) * l_t[i] * l_p[i] / 100;
        v_lines := v_lines || jsonb_build_object(
            'line', l_no[i], 'sku', l_sku[i], 'stage', l_stage[i],
            'reused_finished', trim_scale(l_rf[i])::text, 'reused_in_progress', trim_scale(l_rw[i])::text,
            'reused_not_started', trim_scale(l_ru[i])::text, 'terminated', trim_scale(l_t[i])::text);
    END LOOP;
    k := round(k, 2);                                                          -- K
    b := round(procure.jnum0(p -> 'payments'), 2);                              -- B

    IF NOT v_started THEN                  -- not in production: total = −B
        a := 0; c := 0; pr := 0; sv := 0; s := 0; cr := 0; sch := 0;
        total := -b;
    ELSIF v_regime = 'cost' THEN
        a := round(a, 2); c := round(c, 2);
        pr := round(c * procure.jnum0(p -> 'profit_rate') / 100, 2);
        s := round(procure.jnum0(p -> 'settlement'), 2);
        cr := round(cr, 2);
        v_capped := a + c + pr > k;
        total := least(a + c + pr, k) + s - cr - b;
        sv := 0; sch := 0;
    ELSIF v_regime = 'schedule' THEN
        sch := round(sch, 2);
        total := sch - b;
        a := 0; c := 0; pr := 0; sv := 0; s := 0; cr := 0;
    ELSIF v_regime = 'expectation' THEN
        sv := round(sv, 2);
        s := round(procure.jnum0(p -> 'settlement'), 2);
        cr := round(cr, 2);
        total := greatest(0, k - sv - cr) + s - b;
        a := 0; c := 0; pr := 0; sch := 0;
    ELSE
        PERFORM procure.fail('invalid_argument', format('liability regime %s is not one of cost, schedule, expectation', v_regime));
    END IF;

    RETURN jsonb_build_object(
        'regime', v_regime, 'currency', p ->> 'currency',
        'finished', procure.fmt_amount(a), 'costs', procure.fmt_amount(c), 'profit', procure.fmt_amount(pr),
        'cap', procure.fmt_amount(k), 'capped', v_capped, 'saved', procure.fmt_amount(sv),
        'settlement', procure.fmt_amount(s), 'credits', procure.fmt_amount(cr), 'payments', procure.fmt_amount(b),
        'total', procure.fmt_amount(total), 'scheduled', procure.fmt_amount(sch),
        'in_production', v_started, 'lines', v_lines);
END
$$;

-- The figures of a liability are the database's alone: on insert and on every
-- update while it is open or claimed, the inputs are read from the order's
-- recorded facts (liability_inputs_for) and the result computed from them
-- (liability_compute). A writer that supplies figures of its own is refused;
-- setting them to NULL asks for a recomputation. Finance agrees only figures
-- that equal a recomputation (stored figures that differ were changed behind
-- the database's back); a review window that closes agrees the recomputation.
-- An agreed or settled liability never changes (liabilities_before, which
-- fires first).
CREATE FUNCTION procure.liabilities_figures() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, procure, pg_temp
AS $$
DECLARE
    o procure.orders;
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.status IN ('agreed', 'settled') THEN
        RETURN NEW;
    END IF;
    SELECT * INTO o FROM procure.orders WHERE supplier_id = NEW.supplier_id AND id = NEW.order_id;
    IF (TG_OP = 'INSERT' AND (NEW.inputs IS NOT NULL OR NEW.result IS NOT NULL))
       OR (TG_OP = 'UPDATE' AND ((NEW.inputs IS NOT NULL AND NEW.inputs IS DISTINCT FROM OLD.inputs)
                                 OR (NEW.result IS NOT NULL AND NEW.result IS DISTINCT FROM OLD.result))) THEN
        RAISE EXCEPTION USING ERRCODE = '22023', CONSTRAINT = 'invalid_argument',
            MESSAGE = format('the liability of %s is computed by the database from the order''s recorded facts; '
                             'its inputs and result cannot be written (set them to NULL to recompute)', o.number);
    END IF;
    NEW.inputs := procure.liability_inputs_for(o);
    NEW.result := procure.liability_compute(NEW.inputs);
    NEW.total := (NEW.result ->> 'total')::numeric;
    IF TG_OP = 'UPDATE' AND NEW.status IN ('agreed', 'settled') AND NEW.agreed_by IS NOT NULL
       AND (NEW.result IS DISTINCT FROM OLD.result OR NEW.total IS DISTINCT FROM OLD.total) THEN
        PERFORM procure.fail('invalid_state', format(
            'the liability of %s stored as %s is not what its recorded facts give (%s): it was recomputed; show it again before agreeing',
            o.number, coalesce(procure.fmt_amount(OLD.total), 'nothing'), procure.fmt_amount(NEW.total)));
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER liabilities_before BEFORE INSERT OR DELETE OR UPDATE ON procure.liabilities FOR EACH ROW EXECUTE FUNCTION procure.liabilities_before();
CREATE TRIGGER liabilities_figures BEFORE INSERT OR UPDATE ON procure.liabilities FOR EACH ROW EXECUTE FUNCTION procure.liabilities_figures();
CREATE TRIGGER order_lines_liability AFTER UPDATE ON procure.order_lines REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION procure.liability_inputs_changed();
CREATE TRIGGER payments_liability AFTER INSERT ON procure.payments REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION procure.liability_inputs_changed();
CREATE TRIGGER orders_after_link AFTER UPDATE OF replaced_by ON procure.orders FOR EACH ROW EXECUTE FUNCTION procure.orders_after_link();

-- The register of correction cases, as of now: every revoked order with its liability, the
-- next deadline and the days left to it (rounded up), the total and the last note. A view for
-- psql and BI tools (security invoker: each reader sees the cases RLS lets them see) and
-- case_list for the CLI.
CREATE VIEW procure.cases WITH (security_invoker = true) AS
SELECT o.number AS "order", s.code AS supplier, s.name AS supplier_name, o.buyer,
       procure.liability_status_now(li) AS state,
       coalesce(d.claim_deadline, d.review_deadline) AS next_deadline,
       CASE WHEN coalesce(d.claim_deadline, d.review_deadline) IS NOT NULL
            THEN greatest(0, ceil(extract(epoch FROM coalesce(d.claim_deadline, d.review_deadline) - clock_timestamp())
                                  / 86400))::integer END AS days_left,
       li.total, s.currency, o.revoked_at, o.replaced_by AS replacement, c.reason,
       (SELECT n.body FROM procure.case_notes n
         WHERE n.supplier_id = c.supplier_id AND n.correction_id = c.id ORDER BY n.id DESC LIMIT 1) AS last_note
  FROM procure.liabilities li
  JOIN procure.corrections c ON c.supplier_id = li.supplier_id AND c.id = li.correction_id
  JOIN procure.orders o ON o.supplier_id = c.supplier_id AND o.id = c.order_id
  JOIN procure.suppliers s ON s.id = li.supplier_id
  CROSS JOIN LATERAL procure.liability_deadlines_now(li) d;

COMMENT ON VIEW procure.cases IS 'correction cases as of now: state, next deadline, days left, liability total, last note';

CREATE FUNCTION procure.case_list(p_state text, p_supplier text, p_buyer text, p_all boolean) RETURNS jsonb
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, procure, pg_temp
AS $$
BEGIN
    IF p_state IS NOT NULL AND p_state NOT IN ('open', 'claimed', 'agreed', 'settled') THEN
        PERFORM procure.fail('invalid_argument', format('state %s is not one of open, claimed, agreed, settled', p_state));
    END IF;
    IF p_supplier IS NOT NULL AND NOT EXISTS (SELECT 1 FROM procure.suppliers WHERE code = p_supplier) THEN
        PERFORM procure.fail('not_found', format('supplier %s not found', p_supplier));
    END IF;
    RETURN coalesce((
        SELECT jsonb_agg(jsonb_build_object(
                   'order', k."order", 'supplier', k.supplier, 'buyer', k.buyer, 'state', k.state,
                   'next_deadline', k.next_deadline, 'days_left', k.days_left,
                   'total', procure.fmt_amount(k.total), 'currency', k.currency,
                   'revoked_at', k.revoked_at, 'last_note', k.last_note)
                   ORDER BY k.next_deadline NULLS LAST, k.revoked_at, k."order")
          FROM procure.cases k
         WHERE (p_state IS NULL OR k.state = p_state)
           AND (p_state IS NOT NULL OR coalesce(p_all, false) OR k.state <> 'settled')
           AND (p_supplier IS NULL OR k.supplier = p_supplier)
           AND (p_buyer IS NULL OR k.buyer = p_buyer)), '[]'::jsonb);
END
$$;
