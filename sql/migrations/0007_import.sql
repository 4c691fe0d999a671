-- 0007_import: bulk import of draft orders from a caller-created TEMP table
--
--   CREATE TEMP TABLE import_staging (row_no bigint, number text, supplier text,
--       order_date date, sku text, qty numeric, price numeric);
--   COPY import_staging FROM STDIN ...;
--   SELECT procure.import_orders_apply();
--
-- Rows with the same number form one draft order (owned by the current role),
-- lines numbered in row_no order. order_date NULL = today, price NULL = base.
-- Everything is validated set-based first; the first offending row (lowest
-- row_no) is reported as 'row N: …' with the SQLSTATE and constraint name the
-- same rule has elsewhere (price_above_base, no_base_price, qty_check, …).
-- Then orders and lines are inserted with two set-based statements (the
-- triggers still check every line).

CREATE FUNCTION procure.import_orders_apply() RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, procure, pg_temp
AS $$
DECLARE
    bad record;
    v_orders bigint;
    v_lines bigint;
    v_discount numeric;
    v_state text;
    v_constraint text;
    v_message text;
BEGIN
    IF to_regclass('pg_temp.import_staging') IS NULL THEN
        PERFORM procure.fail('invalid_argument', 'import: the TEMP table import_staging does not exist');
    END IF;
    SELECT max_discount INTO v_discount FROM procure.users WHERE name = current_user::text COLLATE "default";

    SELECT x.row_no, x.problem INTO bad
      FROM (SELECT s.row_no,
                   CASE
                   WHEN s.row_no IS NULL THEN
                       'invalid_argument|a row has no row number'
                   WHEN s.number IS NULL OR btrim(s.number) = '' OR s.number <> btrim(s.number) THEN
                       'invalid_argument|order number is missing or has surrounding blanks'
                   WHEN sup.id IS NULL THEN
                       format('not_found|supplier %s not found', coalesce(s.supplier, '(missing)'))
                   WHEN s.supplier_min IS DISTINCT FROM s.supplier_max OR s.date_min IS DISTINCT FROM s.date_max THEN
                       format('invalid_argument|the rows of order %s name different suppliers or dates', s.number)
                   WHEN s.line_no = 1 AND procure.order_exists(s.number) THEN
                       format('orders_number_key|order number %s already exists', s.number)
                   WHEN i.id IS NULL THEN
                       format('not_found|item %s not found', coalesce(s.sku, '(missing)'))
                   WHEN s.qty IS NULL OR s.qty <= 0 OR s.qty = 'NaN'::numeric OR s.qty >= 1e15 THEN
                       format('invalid_argument|quantity %s of %s must be above zero', coalesce(s.qty::text, '(missing)'), s.sku)
                   WHEN s.qty <> round(s.qty, 3) THEN
                       format('qty_check|quantity %s of %s has more than 3 decimals', s.qty, s.sku)
                   WHEN s.price < 0 OR s.price = 'NaN'::numeric OR s.price >= 1e15 THEN
                       format('invalid_argument|price %s of %s must be zero or more', s.price, s.sku)
                   WHEN s.price <> round(s.price, 4) THEN
                       format('price_check|price %s of %s has more than 4 decimals', s.price, s.sku)
                   WHEN pp.price IS NULL THEN
                       format('no_base_price|supplier %s has no base price for %s on %s', sup.code, s.sku,
                              coalesce(s.order_date, current_date))
                   WHEN s.price > pp.price THEN
                       format('price_above_base|order %s line %s (%s): price %s is above the base price %s in force on %s',
                              s.number, s.line_no, s.sku, s.price, procure.fmt_price(pp.price),
                              coalesce(s.order_date, current_date))
                   WHEN v_discount IS NOT NULL AND coalesce(s.price, pp.price) < pp.price * (1 - v_discount / 100) THEN
                       format('price_below_limit|order %s line %s (%s): price %s is below %s''s limit %s (base %s less max discount %s%%)',
                              s.number, s.line_no, s.sku, s.price, current_user,
                              procure.fmt_price(pp.price * (1 - v_discount / 100)), procure.fmt_price(pp.price),
                              procure.fmt_pct(v_discount))
                   END AS problem
              FROM (SELECT st.*,
                           row_number() OVER w AS line_no,
                           min(st.supplier) OVER w AS supplier_min, max(st.supplier) OVER w AS supplier_max,
                           min(coalesce(st.order_date, current_date)) OVER w AS date_min,
                           max(coalesce(st.order_date, current_date)) OVER w AS date_max
                      FROM pg_temp.import_staging st
                    WINDOW w AS (PARTITION BY st.number ORDER BY st.row_no
                                 ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)) s
              LEFT JOIN procure.suppliers sup ON sup.code = s.supplier
              LEFT JOIN procure.items i ON i.sku = s.sku
              LEFT JOIN procure.price_periods pp
                ON pp.supplier_id = sup.id AND pp.item_id = i.id AND pp.valid @> coalesce(s.order_date, current_date)) x
     WHERE x.problem IS NOT NULL
     ORDER BY x.row_no NULLS FIRST
     LIMIT 1;
    IF FOUND THEN
        v_constraint := split_part(bad.problem, '|', 1);
        RAISE EXCEPTION USING
            MESSAGE = format('row %s: %s', coalesce(bad.row_no::text, '?'), substr(bad.problem, length(v_constraint) + 2)),
            ERRCODE = CASE v_constraint
                WHEN 'not_found' THEN 'P0002'
                WHEN 'invalid_argument' THEN '22023'
                WHEN 'orders_number_key' THEN '23505'
                ELSE '23514' END,
            CONSTRAINT = v_constraint;
    END IF;

    BEGIN
        INSERT INTO procure.orders (supplier_id, number, buyer, order_date)
        SELECT DISTINCT ON (s.number) sup.id, s.number, current_user, coalesce(s.order_date, current_date)
          FROM pg_temp.import_staging s
          JOIN procure.suppliers sup ON sup.code = s.supplier
         ORDER BY s.number, s.row_no;
        GET DIAGNOSTICS v_orders = ROW_COUNT;

        INSERT INTO procure.order_lines (supplier_id, order_id, line_no, item_id, qty, price)
        SELECT o.supplier_id, o.id,
               row_number() OVER (PARTITION BY s.number ORDER BY s.row_no)::integer,
               i.id, s.qty, s.price
          FROM pg_temp.import_staging s
          JOIN procure.orders o ON o.number = s.number
          JOIN procure.items i ON i.sku = s.sku
         ORDER BY s.number, s.row_no;
        GET DIAGNOSTICS v_lines = ROW_COUNT;
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE, v_constraint = CONSTRAINT_NAME, v_message = MESSAGE_TEXT;
        RAISE EXCEPTION USING MESSAGE = 'import: ' || v_message, ERRCODE = v_state,
                              CONSTRAINT = coalesce(v_constraint, '');
    END;
    RETURN jsonb_build_object('orders', v_orders, 'lines', v_lines);
END
$$;

REVOKE ALL ON FUNCTION procure.import_orders_apply() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION procure.import_orders_apply() TO procure_buyer;
