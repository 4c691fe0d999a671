-- Corrections: production reports, the revocation with its replacement order,
-- and case notes.

-- Who reports production, when, as of when. Before the revocation: the order's buyer or a
-- user of its supplier, as of a time between the order's issue and now. After it: only a user
-- of that supplier (or an admin on its behalf, with a note), only while the liability is open
-- and its claim window has not closed, as of the revocation at the latest. The report is
-- stamped by the clock at the moment of the report, never the start of the transaction.
CREATE FUNCTION procure.production_reports_before_insert() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, procure, pg_temp
AS $$
DECLARE
    o procure.orders;
    l procure.order_lines;
    li procure.liabilities;
    v_now timestamptz := clock_timestamp();
    v_supplier bigint := procure.actor_supplier_id();
BEGIN
    SELECT * INTO o FROM procure.orders WHERE supplier_id = NEW.supplier_id AND id = NEW.order_id FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM procure.fail('not_found', format('order %s of supplier %s not found', NEW.order_id, NEW.supplier_id));
    END IF;
    SELECT * INTO l FROM procure.order_lines
     WHERE supplier_id = NEW.supplier_id AND order_id = NEW.order_id AND line_no = NEW.line_no;
    IF NOT FOUND THEN
        PERFORM procure.fail('not_found', format('order %s has no line %s', o.number, NEW.line_no));
    END IF;
    IF NEW.reported_as = 'carried_over' THEN
        -- the work a replacement reuses, written by correct as the replacement is created
        IF o.replaces IS NULL OR o.created_at <> now() THEN
            PERFORM procure.fail('invalid_argument', format(
                'order %s: carried-over work is written by the correction that creates a replacement', o.number));
        END IF;
    ELSIF o.status = 'revoked' THEN
        IF v_supplier IS NOT DISTINCT FROM o.supplier_id THEN
            NEW.reported_as := 'supplier';
        ELSIF procure.actor_is('procure_admin') OR procure.actor_is_super() THEN
            IF NEW.note IS NULL OR btrim(NEW.note) = '' THEN
                PERFORM procure.fail('invalid_argument', format(
                    'order %s is revoked: an admin reports on the supplier''s behalf with a --note saying so', o.number));
            END IF;
            NEW.reported_as := 'admin';
        ELSE
            PERFORM procure.fail('permission_denied', format(
                'order %s is revoked: only its supplier reports production now (or an admin on its behalf); %s may not',
                o.number, procure.actor()));
        END IF;
        SELECT li2.* INTO li FROM procure.liabilities li2 WHERE li2.supplier_id = o.supplier_id AND li2.order_id = o.id;
        IF procure.liability_status_now(li) <> 'open' THEN
            PERFORM procure.fail('claim_window_closed', format(
                'order %s was revoked at %s; the supplier''s claim window closed at %s (the liability is %s)',
                o.number, o.revoked_at, coalesce(li.claimed_at, li.claim_deadline), procure.liability_status_now(li)));
        END IF;
        NEW.as_of := coalesce(NEW.as_of, o.revoked_at);
        IF NEW.as_of > o.revoked_at THEN
            PERFORM procure.fail('invalid_argument', format(
                'order %s: the production state is reported as of the revocation (%s) or earlier, not %s',
                o.number, o.revoked_at, NEW.as_of));
        END IF;
    ELSIF o.status NOT IN ('issued', 'acknowledged', 'in_production') THEN
        PERFORM procure.fail('invalid_state', format(
            'order %s is %s; production is reported on issued, acknowledged, in-production or (within the claim window) revoked orders',
            o.number, o.status));
    ELSE
        IF v_supplier IS NOT DISTINCT FROM o.supplier_id THEN
            NEW.reported_as := 'supplier';
        ELSIF o.buyer = procure.actor() OR procure.actor_is_super() THEN
            NEW.reported_as := 'buyer';
        ELSE
            PERFORM procure.fail('permission_denied', format(
                'production of order %s is reported by its buyer or its supplier; %s may not', o.number, procure.actor()));
        END IF;
        NEW.as_of := coalesce(NEW.as_of, v_now);
        IF NEW.as_of > v_now THEN
            PERFORM procure.fail('invalid_argument', format(
                'order %s: the production state cannot be reported as of %s, which is still to come', o.number, NEW.as_of));
        END IF;
    END IF;
    IF NEW.as_of < o.issued_at THEN
        PERFORM procure.fail('invalid_argument', format(
            'order %s: the production state cannot be as of %s, before the order was issued (%s)',
            o.number, NEW.as_of, o.issued_at));
    END IF;
    NEW.finished := coalesce(NEW.finished, 0);
    NEW.in_progress := coalesce(NEW.in_progress, 0);
    NEW.wip_cost := coalesce(NEW.wip_cost, 0);
    NEW.materials := coalesce(NEW.materials, 0);
    NEW.salvage := coalesce(NEW.salvage, 0);
    NEW.cost_to_complete := coalesce(NEW.cost_to_complete, 0);
    IF NEW.finished + NEW.in_progress > l.qty - l.delivered THEN
        PERFORM procure.fail('production_reports_quantities', format(
            'order %s line %s: finished %s + in progress %s exceed the undelivered quantity %s (ordered %s, delivered %s)',
            o.number, l.line_no, procure.fmt_qty(NEW.finished), procure.fmt_qty(NEW.in_progress),
            procure.fmt_qty(l.qty - l.delivered), procure.fmt_qty(l.qty), procure.fmt_qty(l.delivered)));
    END IF;
    NEW.reported_at := v_now;
    NEW.reported_by := procure.actor();
    RETURN NEW;
END
$$;

-- The first production report moves an issued/acknowledged order to in_production.
CREATE FUNCTION procure.production_reports_after_insert() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, procure, pg_temp
AS $$
BEGIN
    UPDATE procure.orders SET status = 'in_production'
     WHERE supplier_id = NEW.supplier_id AND id = NEW.order_id AND status IN ('issued', 'acknowledged');
    -- a report on a revoked order changes its liability, whoever wrote it
    PERFORM procure.liability_refresh(NEW.supplier_id, NEW.order_id);
    RETURN NULL;
END
$$;

-- ---------------------------------------------------------------------------
-- corrections: one per order, revoke the order
-- ---------------------------------------------------------------------------
CREATE FUNCTION procure.corrections_before_insert() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, procure, pg_temp
AS $$
DECLARE
    o procure.orders;
BEGIN
    SELECT * INTO o FROM procure.orders WHERE supplier_id = NEW.supplier_id AND id = NEW.order_id FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM procure.fail('not_found', format('order %s of supplier %s not found', NEW.order_id, NEW.supplier_id));
    END IF;
    IF o.status = 'revoked' OR EXISTS (SELECT 1 FROM procure.corrections
                                        WHERE supplier_id = NEW.supplier_id AND order_id = NEW.order_id) THEN
        PERFORM procure.fail('already_revoked', format('order %s is already revoked (at %s)', o.number, o.revoked_at));
    END IF;
    IF o.status NOT IN ('issued', 'acknowledged', 'in_production') THEN
        PERFORM procure.fail('invalid_state', format(
            'order %s is %s; only issued, acknowledged or in-production orders are revoked%s',
            o.number, o.status, CASE WHEN o.status = 'draft' THEN ' (edit or delete a draft instead)' ELSE '' END));
    END IF;
    IF NEW.reason IS NULL OR NEW.reason NOT IN
       ('wrong-quantity', 'wrong-item', 'wrong-price', 'wrong-supplier', 'wrong-date', 'duplicate', 'other') THEN
        PERFORM procure.fail('invalid_argument', format(
            'order %s: the reason (--reason) %s is not one of wrong-quantity, wrong-item, wrong-price, wrong-supplier, wrong-date, duplicate, other',
            o.number, coalesce(NEW.reason, '(missing)')));
    END IF;
    IF NEW.note IS NULL OR btrim(NEW.note) = '' THEN
        PERFORM procure.fail('invalid_argument', format('order %s: a revocation note (--note) is required and must not be empty', o.number));
    END IF;
    NEW.settlement := coalesce(NEW.settlement, 0);
    NEW.order_state := o.status;
    NEW.acknowledged := o.acknowledged_at IS NOT NULL OR o.status = 'in_production';
    -- the supplier's terms in force at the revocation apply to its case: a later supplier set
    -- changes later cases only
    SELECT s.regime, s.currency, s.profit_rate, s.schedule
      INTO NEW.regime, NEW.currency, NEW.profit_rate, NEW.schedule
      FROM procure.suppliers s WHERE s.id = o.supplier_id;
    NEW.created_by := procure.actor();
    NEW.created_at := now();
    RETURN NEW;
END
$$;

-- Every revocation has its liability: checked at commit, so that a correction written in psql
-- without one (or whose liability insert failed) is refused with the whole transaction.
CREATE FUNCTION procure.corrections_have_liability() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, procure, pg_temp
AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM procure.liabilities li
                    WHERE li.supplier_id = NEW.supplier_id AND li.correction_id = NEW.id) THEN
        PERFORM procure.fail('invalid_state', format(
            'order %s: a revocation is stored together with its liability (procure correct writes both); this one has none',
            (SELECT o.number FROM procure.orders o WHERE o.supplier_id = NEW.supplier_id AND o.id = NEW.order_id)));
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION procure.corrections_after_insert() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, procure, pg_temp
AS $$
BEGIN
    UPDATE procure.orders SET status = 'revoked' WHERE supplier_id = NEW.supplier_id AND id = NEW.order_id;
    RETURN NULL;
END
$$;

-- ---------------------------------------------------------------------------
-- case notes: append-only, attached to a correction
-- ---------------------------------------------------------------------------
CREATE FUNCTION procure.case_notes_before_insert() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, procure, pg_temp
AS $$
DECLARE
    c procure.corrections;
BEGIN
    SELECT * INTO c FROM procure.corrections WHERE supplier_id = NEW.supplier_id AND id = NEW.correction_id;
    IF NOT FOUND THEN
        PERFORM procure.fail('not_found', format('correction %s not found', NEW.correction_id));
    END IF;
    IF NEW.body IS NULL OR btrim(NEW.body) = '' THEN
        PERFORM procure.fail('invalid_argument', 'a note needs a text');
    END IF;
    NEW.order_id := c.order_id;
    NEW.kind := coalesce(NEW.kind, 'note');
    IF NEW.kind <> 'deadline' THEN            -- a deadline's note is stamped with the deadline
        NEW.created_by := procure.actor();
        NEW.created_at := clock_timestamp();
    END IF;
    RETURN NEW;
END
$$;

-- production: a supplier's production report for an order line.
CREATE FUNCTION procure.production(p_number text, p_line integer, p_stage text, p_finished numeric,
                                   p_in_progress numeric, p_wip_cost numeric, p_materials numeric,
                                   p_salvage numeric, p_cost_to_complete numeric, p_as_of timestamptz,
                                   p_note text DEFAULT NULL) RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, procure, pg_temp
AS $$
DECLARE
    o procure.orders;
    r procure.production_reports;
    v_what text := format('order %s line %s', p_number, p_line);
    v_counts boolean;
    v_liability text;
    v_recompute boolean;
BEGIN
    o := procure.get_order(p_number, false);   -- the report's trigger locks the order
    IF p_line IS NULL THEN
        PERFORM procure.fail('invalid_argument', format('order %s: a line number is required', p_number));
    END IF;
    IF p_stage IS NOT NULL AND p_stage NOT IN ('materials', 'production', 'finished') THEN
        PERFORM procure.fail('invalid_argument',
            format('%s: stage %s is not one of materials, production, finished', v_what, p_stage));
    END IF;
    INSERT INTO procure.production_reports AS t
        (supplier_id, order_id, line_no, stage, finished, in_progress, wip_cost, materials, salvage,
         cost_to_complete, as_of, note)
    VALUES (o.supplier_id, o.id, p_line, p_stage,
            coalesce(procure.arg_num('qty', p_finished, v_what || ' finished'), 0),
            coalesce(procure.arg_num('qty', p_in_progress, v_what || ' in progress'), 0),
            coalesce(procure.arg_num('amount', p_wip_cost, v_what || ' wip cost'), 0),
            coalesce(procure.arg_num('amount', p_materials, v_what || ' materials'), 0),
            coalesce(procure.arg_num('amount', p_salvage, v_what || ' salvage'), 0),
            coalesce(procure.arg_num('amount', p_cost_to_complete, v_what || ' cost to complete'), 0),
            p_as_of, p_note)
    RETURNING t.* INTO r;
    SELECT * INTO o FROM procure.orders WHERE supplier_id = o.supplier_id AND id = o.id;
    v_counts := o.status <> 'revoked' OR r.as_of <= o.revoked_at;
    SELECT li.status INTO v_liability FROM procure.liabilities li
     WHERE li.supplier_id = o.supplier_id AND li.order_id = o.id;
    v_recompute := o.status = 'revoked' AND v_counts AND coalesce(v_liability, 'open') = 'open';
    RETURN jsonb_build_object(
        'order', o.number, 'line', r.line_no, 'id', r.id, 'stage', r.stage,
        'finished', procure.fmt_qty(r.finished), 'in_progress', procure.fmt_qty(r.in_progress),
        'wip_cost', procure.fmt_amount(r.wip_cost), 'materials', procure.fmt_amount(r.materials),
        'salvage', procure.fmt_amount(r.salvage), 'cost_to_complete', procure.fmt_amount(r.cost_to_complete),
        'as_of', r.as_of, 'reported_at', r.reported_at, 'reported_by', r.reported_by,
        'reported_as', r.reported_as, 'note', r.note,
        'status', o.status, 'revoked_at', o.revoked_at,
        'counts', v_counts,
        'liability', CASE WHEN v_recompute THEN procure.liability_json(o) ELSE to_jsonb(v_liability) END,
        'recompute', v_recompute);
END
$$;

-- Reuse keeps the work: the finished and in-progress units (with their cost) and the
-- not-started units with materials bought for them that the replacement reuses, as the
-- liability counted them, become the replacement lines' own production state, so revoking the
-- replacement later counts that work again. Per item, the replacement's lines take finished
-- units first, then in-progress ones, in line order; costs go with their units.
CREATE FUNCTION procure.carry_over_work(o procure.orders, r procure.orders) RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, procure, pg_temp
AS $$
DECLARE
    li procure.liabilities;
    x record;
    rl record;
    v_f numeric; v_w numeric; v_wc numeric; v_m numeric;
    t_f numeric; t_w numeric; t_wc numeric; t_m numeric;
BEGIN
    SELECT * INTO li FROM procure.liabilities WHERE supplier_id = o.supplier_id AND order_id = o.id;
    FOR x IN
        SELECT res.e ->> 'sku' AS sku,
               sum(procure.jnum0(res.e -> 'reused_finished')) AS f,
               sum(procure.jnum0(res.e -> 'reused_in_progress')) AS w,
               sum(CASE WHEN procure.jnum0(inp.e -> 'report' -> 'in_progress') > 0
                        THEN procure.jnum0(inp.e -> 'report' -> 'wip_cost') * procure.jnum0(res.e -> 'reused_in_progress')
                             / procure.jnum0(inp.e -> 'report' -> 'in_progress') ELSE 0 END) AS wc,
               sum(CASE WHEN u.u > 0 THEN procure.jnum0(inp.e -> 'report' -> 'materials')
                                          * procure.jnum0(res.e -> 'reused_not_started') / u.u ELSE 0 END) AS m
          FROM jsonb_array_elements(li.result -> 'lines') res(e)
          JOIN jsonb_array_elements(li.inputs -> 'lines') inp(e) ON inp.e ->> 'line' = res.e ->> 'line'
          CROSS JOIN LATERAL (SELECT procure.jnum0(inp.e -> 'ordered') - procure.jnum0(inp.e -> 'delivered')
                                     - procure.jnum0(inp.e -> 'report' -> 'finished')
                                     - procure.jnum0(inp.e -> 'report' -> 'in_progress') AS u) u
         GROUP BY res.e ->> 'sku'
    LOOP
        v_f := x.f; v_w := x.w; v_wc := round(x.wc, 2); v_m := round(x.m, 2);
        CONTINUE WHEN v_f = 0 AND v_w = 0 AND v_wc = 0 AND v_m = 0;
        FOR rl IN SELECT l.line_no, l.qty FROM procure.order_lines l JOIN procure.items i ON i.id = l.item_id
                   WHERE l.supplier_id = r.supplier_id AND l.order_id = r.id AND i.sku = x.sku
                   ORDER BY l.line_no LOOP
            t_f := least(v_f, rl.qty);
            t_w := least(v_w, rl.qty - t_f);
            t_wc := CASE WHEN v_w = 0 THEN v_wc WHEN t_w = v_w THEN v_wc ELSE round(v_wc * t_w / v_w, 2) END;
            t_m := CASE WHEN t_f + t_w < rl.qty THEN v_m ELSE 0 END;
            IF t_f > 0 OR t_w > 0 OR t_wc > 0 OR t_m > 0 THEN
                INSERT INTO procure.production_reports
                    (supplier_id, order_id, line_no, finished, in_progress, wip_cost, materials, as_of, reported_as, note)
                VALUES (r.supplier_id, r.id, rl.line_no, t_f, t_w, t_wc, t_m, o.revoked_at, 'carried_over',
                        format('work carried over from %s', o.number));
            END IF;
            v_f := v_f - t_f; v_w := v_w - t_w; v_wc := v_wc - t_wc; v_m := v_m - t_m;
            EXIT WHEN v_f = 0 AND v_w = 0 AND v_wc = 0 AND v_m = 0;
        END LOOP;
    END LOOP;
END
$$;

-- The acting buyer's own order, locked FOR UPDATE, for the SECURITY DEFINER functions of a
-- correction (correct, create_replacement): they run past row-level security, so they ask its
-- question themselves and give its answer — not_found, with get_order's message, for an order
-- that does not exist, another buyer's (superusers excepted) or a role that is no registered
-- user. Asked before the lock is taken, as row-level security would: another buyer's order is
-- never locked, so its being written at this moment neither delays the answer nor shows in it
-- (an order's buyer never changes). Granted to no one: called only from those functions.
CREATE FUNCTION procure.own_order_locked(p_number text) RETURNS procure.orders
LANGUAGE plpgsql
SET search_path = pg_catalog, procure, pg_temp
AS $$
DECLARE
    o procure.orders;
BEGIN
    o := procure.get_order(p_number, false);    -- as the owner: every order, none locked
    IF NOT procure.actor_registered()
       OR (o.buyer IS DISTINCT FROM procure.actor() AND NOT procure.actor_is_super()) THEN
        PERFORM procure.fail('not_found', format('order %s not found', p_number));
    END IF;
    SELECT * INTO o FROM procure.orders WHERE supplier_id = o.supplier_id AND id = o.id FOR UPDATE;
    IF NOT FOUND THEN                           -- a draft deleted by its buyer meanwhile
        PERFORM procure.fail('not_found', format('order %s not found', p_number));
    END IF;
    RETURN o;
END
$$;

-- The replacement of an order revoked in this same transaction by its buyer: created dated
-- today, its lines priced under the same rules, issued at once (under the buyer's limit, like
-- any issue) and linked both ways. correct calls this; no role holds the privilege to write
-- orders.replaces or orders.replaced_by itself, so nothing else links two orders, and a
-- replacement is never a draft, never backdated and (being issued) never deleted.
CREATE FUNCTION procure.create_replacement(p_number text, p_supplier_id bigint, p_replacement_number text,
                                           p_lines jsonb) RETURNS procure.orders
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, procure, pg_temp
AS $$
DECLARE
    o procure.orders;
    r procure.orders;
BEGIN
    o := procure.own_order_locked(p_number);
    IF NOT EXISTS (SELECT 1 FROM procure.corrections c
                    WHERE c.supplier_id = o.supplier_id AND c.order_id = o.id AND c.created_at = now()) THEN
        PERFORM procure.fail('invalid_state', format(
            'order %s: a replacement is created together with the revocation of the order it replaces (procure correct --replace)',
            o.number));
    END IF;
    INSERT INTO procure.orders AS t (supplier_id, number, buyer, order_date, replaces)
    VALUES (coalesce(p_supplier_id, o.supplier_id), p_replacement_number, o.buyer, current_date, o.number)
    RETURNING t.* INTO r;
    -- while it is being created, a refusal names it as the replacement, not by its number
    PERFORM set_config('procure.creating', r.number, true);
    PERFORM procure.insert_lines(r, p_lines);
    -- the replacement draft → issued, the revoked order → replaced_by: one audited statement
    UPDATE procure.orders t
       SET status = CASE WHEN t.id = r.id AND t.supplier_id = r.supplier_id THEN 'issued' ELSE t.status END,
           replaced_by = CASE WHEN t.id = r.id AND t.supplier_id = r.supplier_id THEN t.replaced_by ELSE r.number END
     WHERE (t.supplier_id = r.supplier_id AND t.id = r.id) OR (t.supplier_id = o.supplier_id AND t.id = o.id);
    PERFORM set_config('procure.creating', '', true);
    SELECT * INTO r FROM procure.orders WHERE supplier_id = r.supplier_id AND id = r.id;
    RETURN r;
END
$$;

-- correct: the whole correction in one call, under the order's row lock:
-- revokes the order with its note, creates the replacement (create_replacement), and
-- stores the liability, whose figures the liabilities_figures trigger computes.
-- Returns the liability as liability_show does, with the correction's id.
-- SECURITY DEFINER, the order checked by own_order_locked: as the invoker, every statement
-- of a correction that touches a table under row-level security was planned again whenever
-- the acting buyer changed, since a plan shaped by a role's policies is that role's
-- (docs/benchmarks.md, change 18). Every write still goes through the tables' triggers,
-- which hold the rules.
CREATE FUNCTION procure.correct(p_number text, p_reason text, p_note text, p_replace jsonb,
                                p_supplier text, p_settlement numeric, p_replacement_number text DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, procure, pg_temp
AS $$
DECLARE
    o procure.orders;
    r procure.orders;
    c procure.corrections;
    v_supplier_id bigint;
    v_replace boolean := p_replace IS NOT NULL AND jsonb_typeof(p_replace) = 'array' AND jsonb_array_length(p_replace) > 0;
BEGIN
    -- the order's state, the reason and the note are the revocation's own rules, checked where
    -- every revocation is written (corrections_before_insert), psql's included
    o := procure.own_order_locked(p_number);
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
        r := procure.create_replacement(o.number, v_supplier_id, p_replacement_number, p_replace);
    END IF;

    INSERT INTO procure.liabilities (supplier_id, correction_id) VALUES (c.supplier_id, c.id);
    SELECT * INTO o FROM procure.orders WHERE supplier_id = o.supplier_id AND id = o.id;
    IF v_replace AND r.supplier_id = o.supplier_id THEN
        PERFORM procure.carry_over_work(o, r);
    END IF;
    PERFORM procure.resolve_deadlines();         -- a claim window of 0 days closes at once

    RETURN procure.liability_json(o) || jsonb_build_object('correction_id', c.id);
END
$$;

-- The order's correction, or invalid_state when it has none.
CREATE FUNCTION procure.get_correction(o procure.orders) RETURNS procure.corrections
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, procure, pg_temp
AS $$
DECLARE
    c procure.corrections;
BEGIN
    SELECT * INTO c FROM procure.corrections WHERE supplier_id = o.supplier_id AND order_id = o.id;
    IF NOT FOUND THEN
        PERFORM procure.fail('invalid_state', format('order %s is %s; it has no correction (revocation note)', o.number, o.status));
    END IF;
    RETURN c;
END
$$;

-- note_add: a progress note on the correction case of an order.
CREATE FUNCTION procure.note_add(p_number text, p_text text) RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, procure, pg_temp
AS $$
DECLARE
    o procure.orders;
    c procure.corrections;
    n procure.case_notes;
BEGIN
    o := procure.get_order(p_number, false);
    IF p_text IS NULL OR btrim(p_text) = '' THEN
        PERFORM procure.fail('invalid_argument', format('order %s: a note needs a text', p_number));
    END IF;
    c := procure.get_correction(o);
    INSERT INTO procure.case_notes AS t (supplier_id, correction_id, body)
    VALUES (c.supplier_id, c.id, p_text)
    RETURNING t.* INTO n;
    RETURN jsonb_build_object('order', o.number, 'id', n.id, 'text', n.body, 'by', n.created_by, 'at', n.created_at);
END
$$;

CREATE TRIGGER case_notes_before_insert BEFORE INSERT ON procure.case_notes FOR EACH ROW EXECUTE FUNCTION procure.case_notes_before_insert();
CREATE CONSTRAINT TRIGGER corrections_have_liability AFTER INSERT ON procure.corrections DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION procure.corrections_have_liability();
CREATE TRIGGER corrections_after_insert AFTER INSERT ON procure.corrections FOR EACH ROW EXECUTE FUNCTION procure.corrections_after_insert();
CREATE TRIGGER corrections_before_insert BEFORE INSERT ON procure.corrections FOR EACH ROW EXECUTE FUNCTION procure.corrections_before_insert();
CREATE TRIGGER production_reports_after_insert AFTER INSERT ON procure.production_reports FOR EACH ROW EXECUTE FUNCTION procure.production_reports_after_insert();
CREATE TRIGGER production_reports_before_insert BEFORE INSERT ON procure.production_reports FOR EACH ROW EXECUTE FUNCTION procure.production_reports_before_insert();
