-- Orders: the state machine, price discipline, receipts and payments (triggers
-- that hold whoever writes), and the functions the CLI calls, one per command,
-- each returning jsonb. SECURITY INVOKER unless stated: grants, RLS and
-- triggers decide.

-- Order total: Σ round(qty × price, 2) over the lines.
CREATE FUNCTION procure.order_total(p_supplier_id bigint, p_order_id bigint) RETURNS numeric
LANGUAGE plpgsql STABLE
AS $$
BEGIN
    RETURN (
    SELECT coalesce(sum(round(l.qty * l.price, 2)), 0)::numeric(20, 2)
          FROM procure.order_lines l
         WHERE l.supplier_id = p_supplier_id AND l.order_id = p_order_id);
END
$$;

-- Whether an order number is taken, whoever owns it: order numbers are unique across buyers,
-- so po create and import say "already exists" before the unique key would.
CREATE FUNCTION procure.order_exists(p_number text) RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, procure, pg_temp
AS $$
BEGIN
    RETURN (
    SELECT EXISTS (SELECT 1 FROM procure.orders WHERE number = p_number));
END
$$;

-- The order row the caller may see (RLS), optionally locked FOR UPDATE; not_found otherwise,
-- whether the order does not exist or belongs to someone the caller may not see (the message
-- is the same, so that it tells nothing about another buyer's orders).
CREATE FUNCTION procure.get_order(p_number text, p_lock boolean DEFAULT false) RETURNS procure.orders
LANGUAGE plpgsql
SET search_path = pg_catalog, procure, pg_temp
AS $$
DECLARE
    o procure.orders;
BEGIN
    IF p_number IS NULL THEN
        PERFORM procure.fail('invalid_argument', 'order number is required');
    END IF;
    IF p_lock THEN
        SELECT * INTO o FROM procure.orders WHERE number = p_number FOR UPDATE;
    ELSE
        SELECT * INTO o FROM procure.orders WHERE number = p_number;
    END IF;
    IF NOT FOUND THEN
        PERFORM procure.fail('not_found', format('order %s not found', p_number));
    END IF;
    RETURN o;
END
$$;

-- How a message names an order: by its number, except while the statement that
-- creates it runs (po_create, correct set procure.creating), when the number
-- does not exist yet for anyone and a failure means it never will.
CREATE FUNCTION procure.order_label(o procure.orders) RETURNS text
LANGUAGE sql STABLE
AS $$
    SELECT CASE WHEN o.number IS NOT DISTINCT FROM nullif(pg_catalog.current_setting('procure.creating', true), '')
                THEN CASE WHEN o.replaces IS NOT NULL THEN pg_catalog.format('the replacement of %s', o.replaces)
                          ELSE 'the new order' END
                ELSE pg_catalog.format('order %s', o.number) END
$$;

-- ---------------------------------------------------------------------------
-- orders: creation, state machine, immutability, deletion of drafts
-- ---------------------------------------------------------------------------
CREATE FUNCTION procure.orders_before_insert() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, procure, pg_temp
AS $$
DECLARE
    v_number text;
    r procure.orders;
BEGIN
    IF NEW.status IS DISTINCT FROM 'draft' THEN
        PERFORM procure.fail('invalid_state',
            format('an order is created as a draft, not %s (issue it afterwards)', coalesce(NEW.status, 'NULL')));
    END IF;
    NEW.issued_at := NULL; NEW.acknowledged_at := NULL; NEW.in_production_at := NULL;
    NEW.delivered_at := NULL; NEW.closed_at := NULL; NEW.revoked_at := NULL;
    NEW.replaced_by := NULL;
    NEW.created_at := now();
    NEW.revision := 0;
    NEW.chain_base := NULL;
    IF NEW.replaces IS NOT NULL THEN
        -- a replacement is a revision of its chain's first order: N-R1, N-R2, …
        SELECT coalesce(o.chain_base, o.number), o.revision + 1 INTO NEW.chain_base, NEW.revision
          FROM procure.orders o WHERE o.number = NEW.replaces;
        NEW.number := coalesce(NEW.number, NEW.chain_base || '-R' || NEW.revision);
    END IF;
    IF NEW.number IS NULL THEN
        LOOP
            UPDATE procure.order_counter SET last = last + 1 RETURNING 'PO-' || lpad(last::text, 6, '0') INTO v_number;
            EXIT WHEN NOT EXISTS (SELECT 1 FROM procure.orders WHERE number = v_number);
        END LOOP;
        NEW.number := v_number;
    END IF;
    IF NEW.replaces IS NOT NULL THEN
        SELECT * INTO r FROM procure.orders WHERE number = NEW.replaces FOR UPDATE;
        IF NOT FOUND THEN
            PERFORM procure.fail('not_found', format('order %s (to be replaced) not found', NEW.replaces));
        END IF;
        IF r.status <> 'revoked' THEN
            PERFORM procure.fail('invalid_state',
                format('order %s is %s; only a revoked order can be replaced', r.number, r.status));
        END IF;
        IF r.replaced_by IS NOT NULL
           OR EXISTS (SELECT 1 FROM procure.orders WHERE replaces = NEW.replaces) THEN
            PERFORM procure.fail('invalid_state', format('order %s already has a replacement', r.number));
        END IF;
        IF r.buyer <> NEW.buyer THEN
            PERFORM procure.fail('invalid_argument',
                format('replacement of %s must belong to its buyer %s, not %s', r.number, r.buyer, NEW.buyer));
        END IF;
    END IF;
    RETURN NEW;
END
$$;

CREATE FUNCTION procure.orders_before_update() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, procure, pg_temp
AS $$
DECLARE
    v_total numeric;
    v_lines bigint;
    l procure.order_lines;
BEGIN
    IF NEW.supplier_id IS DISTINCT FROM OLD.supplier_id OR NEW.id IS DISTINCT FROM OLD.id
       OR NEW.number IS DISTINCT FROM OLD.number OR NEW.buyer IS DISTINCT FROM OLD.buyer
       OR NEW.order_date IS DISTINCT FROM OLD.order_date OR NEW.created_at IS DISTINCT FROM OLD.created_at
       OR NEW.replaces IS DISTINCT FROM OLD.replaces OR NEW.revision IS DISTINCT FROM OLD.revision
       OR NEW.chain_base IS DISTINCT FROM OLD.chain_base THEN
        PERFORM procure.fail('invalid_argument', format(
            'order %s: supplier, number, buyer, order date and replaced order never change (delete the draft and create another)',
            OLD.number));
    END IF;
    -- timestamps are kept by the database, whatever the statement says
    NEW.issued_at := OLD.issued_at; NEW.acknowledged_at := OLD.acknowledged_at;
    NEW.in_production_at := OLD.in_production_at; NEW.delivered_at := OLD.delivered_at;
    NEW.closed_at := OLD.closed_at; NEW.revoked_at := OLD.revoked_at;

    IF NEW.replaced_by IS DISTINCT FROM OLD.replaced_by THEN
        IF OLD.replaced_by IS NOT NULL OR NEW.status <> 'revoked' OR NEW.replaced_by IS NULL
           OR NOT EXISTS (SELECT 1 FROM procure.orders WHERE number = NEW.replaced_by AND replaces = OLD.number) THEN
            PERFORM procure.fail('invalid_state', format(
                'order %s: replaced_by is set once, on a revoked order, to the order that replaces it', OLD.number));
        END IF;
    END IF;

    IF NEW.status IS DISTINCT FROM OLD.status THEN
        IF NOT ((OLD.status = 'draft' AND NEW.status = 'issued')
             OR (OLD.status = 'issued' AND NEW.status = 'acknowledged')
             OR (OLD.status IN ('issued', 'acknowledged') AND NEW.status = 'in_production')
             OR (OLD.status IN ('issued', 'acknowledged', 'in_production') AND NEW.status IN ('delivered', 'revoked'))
             OR (OLD.status = 'delivered' AND NEW.status = 'closed')) THEN
            PERFORM procure.fail('invalid_state', format('order %s is %s; it cannot become %s',
                OLD.number, OLD.status, coalesce(NEW.status, 'NULL')));
        END IF;
        CASE NEW.status
        WHEN 'issued' THEN
            SELECT count(*), coalesce(sum(round(qty * price, 2)), 0) INTO v_lines, v_total
              FROM procure.order_lines WHERE supplier_id = OLD.supplier_id AND order_id = OLD.id;
            IF v_lines = 0 THEN
                PERFORM procure.fail('invalid_state', format('%s has no lines; it cannot be issued', procure.order_label(OLD)));
            END IF;
            -- every line again, against the price list as it stands now: a base price cut since
            -- the line was priced stops the issue
            FOR l IN SELECT * FROM procure.order_lines
                      WHERE supplier_id = OLD.supplier_id AND order_id = OLD.id ORDER BY line_no LOOP
                PERFORM procure.check_line_price(OLD, l.line_no, l.item_id, l.price);
            END LOOP;
            PERFORM procure.check_order_limit(OLD, v_total);
            NEW.issued_at := now();
        WHEN 'acknowledged' THEN
            NEW.acknowledged_at := now();
        WHEN 'in_production' THEN
            IF NOT EXISTS (SELECT 1 FROM procure.production_reports
                            WHERE supplier_id = OLD.supplier_id AND order_id = OLD.id) THEN
                PERFORM procure.fail('invalid_state', format(
                    'order %s: an order goes in production with its first production report', OLD.number));
            END IF;
            NEW.in_production_at := now();
        WHEN 'delivered' THEN
            IF EXISTS (SELECT 1 FROM procure.order_lines
                        WHERE supplier_id = OLD.supplier_id AND order_id = OLD.id AND delivered < qty) THEN
                PERFORM procure.fail('invalid_state', format(
                    'order %s: an order is delivered when every line''s quantity has been received', OLD.number));
            END IF;
            NEW.delivered_at := now();
        WHEN 'closed' THEN
            NEW.closed_at := now();
        WHEN 'revoked' THEN
            IF NOT EXISTS (SELECT 1 FROM procure.corrections
                            WHERE supplier_id = OLD.supplier_id AND order_id = OLD.id) THEN
                PERFORM procure.fail('invalid_state', format(
                    'order %s: an order is revoked by filing a correction (revocation note)', OLD.number));
            END IF;
            NEW.revoked_at := now();
        ELSE
            NULL;
        END CASE;
    END IF;
    RETURN NEW;
END
$$;

-- An issued order's total never exceeds its buyer's max order total: checked at issue and on
-- every later price edit (the order row is locked by then, so concurrent edits of one order's
-- lines are judged one after the other).
CREATE FUNCTION procure.check_order_limit(o procure.orders, p_total numeric) RETURNS void
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, procure, pg_temp
AS $$
DECLARE
    v_limit numeric;
BEGIN
    SELECT max_order_total INTO v_limit FROM procure.users WHERE name = o.buyer;
    IF v_limit IS NOT NULL AND p_total > v_limit THEN
        PERFORM procure.fail('order_limit_exceeded', format(
            'order %s total %s %s buyer %s''s max order total %s',
            o.number, procure.fmt_amount(p_total),
            CASE WHEN o.status = 'draft' THEN 'exceeds' ELSE 'would exceed' END,
            o.buyer, procure.fmt_amount(v_limit)));
    END IF;
END
$$;

CREATE FUNCTION procure.orders_before_delete() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, procure, pg_temp
AS $$
BEGIN
    IF OLD.status <> 'draft' OR OLD.replaces IS NOT NULL THEN
        PERFORM procure.fail('invalid_state',
            format('order %s is %s; only a draft can be deleted (revoke it with a correction)', OLD.number,
                   CASE WHEN OLD.replaces IS NOT NULL THEN 'a replacement' ELSE OLD.status END));
    END IF;
    -- delete the lines first so that their audit rows still find the order
    DELETE FROM procure.order_lines WHERE supplier_id = OLD.supplier_id AND order_id = OLD.id;
    DELETE FROM procure.price_edits WHERE supplier_id = OLD.supplier_id AND order_id = OLD.id;
    RETURN OLD;
END
$$;

-- ---------------------------------------------------------------------------
-- order lines: price discipline, draft-only edits, receipts
-- ---------------------------------------------------------------------------
-- Checks (and completes) a line's price against the base price in force on
-- the order date and the buyer's max discount. Returns the base price.
CREATE FUNCTION procure.check_line_price(o procure.orders, p_line_no integer, p_item_id bigint, INOUT p_price numeric, OUT p_base numeric)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, procure, pg_temp
AS $$
DECLARE
    v_discount numeric;
    v_floor numeric;
BEGIN
    SELECT price INTO p_base FROM procure.price_periods
     WHERE supplier_id = o.supplier_id AND item_id = p_item_id AND valid @> o.order_date;
    IF p_base IS NULL THEN
        PERFORM procure.fail('no_base_price', format(
            '%s line %s: supplier %s has no base price for %s on %s',
            procure.order_label(o), p_line_no,
            (SELECT code FROM procure.suppliers WHERE id = o.supplier_id),
            (SELECT sku FROM procure.items WHERE id = p_item_id), o.order_date));
    END IF;
    IF p_price IS NULL THEN
        p_price := p_base;
    END IF;
    IF p_price <= 0 THEN
        PERFORM procure.fail('invalid_argument', format(
            '%s line %s (%s): a price must be above zero, not %s',
            procure.order_label(o), p_line_no, (SELECT sku FROM procure.items WHERE id = p_item_id), p_price));
    END IF;
    IF p_price > p_base THEN
        PERFORM procure.fail('price_above_base', format(
            '%s line %s (%s): price %s is above the base price %s in force on %s',
            procure.order_label(o), p_line_no, (SELECT sku FROM procure.items WHERE id = p_item_id),
            p_price, procure.fmt_price(p_base), o.order_date));
    END IF;
    SELECT max_discount INTO v_discount FROM procure.users WHERE name = o.buyer;
    IF v_discount IS NOT NULL THEN
        v_floor := p_base * (1 - v_discount / 100);
        IF p_price < v_floor THEN
            PERFORM procure.fail('price_below_limit', format(
                '%s line %s (%s): price %s is below buyer %s''s limit %s (base %s less max discount %s%%)',
                procure.order_label(o), p_line_no, (SELECT sku FROM procure.items WHERE id = p_item_id), p_price, o.buyer,
                procure.fmt_price(v_floor), procure.fmt_price(p_base), procure.fmt_pct(v_discount)));
        END IF;
    END IF;
END
$$;

CREATE FUNCTION procure.order_lines_before() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, procure, pg_temp
AS $$
DECLARE
    o procure.orders;
    v_price numeric;
    v_base numeric;
    v_code text;
BEGIN
    IF TG_OP = 'DELETE' THEN
        SELECT * INTO o FROM procure.orders WHERE supplier_id = OLD.supplier_id AND id = OLD.order_id FOR UPDATE;
        IF FOUND AND o.status <> 'draft' THEN
            PERFORM procure.fail('invalid_state',
                format('order %s is %s; lines can only be removed from a draft', o.number, o.status));
        END IF;
        RETURN OLD;
    END IF;

    SELECT * INTO o FROM procure.orders WHERE supplier_id = NEW.supplier_id AND id = NEW.order_id FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM procure.fail('not_found', format('order %s of supplier %s not found', NEW.order_id, NEW.supplier_id));
    END IF;

    IF TG_OP = 'INSERT' THEN
        IF o.status <> 'draft' THEN
            PERFORM procure.fail('invalid_state',
                format('order %s is %s; lines can only be added to a draft', o.number, o.status));
        END IF;
        IF NEW.line_no IS NULL THEN
            SELECT coalesce(max(line_no), 0) + 1 INTO NEW.line_no
              FROM procure.order_lines WHERE supplier_id = NEW.supplier_id AND order_id = NEW.order_id;
        END IF;
        IF coalesce(NEW.delivered, 0) <> 0 THEN
            PERFORM procure.fail('invalid_argument',
                format('order %s line %s: a new line has nothing delivered yet', o.number, NEW.line_no));
        END IF;
        NEW.delivered := 0;
        SELECT * INTO v_price, v_base FROM procure.check_line_price(o, NEW.line_no, NEW.item_id, NEW.price);
        NEW.price := v_price;
        NEW.base_price := v_base;
        RETURN NEW;
    END IF;

    -- UPDATE
    IF NEW.supplier_id IS DISTINCT FROM OLD.supplier_id OR NEW.order_id IS DISTINCT FROM OLD.order_id
       OR NEW.line_no IS DISTINCT FROM OLD.line_no THEN
        PERFORM procure.fail('invalid_argument',
            format('order %s line %s: a line never moves to another order or number', o.number, OLD.line_no));
    END IF;
    NEW.base_price := OLD.base_price;
    IF (NEW.item_id IS DISTINCT FROM OLD.item_id OR NEW.qty IS DISTINCT FROM OLD.qty) AND o.status <> 'draft' THEN
        PERFORM procure.fail('invalid_state', format(
            'order %s is %s; item and quantity of a line change only in a draft (revoke and replace the order)',
            o.number, o.status));
    END IF;
    IF NEW.price IS DISTINCT FROM OLD.price AND o.status NOT IN ('draft', 'issued', 'acknowledged') THEN
        PERFORM procure.fail('invalid_state', format(
            'order %s is %s; prices can be edited while the order is draft, issued or acknowledged',
            o.number, o.status));
    END IF;
    IF NEW.delivered IS DISTINCT FROM OLD.delivered THEN
        IF o.status NOT IN ('issued', 'acknowledged', 'in_production') THEN
            PERFORM procure.fail('invalid_state', format(
                'order %s is %s; goods are received on issued, acknowledged or in-production orders',
                o.number, o.status));
        END IF;
        IF NEW.delivered < OLD.delivered THEN
            PERFORM procure.fail('invalid_argument', format(
                'order %s line %s: the delivered quantity only grows (%s → %s)',
                o.number, OLD.line_no, procure.fmt_qty(OLD.delivered), procure.fmt_qty(NEW.delivered)));
        END IF;
        IF NEW.delivered > NEW.qty THEN
            PERFORM procure.fail('order_lines_delivered_le_qty', format(
                'order %s line %s: delivered %s would exceed the ordered %s',
                o.number, OLD.line_no, procure.fmt_qty(NEW.delivered), procure.fmt_qty(NEW.qty)));
        END IF;
    END IF;
    IF NEW.item_id IS DISTINCT FROM OLD.item_id OR NEW.price IS DISTINCT FROM OLD.price OR NEW.price IS NULL THEN
        BEGIN
            SELECT * INTO v_price, v_base FROM procure.check_line_price(o, OLD.line_no, NEW.item_id, NEW.price);
        EXCEPTION WHEN check_violation THEN
            -- a refused price edit is recorded, whoever sent it, before the refusal rolls back
            GET STACKED DIAGNOSTICS v_code = CONSTRAINT_NAME;
            IF NEW.price IS DISTINCT FROM OLD.price AND NEW.item_id IS NOT DISTINCT FROM OLD.item_id
               AND v_code IN ('price_above_base', 'price_below_limit', 'no_base_price') THEN
                PERFORM procure.record_refused_price_edit(o, OLD, NEW.price, v_code);
            END IF;
            RAISE;
        END;
        NEW.price := v_price;
        NEW.base_price := v_base;
        IF o.status <> 'draft' AND NEW.price > OLD.price THEN
            PERFORM procure.check_order_limit(o,
                (SELECT coalesce(sum(round(l.qty * l.price, 2)), 0) FROM procure.order_lines l
                  WHERE l.supplier_id = o.supplier_id AND l.order_id = o.id AND l.line_no <> OLD.line_no)
                + round(NEW.qty * NEW.price, 2));
        END IF;
    END IF;
    RETURN NEW;
END
$$;

-- After a receipt: the order is delivered when every line is.
CREATE FUNCTION procure.order_lines_after_receipt() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, procure, pg_temp
AS $$
BEGIN
    IF NEW.delivered IS DISTINCT FROM OLD.delivered AND NEW.delivered = NEW.qty
       AND NOT EXISTS (SELECT 1 FROM procure.order_lines
                        WHERE supplier_id = NEW.supplier_id AND order_id = NEW.order_id AND delivered < qty) THEN
        UPDATE procure.orders SET status = 'delivered'
         WHERE supplier_id = NEW.supplier_id AND id = NEW.order_id AND status <> 'delivered';
    END IF;
    RETURN NULL;
END
$$;

-- Every accepted price edit is logged (UPDATE ... SET price = ...).
CREATE FUNCTION procure.order_lines_log_price() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, procure, pg_temp
AS $$
BEGIN
    INSERT INTO procure.price_edits (supplier_id, order_id, line_no, actor, old_price, new_price, base_price, accepted)
    VALUES (NEW.supplier_id, NEW.order_id, NEW.line_no, procure.actor(), OLD.price, NEW.price, NEW.base_price, true);
    RETURN NULL;
END
$$;

CREATE FUNCTION procure.payments_before_insert() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, procure, pg_temp
AS $$
DECLARE
    o procure.orders;
    v_paid numeric;
    v_total numeric;
BEGIN
    SELECT * INTO o FROM procure.orders WHERE supplier_id = NEW.supplier_id AND id = NEW.order_id FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM procure.fail('not_found', format('order %s of supplier %s not found', NEW.order_id, NEW.supplier_id));
    END IF;
    IF o.status NOT IN ('issued', 'acknowledged', 'in_production', 'delivered') THEN
        PERFORM procure.fail('invalid_state', format(
            'order %s is %s; advance payments are recorded on issued, acknowledged, in-production or delivered orders',
            o.number, o.status));
    END IF;
    IF NEW.amount IS NULL OR NEW.amount <= 0 THEN
        PERFORM procure.fail('invalid_argument',
            format('order %s: a payment amount must be above zero, not %s', o.number, coalesce(NEW.amount::text, 'NULL')));
    END IF;
    -- advance payments never add up to more than the order is worth
    SELECT coalesce(sum(amount), 0) INTO v_paid FROM procure.payments
     WHERE supplier_id = NEW.supplier_id AND order_id = NEW.order_id;
    v_total := procure.order_total(NEW.supplier_id, NEW.order_id);
    IF v_paid + NEW.amount > v_total THEN
        PERFORM procure.fail('invalid_argument', format(
            'order %s: a payment of %s would bring the payments to %s, above the order total %s (%s paid so far)',
            o.number, procure.fmt_amount(NEW.amount), procure.fmt_amount(v_paid + NEW.amount),
            procure.fmt_amount(v_total), procure.fmt_amount(v_paid)));
    END IF;
    NEW.paid_at := now();
    NEW.paid_by := procure.actor();
    RETURN NEW;
END
$$;

-- The order as po_show returns it.
CREATE FUNCTION procure.po_json(o procure.orders) RETURNS jsonb
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, procure, pg_temp
AS $$
BEGIN
    RETURN (
    SELECT jsonb_build_object(
            'number', o.number,
            'supplier', s.code,
            'supplier_name', s.name,
            'buyer', o.buyer,
            'date', o.order_date,
            'status', o.status,
            'currency', s.currency,
            'total', procure.fmt_amount(procure.order_total(o.supplier_id, o.id)),
            'lines', coalesce((
                SELECT jsonb_agg(jsonb_build_object(
                           'line', l.line_no, 'sku', i.sku, 'item', i.name, 'uom', i.uom,
                           'qty', procure.fmt_qty(l.qty), 'price', procure.fmt_price(l.price),
                           'base_price', procure.fmt_price(l.base_price), 'delivered', procure.fmt_qty(l.delivered),
                           'amount', procure.fmt_amount(l.qty * l.price)) ORDER BY l.line_no)
                  FROM procure.order_lines l JOIN procure.items i ON i.id = l.item_id
                 WHERE l.supplier_id = o.supplier_id AND l.order_id = o.id), '[]'::jsonb),
            'paid', (SELECT procure.fmt_amount(coalesce(sum(p.amount), 0)) FROM procure.payments p
                      WHERE p.supplier_id = o.supplier_id AND p.order_id = o.id),
            'payments', coalesce((
                SELECT jsonb_agg(jsonb_build_object('amount', procure.fmt_amount(p.amount), 'at', p.paid_at, 'by', p.paid_by)
                                 ORDER BY p.id)
                  FROM procure.payments p WHERE p.supplier_id = o.supplier_id AND p.order_id = o.id), '[]'::jsonb),
            'replaces', o.replaces,
            'revision', o.revision,
            'replaced_by', o.replaced_by,
            'created_at', o.created_at,
            'issued_at', o.issued_at,
            'acknowledged_at', o.acknowledged_at,
            'revoked_at', o.revoked_at,
            'correction', (
                SELECT jsonb_build_object(
                           'reason', c.reason, 'note', c.note, 'by', c.created_by, 'at', c.created_at,
                           'state', c.order_state, 'settlement', procure.fmt_amount(c.settlement),
                           'liability', procure.liability_status_now(li), 'liability_total', procure.fmt_amount(li.total))
                  FROM procure.corrections c
                  LEFT JOIN procure.liabilities li ON li.supplier_id = c.supplier_id AND li.correction_id = c.id
                 WHERE c.supplier_id = o.supplier_id AND c.order_id = o.id))
          FROM procure.suppliers s
         WHERE s.id = o.supplier_id);
END
$$;

CREATE FUNCTION procure.po_show(p_number text) RETURNS jsonb
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, procure, pg_temp
AS $$
BEGIN
    RETURN (
    SELECT procure.po_json(procure.get_order(p_number, false)));
END
$$;

-- The key that sorts order numbers in natural order: each run of digits by its
-- value (PO-2 before PO-10), the rest as text; compare with COLLATE "C".
CREATE FUNCTION procure.natural_sort_key(p text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT
AS $$
    SELECT coalesce(string_agg(
               CASE WHEN r.part[1] ~ '^[0-9]' THEN
                        lpad(length(coalesce(nullif(ltrim(r.part[1], '0'), ''), '0'))::text, 4, '0')
                        || coalesce(nullif(ltrim(r.part[1], '0'), ''), '0')
                    ELSE r.part[1] END, '' ORDER BY r.n), '')
      FROM regexp_matches(p, '[0-9]+|[^0-9]+', 'g') WITH ORDINALITY AS r(part, n)
$$;

-- po_list: the orders the caller may see, newest order date first, numbers of
-- one date in natural order; p_from / p_to bound the order date (inclusive),
-- p_limit the count.
CREATE FUNCTION procure.po_list(p_buyer text, p_supplier text, p_status text,
                                p_from date DEFAULT NULL, p_to date DEFAULT NULL, p_limit integer DEFAULT NULL) RETURNS jsonb
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, procure, pg_temp
AS $$
DECLARE
    v_supplier_id bigint;
BEGIN
    IF p_status IS NOT NULL AND p_status NOT IN
       ('draft', 'issued', 'acknowledged', 'in_production', 'delivered', 'closed', 'revoked') THEN
        PERFORM procure.fail('invalid_argument', format(
            'status %s is not one of draft, issued, acknowledged, in_production, delivered, closed, revoked', p_status));
    END IF;
    IF p_limit IS NOT NULL AND p_limit < 1 THEN
        PERFORM procure.fail('invalid_argument', format('--limit %s must be 1 or more', p_limit));
    END IF;
    IF p_from > p_to THEN
        PERFORM procure.fail('invalid_argument', format('--from %s is after --to %s', p_from, p_to));
    END IF;
    IF p_supplier IS NOT NULL THEN
        SELECT id INTO v_supplier_id FROM procure.suppliers WHERE code = p_supplier;
        IF NOT FOUND THEN PERFORM procure.fail('not_found', format('supplier %s not found', p_supplier)); END IF;
    END IF;
    RETURN coalesce((
        SELECT jsonb_agg(jsonb_build_object(
                   'number', o.number, 'status', o.status, 'supplier', o.supplier, 'buyer', o.buyer,
                   'date', o.order_date, 'currency', o.currency, 'total', o.total)
                   ORDER BY o.order_date DESC, procure.natural_sort_key(o.number) COLLATE "C", o.number)
          FROM (SELECT o.number, o.status, s.code AS supplier, o.buyer, o.order_date, s.currency,
                       procure.fmt_amount(coalesce(t.total, 0)) AS total
                  FROM procure.orders o
                  JOIN procure.suppliers s ON s.id = o.supplier_id
                  LEFT JOIN LATERAL (SELECT sum(round(l.qty * l.price, 2)) AS total FROM procure.order_lines l
                                      WHERE l.supplier_id = o.supplier_id AND l.order_id = o.id) t ON true
                 WHERE (p_buyer IS NULL OR o.buyer = p_buyer)
                   AND (v_supplier_id IS NULL OR o.supplier_id = v_supplier_id)
                   AND (p_status IS NULL OR o.status = p_status)
                   AND (p_from IS NULL OR o.order_date >= p_from)
                   AND (p_to IS NULL OR o.order_date <= p_to)
                 ORDER BY o.order_date DESC, procure.natural_sort_key(o.number) COLLATE "C", o.number
                 LIMIT p_limit) o), '[]'::jsonb);
END
$$;

-- Inserts the lines [{"sku":…, "qty":…, "price":…|null}, …] into a draft
-- order (numbered 1.. in array order, after any existing lines).
CREATE FUNCTION procure.insert_lines(o procure.orders, p_lines jsonb) RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, procure, pg_temp
AS $$
DECLARE
    e jsonb;
    n integer := 0;
    v_first integer;
    v_sku text;
    v_item bigint;
    v_qty numeric;
    v_price numeric;
    v_items bigint[] := '{}';
    v_qtys numeric[] := '{}';
    v_prices numeric[] := '{}';
BEGIN
    IF p_lines IS NULL OR jsonb_typeof(p_lines) <> 'array' OR jsonb_array_length(p_lines) = 0 THEN
        PERFORM procure.fail('invalid_argument', 'at least one line SKU:QTY[@PRICE] is required');
    END IF;
    SELECT coalesce(max(line_no), 0) INTO v_first FROM procure.order_lines
     WHERE supplier_id = o.supplier_id AND order_id = o.id;
    FOR e IN SELECT value FROM jsonb_array_elements(p_lines) LOOP
        n := n + 1;
        IF jsonb_typeof(e) <> 'object' THEN
            PERFORM procure.fail('invalid_argument', format('line %s: %s is not a line object', n, e::text));
        END IF;
        v_sku := e ->> 'sku';
        IF v_sku IS NULL OR v_sku = '' THEN
            PERFORM procure.fail('invalid_argument', format('line %s: SKU is required', n));
        END IF;
        SELECT id INTO v_item FROM procure.items WHERE sku = v_sku;
        IF NOT FOUND THEN
            PERFORM procure.fail('not_found', format('line %s: item %s not found', n, v_sku));
        END IF;
        v_qty := procure.arg_num('qty', procure.json_num(coalesce(e -> 'qty', e -> 'quantity'), format('line %s (%s) quantity', n, v_sku)),
                                 format('line %s (%s) quantity', n, v_sku), true);
        IF v_qty IS NULL THEN
            PERFORM procure.fail('invalid_argument', format('line %s (%s): quantity is required', n, v_sku));
        END IF;
        v_price := procure.arg_num('price', procure.json_num(e -> 'price', format('line %s (%s) price', n, v_sku)),
                                   format('line %s (%s) price', n, v_sku));
        v_items := v_items || v_item;
        v_qtys := v_qtys || v_qty;
        v_prices := v_prices || v_price;
    END LOOP;
    INSERT INTO procure.order_lines (supplier_id, order_id, line_no, item_id, qty, price)
    SELECT o.supplier_id, o.id, v_first + u.ord::integer, u.item, u.qty, u.price
      FROM unnest(v_items, v_qtys, v_prices) WITH ORDINALITY AS u(item, qty, price, ord)
     ORDER BY u.ord;
END
$$;

CREATE FUNCTION procure.po_create(p_supplier text, p_number text, p_date date, p_key text, p_lines jsonb) RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, procure, pg_temp
AS $$
DECLARE
    v_result jsonb;
    v_supplier_id bigint;
    o procure.orders;
BEGIN
    IF p_key IS NOT NULL THEN
        v_result := procure.idempotent_result(p_key, 'po create');
        IF v_result IS NOT NULL THEN
            RETURN v_result;
        END IF;
    END IF;
    SELECT id INTO v_supplier_id FROM procure.suppliers WHERE code = p_supplier;
    IF NOT FOUND THEN PERFORM procure.fail('not_found', format('supplier %s not found', p_supplier)); END IF;
    IF p_number IS NOT NULL AND procure.order_exists(p_number) THEN
        PERFORM procure.fail('already_exists', format('order %s already exists', p_number));
    END IF;
    INSERT INTO procure.orders AS t (supplier_id, number, buyer, order_date)
    VALUES (v_supplier_id, p_number, current_user, coalesce(p_date, current_date))
    RETURNING t.* INTO o;
    PERFORM set_config('procure.creating', o.number, true);
    PERFORM procure.insert_lines(o, p_lines);
    PERFORM set_config('procure.creating', '', true);
    v_result := procure.po_json(o);
    IF p_key IS NOT NULL THEN
        PERFORM procure.idempotent_save(p_key, 'po create', v_result);
    END IF;
    RETURN v_result;
END
$$;

-- Moves an order to a status (the trigger checks the transition).
CREATE FUNCTION procure.po_set_status(p_number text, p_status text) RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, procure, pg_temp
AS $$
DECLARE
    o procure.orders;
BEGIN
    o := procure.get_order(p_number, true);
    IF o.status = p_status THEN
        PERFORM procure.fail('invalid_state', format('order %s is already %s', o.number, o.status));
    END IF;
    UPDATE procure.orders t SET status = p_status
     WHERE t.supplier_id = o.supplier_id AND t.id = o.id
    RETURNING t.* INTO o;
    RETURN procure.po_json(o);
END
$$;

CREATE FUNCTION procure.po_issue(p_number text) RETURNS jsonb
LANGUAGE sql
AS $$ SELECT procure.po_set_status(p_number, 'issued') $$;

CREATE FUNCTION procure.po_ack(p_number text) RETURNS jsonb
LANGUAGE sql
AS $$ SELECT procure.po_set_status(p_number, 'acknowledged') $$;

CREATE FUNCTION procure.po_close(p_number text) RETURNS jsonb
LANGUAGE sql
AS $$ SELECT procure.po_set_status(p_number, 'closed') $$;

-- Deletes a draft (lines included).
CREATE FUNCTION procure.po_delete(p_number text) RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, procure, pg_temp
AS $$
DECLARE
    o procure.orders;
BEGIN
    o := procure.get_order(p_number, true);
    DELETE FROM procure.orders WHERE supplier_id = o.supplier_id AND id = o.id;
    RETURN jsonb_build_object('number', o.number, 'deleted', true);
END
$$;

-- po_receive: adds p_qty (delivered and accepted) to the line's delivered
-- quantity; the order becomes delivered when every line is complete.
CREATE FUNCTION procure.po_receive(p_number text, p_line integer, p_qty numeric) RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, procure, pg_temp
AS $$
DECLARE
    o procure.orders;
BEGIN
    o := procure.get_order(p_number, true);
    PERFORM procure.arg_num('qty', p_qty, format('order %s line %s received quantity', p_number, p_line), true);
    IF p_qty IS NULL THEN
        PERFORM procure.fail('invalid_argument', format('order %s line %s: a received quantity is required', p_number, p_line));
    END IF;
    UPDATE procure.order_lines SET delivered = delivered + p_qty
     WHERE supplier_id = o.supplier_id AND order_id = o.id AND line_no = p_line;
    IF NOT FOUND THEN
        PERFORM procure.fail('not_found', format('order %s has no line %s', p_number, p_line));
    END IF;
    SELECT * INTO o FROM procure.orders WHERE supplier_id = o.supplier_id AND id = o.id;
    RETURN procure.po_json(o);
END
$$;

CREATE FUNCTION procure.po_pay(p_number text, p_amount numeric) RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, procure, pg_temp
AS $$
DECLARE
    o procure.orders;
BEGIN
    o := procure.get_order(p_number, false);
    PERFORM procure.arg_num('amount', p_amount, format('order %s payment', p_number), true);
    IF p_amount IS NULL THEN
        PERFORM procure.fail('invalid_argument', format('order %s: a payment amount is required', p_number));
    END IF;
    INSERT INTO procure.payments (supplier_id, order_id, amount) VALUES (o.supplier_id, o.id, p_amount);
    RETURN procure.po_json(o);
END
$$;

-- po_price: a price edit, checked (by the line trigger) against the base price
-- in force on the order date and the buyer's max discount; logged in
-- price_edits. Allowed while the order is draft, issued or acknowledged.
CREATE FUNCTION procure.po_price(p_number text, p_line integer, p_price numeric) RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, procure, pg_temp
AS $$
DECLARE
    o procure.orders;
    v_old numeric;
    l procure.order_lines;
BEGIN
    o := procure.get_order(p_number, true);
    IF p_price IS NULL THEN
        PERFORM procure.fail('invalid_argument', format('order %s line %s: a price is required', p_number, p_line));
    END IF;
    PERFORM procure.arg_num('price', p_price, format('order %s line %s price', p_number, p_line));
    SELECT price INTO v_old FROM procure.order_lines
     WHERE supplier_id = o.supplier_id AND order_id = o.id AND line_no = p_line;
    IF NOT FOUND THEN
        PERFORM procure.fail('not_found', format('order %s has no line %s', p_number, p_line));
    END IF;
    UPDATE procure.order_lines t SET price = p_price
     WHERE t.supplier_id = o.supplier_id AND t.order_id = o.id AND t.line_no = p_line
    RETURNING t.* INTO l;
    RETURN procure.po_json(o) || jsonb_build_object('edit', jsonb_build_object(
        'line', p_line, 'old', procure.fmt_price(v_old), 'new', procure.fmt_price(l.price),
        'base', procure.fmt_price(l.base_price), 'accepted', true));
END
$$;

-- po_line_add / po_line_set / po_line_remove: a draft's lines. The line
-- trigger holds the rules (drafts only for item and quantity, the price against
-- the base price and the buyer's limit); accepted price changes are logged by
-- order_lines_log_price like any edit.
CREATE FUNCTION procure.po_line_add(p_number text, p_line jsonb) RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, procure, pg_temp
AS $$
DECLARE
    o procure.orders;
BEGIN
    o := procure.get_order(p_number, true);
    PERFORM procure.insert_lines(o, jsonb_build_array(p_line));
    RETURN procure.po_json(o);
END
$$;

-- A new SKU without a price takes that item's base price; a quantity alone
-- changes only itself.
CREATE FUNCTION procure.po_line_set(p_number text, p_line integer, p_qty numeric, p_price numeric, p_sku text) RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, procure, pg_temp
AS $$
DECLARE
    o procure.orders;
    l procure.order_lines;
    v_item bigint;
    v_what text := format('order %s line %s', p_number, p_line);
BEGIN
    o := procure.get_order(p_number, true);
    IF p_qty IS NULL AND p_price IS NULL AND p_sku IS NULL THEN
        PERFORM procure.fail('invalid_argument', format('%s: give --qty, --price or --sku', v_what));
    END IF;
    SELECT * INTO l FROM procure.order_lines
     WHERE supplier_id = o.supplier_id AND order_id = o.id AND line_no = p_line;
    IF NOT FOUND THEN
        PERFORM procure.fail('not_found', format('order %s has no line %s', p_number, p_line));
    END IF;
    PERFORM procure.arg_num('qty', p_qty, v_what || ' quantity', true);
    PERFORM procure.arg_num('price', p_price, v_what || ' price');
    v_item := l.item_id;
    IF p_sku IS NOT NULL THEN
        SELECT id INTO v_item FROM procure.items WHERE sku = p_sku;
        IF NOT FOUND THEN PERFORM procure.fail('not_found', format('%s: item %s not found', v_what, p_sku)); END IF;
    END IF;
    IF p_price IS NOT NULL OR v_item <> l.item_id THEN
        -- the price column is set only when the price changes: setting it is a price edit
        -- (order_lines_log_price); NULL is the new item's base price
        UPDATE procure.order_lines t SET item_id = v_item, qty = coalesce(p_qty, t.qty), price = p_price
         WHERE t.supplier_id = o.supplier_id AND t.order_id = o.id AND t.line_no = p_line;
    ELSE
        UPDATE procure.order_lines t SET qty = p_qty
         WHERE t.supplier_id = o.supplier_id AND t.order_id = o.id AND t.line_no = p_line;
    END IF;
    RETURN procure.po_json(o);
END
$$;

CREATE FUNCTION procure.po_line_remove(p_number text, p_line integer) RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, procure, pg_temp
AS $$
DECLARE
    o procure.orders;
BEGIN
    o := procure.get_order(p_number, true);
    DELETE FROM procure.order_lines
     WHERE supplier_id = o.supplier_id AND order_id = o.id AND line_no = p_line;
    IF NOT FOUND THEN
        PERFORM procure.fail('not_found', format('order %s has no line %s', p_number, p_line));
    END IF;
    RETURN procure.po_json(o);
END
$$;

-- The record of a refused price edit (a line's price update that the price rules refused),
-- called by the line trigger before it raises the refusal. The refusal rolls back the
-- statement and its transaction, whichever client sent it, so the record is written by
-- another session: dblink connects back to this database over the server's Unix socket as
-- procure_recorder, whose one function, record_refused_price_edit_store, commits it at once.
-- No client calls either function: the values are the trigger's own (the line as it stands,
-- the acting user, the refused price and the refusal's code). Where the server lets the
-- recorder in no way (no dblink, no Unix socket, pg_hba.conf asks for a password), the
-- refusal stands unrecorded and a WARNING says so (docs/security.md).
CREATE FUNCTION procure.record_refused_price_edit(o procure.orders, l procure.order_lines, p_price numeric, p_code text) RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, procure, pg_temp
AS $$
DECLARE
    v_socket text;
    v_conninfo text;
BEGIN
    v_socket := pg_catalog.btrim(pg_catalog.split_part(pg_catalog.current_setting('unix_socket_directories'), ',', 1));
    IF pg_catalog.to_regprocedure('public.dblink_connect_u(text,text)') IS NULL OR v_socket OPERATOR(pg_catalog.=) '' THEN
        RAISE WARNING 'refused price edit of order % line % not recorded: %', o.number, l.line_no,
            CASE WHEN v_socket OPERATOR(pg_catalog.=) '' THEN 'the server has no Unix socket' ELSE 'dblink is not installed' END;
        RETURN;
    END IF;
    v_conninfo := pg_catalog.format(
        'host=%s port=%s dbname=%s user=procure_recorder application_name=procure_recorder connect_timeout=5 options=%s',
        procure.conninfo_value(v_socket), procure.conninfo_value(pg_catalog.current_setting('port')),
        procure.conninfo_value(pg_catalog.current_database()),
        procure.conninfo_value('-c lock_timeout=2000 -c statement_timeout=5000'));
    IF 'procure_recorder' OPERATOR(pg_catalog.=) ANY (coalesce(public.dblink_get_connections(), '{}')) THEN
        PERFORM public.dblink_disconnect('procure_recorder');
    END IF;
    PERFORM public.dblink_connect_u('procure_recorder', v_conninfo);
    BEGIN
        PERFORM * FROM public.dblink('procure_recorder', pg_catalog.format(
            'SELECT procure.record_refused_price_edit_store(%s, %s, %s, %L, %L, %L, %L)',
            l.supplier_id, l.order_id, l.line_no, procure.actor(), p_price,
            procure.base_price(o.supplier_id, l.item_id, o.order_date), p_code)) AS t(recorded boolean);
    EXCEPTION WHEN OTHERS THEN
        PERFORM public.dblink_disconnect('procure_recorder');
        RAISE;
    END;
    PERFORM public.dblink_disconnect('procure_recorder');
EXCEPTION WHEN OTHERS THEN
    RAISE WARNING 'refused price edit of order % line % not recorded: %', o.number, l.line_no, SQLERRM;
END
$$;

-- A libpq connection string value: in single quotes, backslashes and quotes escaped.
CREATE FUNCTION procure.conninfo_value(p text) RETURNS text
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT '''' OPERATOR(pg_catalog.||) pg_catalog.replace(pg_catalog.replace(p, '\', '\\'), '''', '\''')
             OPERATOR(pg_catalog.||) '''' $$;

-- The recorder's write; procure_recorder alone may call it. The line's price in the
-- recorder's (committed) view is the old price; a line that does not exist records nothing.
CREATE FUNCTION procure.record_refused_price_edit_store(p_supplier_id bigint, p_order_id bigint, p_line integer,
                                                        p_actor text, p_price numeric, p_base numeric, p_code text) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, procure, pg_temp
AS $$
BEGIN
    IF SESSION_USER OPERATOR(pg_catalog.<>) 'procure_recorder' THEN
        PERFORM procure.fail('permission_denied', 'refused price edits are recorded by the database itself');
    END IF;
    INSERT INTO procure.price_edits (supplier_id, order_id, line_no, actor, old_price, new_price, base_price, accepted, code)
    SELECT l.supplier_id, l.order_id, l.line_no, p_actor, l.price, p_price, p_base, false, p_code
      FROM procure.order_lines l
     WHERE l.supplier_id = p_supplier_id AND l.order_id = p_order_id AND l.line_no = p_line;
    RETURN FOUND;
END
$$;

-- Does the acting role own the row's order? The buyer policies of the
-- order-side tables call this instead of an EXISTS over orders: with
-- `buyer = current_user` in the query the planner, when the statistics do not
-- know the buyer, walks that buyer's index entries for every checked row.
-- procure.owns_order reads the order's buyer by primary key only (no other
-- index can serve that query) and compares it with the acting role outside
-- the query. SECURITY DEFINER: it runs as the owner, which bypasses RLS on
-- orders, so the check does not recurse into the orders policy; it answers
-- nothing but "is this row's order the caller's".
CREATE FUNCTION procure.owns_order(p_supplier_id bigint, p_order_id bigint) RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, procure, pg_temp
AS $$
BEGIN
    RETURN (SELECT coalesce((SELECT o.buyer FROM procure.orders o WHERE o.supplier_id = p_supplier_id AND o.id = p_order_id)
                    = procure.actor(), false));
END
$$;

-- The order a new row hangs off must be one the acting role may see (row-level security, as
-- the invoker: this function is deliberately not SECURITY DEFINER). It fires before every
-- other trigger of the table (by name), so a guessed id of another buyer's or supplier's
-- order or correction is not_found, with the same message as one that does not exist, before
-- any rule could describe that order, its prices, its buyer's limits or its correction.
CREATE FUNCTION procure.order_side_access() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, procure, pg_temp
AS $$
BEGIN
    IF TG_TABLE_NAME IN ('case_notes', 'liabilities') THEN
        PERFORM 1 FROM procure.corrections c WHERE c.supplier_id = NEW.supplier_id AND c.id = NEW.correction_id;
        IF NOT FOUND THEN
            PERFORM procure.fail('not_found', pg_catalog.format('correction %s not found', NEW.correction_id));
        END IF;
    ELSE
        PERFORM 1 FROM procure.orders o WHERE o.supplier_id = NEW.supplier_id AND o.id = NEW.order_id;
        IF NOT FOUND THEN
            PERFORM procure.fail('not_found',
                pg_catalog.format('order %s of supplier %s not found', NEW.order_id, NEW.supplier_id));
        END IF;
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER case_notes_access BEFORE INSERT OR UPDATE ON procure.case_notes FOR EACH ROW EXECUTE FUNCTION procure.order_side_access();
CREATE TRIGGER corrections_access BEFORE INSERT OR UPDATE ON procure.corrections FOR EACH ROW EXECUTE FUNCTION procure.order_side_access();
CREATE TRIGGER liabilities_access BEFORE INSERT OR UPDATE ON procure.liabilities FOR EACH ROW EXECUTE FUNCTION procure.order_side_access();
CREATE TRIGGER order_lines_access BEFORE INSERT OR UPDATE ON procure.order_lines FOR EACH ROW EXECUTE FUNCTION procure.order_side_access();
CREATE TRIGGER payments_access BEFORE INSERT OR UPDATE ON procure.payments FOR EACH ROW EXECUTE FUNCTION procure.order_side_access();
CREATE TRIGGER production_reports_access BEFORE INSERT OR UPDATE ON procure.production_reports FOR EACH ROW EXECUTE FUNCTION procure.order_side_access();
CREATE TRIGGER order_lines_after_receipt AFTER UPDATE OF delivered ON procure.order_lines FOR EACH ROW EXECUTE FUNCTION procure.order_lines_after_receipt();
CREATE TRIGGER order_lines_before BEFORE INSERT OR DELETE OR UPDATE ON procure.order_lines FOR EACH ROW EXECUTE FUNCTION procure.order_lines_before();
CREATE TRIGGER order_lines_log_price AFTER UPDATE OF price ON procure.order_lines FOR EACH ROW EXECUTE FUNCTION procure.order_lines_log_price();
CREATE TRIGGER orders_before_delete BEFORE DELETE ON procure.orders FOR EACH ROW EXECUTE FUNCTION procure.orders_before_delete();
CREATE TRIGGER orders_before_insert BEFORE INSERT ON procure.orders FOR EACH ROW EXECUTE FUNCTION procure.orders_before_insert();
CREATE TRIGGER orders_before_update BEFORE UPDATE ON procure.orders FOR EACH ROW EXECUTE FUNCTION procure.orders_before_update();
CREATE TRIGGER payments_before_insert BEFORE INSERT ON procure.payments FOR EACH ROW EXECUTE FUNCTION procure.payments_before_insert();
