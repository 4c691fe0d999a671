-- import orders: the CLI COPYs the CSV into a TEMP table import_staging (every
-- column text) and calls import_orders_apply, which validates every row with the
-- rules of po create (set-based), names the bad rows (the first 20 of them, each
-- with what is wrong with it), and inserts the orders and lines in bulk, all or
-- nothing.

CREATE FUNCTION procure.import_orders_apply() RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, procure, pg_temp
AS $$
DECLARE
    bad record;
    v_shown constant integer := 20;
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

    -- the typed view of the staging rows; a value that is not exactly a date or a
    -- plain decimal stays NULL here and is reported below from its text
    CREATE TEMP TABLE import_typed ON COMMIT DROP AS
    SELECT st.row_no, st.number, st.supplier, st.sku,
           nullif(st.order_date::text, '') AS date_text, procure.strict_date(nullif(st.order_date::text, '')) AS order_date,
           nullif(st.qty::text, '') AS qty_text, procure.strict_numeric(nullif(st.qty::text, '')) AS qty,
           nullif(st.price::text, '') AS price_text, procure.strict_numeric(nullif(st.price::text, '')) AS price
      FROM pg_temp.import_staging st;
    -- fresh statistics, so the joins below are planned for this file's size
    ANALYZE pg_temp.import_typed;

    WITH problems AS (
    SELECT x.row_no, x.problem
      FROM (SELECT s.row_no,
                   CASE
                   WHEN s.row_no IS NULL THEN
                       'invalid_argument|a row has no row number'
                   WHEN s.number IS NULL OR btrim(s.number) = '' OR s.number <> btrim(s.number) THEN
                       'invalid_argument|order number is missing or has surrounding blanks'
                   WHEN s.date_text IS NOT NULL AND s.order_date IS NULL THEN
                       format('invalid_argument|date %s is not a calendar date written YYYY-MM-DD', s.date_text)
                   WHEN s.qty_text IS NOT NULL AND s.qty IS NULL THEN
                       format('invalid_argument|quantity %s of %s is not a plain decimal number', s.qty_text, s.sku)
                   WHEN s.price_text IS NOT NULL AND s.price IS NULL THEN
                       format('invalid_argument|price %s of %s is not a plain decimal number', s.price_text, s.sku)
                   WHEN sup.id IS NULL THEN
                       format('not_found|supplier %s not found', coalesce(s.supplier, '(missing)'))
                   WHEN s.supplier IS DISTINCT FROM s.first_supplier THEN
                       format('invalid_argument|order %s is for supplier %s on its first row (row %s), not %s',
                              s.number, s.first_supplier, s.first_row, coalesce(s.supplier, '(missing)'))
                   WHEN coalesce(s.order_date, current_date) <> s.first_date THEN
                       format('invalid_argument|order %s is dated %s on its first row (row %s), not %s',
                              s.number, s.first_date, s.first_row, coalesce(s.order_date, current_date))
                   WHEN s.line_no = 1 AND procure.order_exists(s.number) THEN
                       format('orders_number_key|order number %s already exists', s.number)
                   WHEN i.id IS NULL THEN
                       format('not_found|item %s not found', coalesce(s.sku, '(missing)'))
                   WHEN s.qty IS NULL OR s.qty <= 0 OR s.qty >= 1e15 THEN
                       format('invalid_argument|quantity %s of %s must be above zero', coalesce(s.qty::text, '(missing)'), s.sku)
                   WHEN s.qty <> round(s.qty, 3) THEN
                       format('qty_check|quantity %s of %s has more than 3 decimals', s.qty, s.sku)
                   WHEN s.price < 0 OR s.price >= 1e15 THEN
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
                           -- an order's first row says its supplier and date: a later row that
                           -- differs is the one blamed
                           first_value(st.row_no) OVER w AS first_row,
                           first_value(st.supplier) OVER w AS first_supplier,
                           first_value(coalesce(st.order_date, current_date)) OVER w AS first_date
                      FROM pg_temp.import_typed st
                    WINDOW w AS (PARTITION BY st.number ORDER BY st.row_no
                                 ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)) s
              LEFT JOIN procure.suppliers sup ON sup.code = s.supplier
              LEFT JOIN procure.items i ON i.sku = s.sku
              LEFT JOIN procure.price_periods pp
                ON pp.supplier_id = sup.id AND pp.item_id = i.id AND pp.valid @> coalesce(s.order_date, current_date)) x
     WHERE x.problem IS NOT NULL)
    SELECT count(*) AS refused,
           (array_agg(split_part(b.problem, '|', 1) ORDER BY b.row_no NULLS FIRST))[1] AS code,
           string_agg(format('row %s: %s', coalesce(b.row_no::text, '?'), substr(b.problem, strpos(b.problem, '|') + 1)),
                      E'\n' ORDER BY b.row_no NULLS FIRST) FILTER (WHERE b.rank <= v_shown) AS rows
      INTO bad
      FROM (SELECT p.*, row_number() OVER (ORDER BY p.row_no NULLS FIRST) AS rank FROM problems p) b;
    IF bad.refused > 0 THEN
        v_constraint := bad.code;
        RAISE EXCEPTION USING
            MESSAGE = CASE WHEN bad.refused = 1 THEN bad.rows
                           WHEN bad.refused <= v_shown THEN format('%s rows refused, nothing imported:%s%s', bad.refused, E'\n', bad.rows)
                           ELSE format('%s rows refused, nothing imported; the first %s:%s%s', bad.refused, v_shown, E'\n', bad.rows)
                      END,
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
          FROM pg_temp.import_typed s
          JOIN procure.suppliers sup ON sup.code = s.supplier
         ORDER BY s.number, s.row_no;
        GET DIAGNOSTICS v_orders = ROW_COUNT;

        INSERT INTO procure.order_lines (supplier_id, order_id, line_no, item_id, qty, price)
        SELECT o.supplier_id, o.id,
               row_number() OVER (PARTITION BY s.number ORDER BY s.row_no)::integer,
               i.id, s.qty, s.price
          FROM pg_temp.import_typed s
          JOIN procure.orders o ON o.number = s.number
          JOIN procure.items i ON i.sku = s.sku
         ORDER BY s.number, s.row_no;
        GET DIAGNOSTICS v_lines = ROW_COUNT;
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE, v_constraint = CONSTRAINT_NAME, v_message = MESSAGE_TEXT;
        RAISE EXCEPTION USING MESSAGE = 'import: ' || v_message, ERRCODE = v_state,
                              CONSTRAINT = coalesce(v_constraint, '');
    END;
    DROP TABLE pg_temp.import_typed;
    RETURN jsonb_build_object('orders', v_orders, 'lines', v_lines);
END
$$;
