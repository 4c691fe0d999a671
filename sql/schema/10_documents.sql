-- The documents sent to a supplier: the revocation notice (撤销说明) and the order itself, in
-- English or Chinese, and the settings an admin keeps for them (the issuing company). Each
-- document is one JSON object built here, from the same functions that po show and liability
-- show use; the CLI prints it as a table or JSON, or fills a template with it (--html).
-- Every word a document prints in a language is in doc_words, the one dictionary.

-- The settings a document may print, in the order setting list shows them.
CREATE FUNCTION procure.setting_keys() RETURNS text[]
LANGUAGE sql IMMUTABLE
AS $$ SELECT ARRAY['company.name', 'company.address', 'company.contact'] $$;

CREATE FUNCTION procure.setting(p_key text) RETURNS text
LANGUAGE sql STABLE
AS $$ SELECT value FROM procure.settings WHERE key = p_key $$;

CREATE FUNCTION procure.setting_json(p_key text) RETURNS jsonb
LANGUAGE sql STABLE
AS $$
    SELECT jsonb_build_object('key', p_key, 'value', s.value, 'updated_by', s.updated_by, 'updated_at', s.updated_at)
      FROM (SELECT 1) one LEFT JOIN procure.settings s ON s.key = p_key
$$;

-- An admin sets a value (an empty one removes it: the document then leaves the line out).
CREATE FUNCTION procure.setting_set(p_key text, p_value text) RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, procure, pg_temp
AS $$
BEGIN
    IF NOT procure.actor_is_super() AND NOT procure.actor_is('procure_admin') THEN
        PERFORM procure.fail('permission_denied', format('%s may not change settings (admins only)', procure.actor()));
    END IF;
    IF p_key IS NULL OR NOT p_key = ANY (procure.setting_keys()) THEN
        PERFORM procure.fail('invalid_argument', format('setting %s is not one of %s',
            coalesce(p_key, '(missing)'), array_to_string(procure.setting_keys(), ', ')));
    END IF;
    IF p_value IS NULL OR btrim(p_value) = '' THEN
        DELETE FROM procure.settings WHERE key = p_key;
    ELSIF length(p_value) > 500 THEN
        PERFORM procure.fail('invalid_argument', format('setting %s: the value has %s characters; at most 500 print on a document',
            p_key, length(p_value)));
    ELSE
        INSERT INTO procure.settings AS t (key, value) VALUES (p_key, p_value)
        ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_by = procure.actor(), updated_at = now()
        WHERE t.value IS DISTINCT FROM EXCLUDED.value;
    END IF;
    RETURN procure.setting_json(p_key);
END
$$;

-- Every setting, set or not (value null), for everyone to read.
CREATE FUNCTION procure.setting_list() RETURNS jsonb
LANGUAGE sql STABLE
AS $$
    SELECT jsonb_agg(procure.setting_json(k.key) ORDER BY k.n)
      FROM unnest(procure.setting_keys()) WITH ORDINALITY AS k(key, n)
$$;

-- The words of a document in a language: labels, and the words for the codes the database
-- stores (reasons, stages, states, regimes). Phrases with %s are filled with format().
CREATE FUNCTION procure.doc_words(p_lang text) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE
AS $$
BEGIN
    IF p_lang = 'en' THEN
        RETURN $en${
            "html_lang": "en",
            "colon": ": ",
            "stop": ".",
            "notice_title": "Revocation notice",
            "po_title": "Purchase order",
            "issuer": "From",
            "supplier": "To (supplier)",
            "buyer": "Buyer",
            "order": "Order",
            "order_date": "Order date",
            "status": "Status",
            "revoked_order": "The revoked order",
            "revoked_at": "Revoked on",
            "reason": "Reason",
            "note": "Note",
            "line": "Line",
            "sku": "Item code",
            "item": "Item",
            "qty": "Quantity",
            "uom": "Unit",
            "price": "Unit price",
            "amount": "Amount",
            "total": "Total",
            "stage": "Production on record",
            "finished": "Finished",
            "in_progress": "In progress",
            "reused": "Reused",
            "terminated": "Terminated",
            "replacement": "The replacement order",
            "no_replacement": "No replacement order is placed for this order.",
            "replacement_elsewhere": "A replacement order is placed with another supplier.",
            "revision": "Revision",
            "revision_of": "Revision %s, replaces %s",
            "claim": "Your claim",
            "claim_deadline": "Claim deadline",
            "review_deadline": "Review by the buyer until",
            "how_to_claim": "Until %s, state the production of each line on record when this revocation reached you (procure production %s LINE …), then declare your claim final (procure claim submit %s). Without a claim by then, what is on record is the claim.",
            "claim_closed": "The claim window is closed: the claim is what is on record.",
            "liability": "Liability borne by the issuing company",
            "method": "Method",
            "liability_finished": "Finished goods at the order price",
            "liability_costs": "Costs of work in progress and materials",
            "liability_profit": "Profit on the work done",
            "liability_cap": "Cap: the price of the terminated part",
            "liability_capped": "the cap applies",
            "liability_saved": "Cost saved by stopping",
            "liability_settlement": "Settlement expenses",
            "liability_credits": "Salvage credits (deducted)",
            "liability_payments": "Advance payments (deducted)",
            "liability_total": "Total",
            "liability_open": "Provisional until the claim is final: recomputed with each production report.",
            "liability_refund": "A negative total is a refund the supplier owes.",
            "not_in_production": "No production had started: the revocation costs nothing beyond returning advance payments.",
            "amounts_in": "Amounts in",
            "loss_note": "Every loss from this revocation is borne by the issuing company.",
            "po_note": "Prices never exceed the supplier's base price in force on the order date.",
            "reasons": {"wrong-quantity": "Wrong quantity", "wrong-item": "Wrong item", "wrong-price": "Wrong price",
                        "wrong-supplier": "Wrong supplier", "wrong-date": "Wrong date", "duplicate": "Duplicate order",
                        "other": "Other"},
            "stages": {"issued": "Not started", "acknowledged": "Not started",
                       "materials": "Materials bought", "production": "In production", "finished": "Finished"},
            "statuses": {"draft": "Draft", "issued": "Issued", "acknowledged": "Acknowledged",
                         "in_production": "In production", "delivered": "Delivered", "closed": "Closed",
                         "revoked": "Revoked"},
            "liability_statuses": {"open": "Open (claim window)", "claimed": "Claimed (in review)",
                                   "agreed": "Agreed", "settled": "Settled"},
            "regimes": {"cost": "Costs incurred", "schedule": "Cancellation schedule",
                        "expectation": "Expected profit"}
        }$en$::jsonb;
    ELSIF p_lang = 'zh' THEN
        RETURN $zh${
            "html_lang": "zh-CN",
            "colon": "：",
            "stop": "。",
            "notice_title": "采购订单撤销说明",
            "po_title": "采购订单",
            "issuer": "发出方",
            "supplier": "致（供应商）",
            "buyer": "采购员",
            "order": "订单号",
            "order_date": "订单日期",
            "status": "状态",
            "revoked_order": "被撤销的订单",
            "revoked_at": "撤销时间",
            "reason": "撤销原因",
            "note": "说明",
            "line": "行号",
            "sku": "物料编码",
            "item": "物料名称",
            "qty": "数量",
            "uom": "单位",
            "price": "单价",
            "amount": "金额",
            "total": "合计",
            "stage": "已记录的生产状态",
            "finished": "已完工",
            "in_progress": "在制",
            "reused": "转用",
            "terminated": "终止",
            "replacement": "替代订单",
            "no_replacement": "本订单没有替代订单。",
            "replacement_elsewhere": "替代订单已向其他供应商下达。",
            "revision": "版本",
            "revision_of": "第 %s 版，替代 %s",
            "claim": "索赔申报",
            "claim_deadline": "申报截止",
            "review_deadline": "采购方审核截止",
            "how_to_claim": "请在 %s 之前，按行申报收到本撤销说明时已记录的生产状态（procure production %s 行号 …），然后确认索赔（procure claim submit %s）。逾期未确认的，以已记录的内容为准。",
            "claim_closed": "申报期限已过，以已记录的内容为准。",
            "liability": "由下单方承担的赔偿",
            "method": "计算方法",
            "liability_finished": "已完工产品（按订单价）",
            "liability_costs": "在制品及材料成本",
            "liability_profit": "已完成工作的利润",
            "liability_cap": "上限：终止部分的价款",
            "liability_capped": "已按上限计算",
            "liability_saved": "因停止生产而节省的成本",
            "liability_settlement": "结算费用",
            "liability_credits": "残值抵扣（扣减）",
            "liability_payments": "预付款（扣减）",
            "liability_total": "合计",
            "liability_open": "暂定金额：在索赔确认前，随每次生产申报重新计算。",
            "liability_refund": "合计为负数时，为供应商应退还的款项。",
            "not_in_production": "尚未开始生产：撤销不产生费用，仅需退还预付款。",
            "amounts_in": "金额单位",
            "loss_note": "本次撤销造成的一切损失由下单方承担。",
            "po_note": "单价不超过订单日期有效的供应商基准价。",
            "reasons": {"wrong-quantity": "数量错误", "wrong-item": "物料错误", "wrong-price": "价格错误",
                        "wrong-supplier": "供应商错误", "wrong-date": "日期错误", "duplicate": "重复下单",
                        "other": "其他"},
            "stages": {"issued": "未开始", "acknowledged": "未开始",
                       "materials": "已备料", "production": "生产中", "finished": "已完工"},
            "statuses": {"draft": "草稿", "issued": "已下达", "acknowledged": "已确认", "in_production": "生产中",
                         "delivered": "已交付", "closed": "已关闭", "revoked": "已撤销"},
            "liability_statuses": {"open": "申报中", "claimed": "已申报，审核中", "agreed": "已确认", "settled": "已结清"},
            "regimes": {"cost": "按实际成本", "schedule": "按取消费率表", "expectation": "按预期利益"}
        }$zh$::jsonb;
    END IF;
    PERFORM procure.fail('invalid_argument', format('--lang %s is not one of en, zh', coalesce(p_lang, '(missing)')));
    RETURN NULL;
END
$$;

-- A date and a time as a document prints them in a language; times in the session's zone.
CREATE FUNCTION procure.doc_date(p_date date, p_lang text) RETURNS text
LANGUAGE sql STABLE
AS $$
    SELECT CASE p_lang WHEN 'zh' THEN to_char(p_date, 'YYYY"年"FMMM"月"FMDD"日"')
                       ELSE to_char(p_date, 'FMDD FMMonth YYYY') END
$$;

CREATE FUNCTION procure.doc_time(p_at timestamptz, p_lang text) RETURNS text
LANGUAGE sql STABLE
AS $$
    SELECT procure.doc_date(p_at::date, p_lang) || CASE p_lang WHEN 'zh' THEN ' ' ELSE ', ' END
           || to_char(p_at, 'HH24:MI TZ')
$$;

-- What every document says first: its language, the issuing company, the supplier and the
-- buyer, and the currency of its amounts (po_json's fields of the order).
CREATE FUNCTION procure.doc_parties(p_order jsonb, p_lang text) RETURNS jsonb
LANGUAGE sql STABLE
AS $$
    SELECT jsonb_build_object('lang', p_lang,
                              'company', procure.setting('company.name'),
                              'company_address', procure.setting('company.address'),
                              'company_contact', procure.setting('company.contact'),
                              'supplier', p_order -> 'supplier', 'supplier_name', p_order -> 'supplier_name',
                              'buyer', p_order -> 'buyer', 'currency', p_order -> 'currency')
$$;

-- An order's lines as a document prints them: po show's, without the supplier's base price.
CREATE FUNCTION procure.doc_lines(p_order jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE
AS $$
    SELECT coalesce(jsonb_agg(l - 'base_price' - 'delivered' ORDER BY (l ->> 'line')::integer), '[]'::jsonb)
      FROM jsonb_array_elements(p_order -> 'lines') l
$$;

-- po document N: the order as a document; a replacement names its revision and the order it replaces.
CREATE FUNCTION procure.po_document(p_number text, p_lang text) RETURNS jsonb
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, procure, pg_temp
AS $$
DECLARE
    w jsonb := procure.doc_words(coalesce(p_lang, 'en'));
    v_lang text := coalesce(p_lang, 'en');
    o procure.orders;
    po jsonb;
BEGIN
    o := procure.get_order(p_number, false);
    po := procure.po_json(o);
    RETURN jsonb_build_object(
            'document', 'po', 'title', w ->> 'po_title',
            'number', o.number, 'status', o.status, 'status_text', w -> 'statuses' ->> o.status,
            'date', o.order_date, 'date_text', procure.doc_date(o.order_date, v_lang),
            'revision', o.revision, 'replaces', o.replaces,
            'revision_text', CASE WHEN o.replaces IS NOT NULL THEN format(w ->> 'revision_of', o.revision, o.replaces) END,
            'revoked_at', o.revoked_at, 'revoked_at_text', procure.doc_time(o.revoked_at, v_lang),
            'total', po -> 'total', 'lines', procure.doc_lines(po))
        || procure.doc_parties(po, v_lang);
END
$$;

-- notice N: the revocation notice. The revoked order with the production on record per line,
-- the reason and note, the replacement when it goes to the same supplier (one placed with
-- another supplier is only said to exist), the claim window and how to claim, and the
-- liability as liability show returns it.
CREATE FUNCTION procure.notice(p_number text, p_lang text) RETURNS jsonb
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, procure, pg_temp
AS $$
DECLARE
    w jsonb := procure.doc_words(coalesce(p_lang, 'en'));
    v_lang text := coalesce(p_lang, 'en');
    o procure.orders;
    c procure.corrections;
    li procure.liabilities;
    r procure.orders;
    po jsonb;
    rpo jsonb;
    v_liability jsonb;
    v_lines jsonb;
    v_deadline timestamptz;
BEGIN
    o := procure.get_order(p_number, false);
    c := procure.get_correction(o);
    SELECT * INTO li FROM procure.liabilities WHERE supplier_id = c.supplier_id AND correction_id = c.id;
    po := procure.po_json(o);
    v_liability := procure.liability_json(o);
    v_deadline := (v_liability ->> 'claim_deadline')::timestamptz;
    IF o.replaced_by IS NOT NULL THEN
        SELECT * INTO r FROM procure.orders WHERE number = o.replaced_by AND supplier_id = o.supplier_id;
        IF FOUND THEN rpo := procure.po_json(r); END IF;
    END IF;
    -- each line with what the liability counted: the production on record, reused and terminated units
    SELECT coalesce(jsonb_agg(l || jsonb_build_object(
               'stage', res ->> 'stage', 'stage_text', w -> 'stages' ->> (res ->> 'stage'),
               'finished', coalesce(inp -> 'report' ->> 'finished', '0'),
               'in_progress', coalesce(inp -> 'report' ->> 'in_progress', '0'),
               'reused', procure.fmt_qty(procure.jnum0(res -> 'reused_finished') + procure.jnum0(res -> 'reused_in_progress')
                                         + procure.jnum0(res -> 'reused_not_started')),
               'terminated', res ->> 'terminated') ORDER BY (l ->> 'line')::integer), '[]'::jsonb)
      INTO v_lines
      FROM jsonb_array_elements(procure.doc_lines(po)) l
      LEFT JOIN jsonb_array_elements(li.inputs -> 'lines') inp ON inp ->> 'line' = l ->> 'line'
      LEFT JOIN jsonb_array_elements(li.result -> 'lines') res ON res ->> 'line' = l ->> 'line';

    RETURN jsonb_build_object(
            'document', 'notice', 'title', w ->> 'notice_title', 'order', o.number,
            'order_date', o.order_date, 'order_date_text', procure.doc_date(o.order_date, v_lang),
            'order_total', po -> 'total', 'lines', v_lines,
            'reason', c.reason, 'reason_text', w -> 'reasons' ->> c.reason, 'note', c.note,
            'revoked_at', o.revoked_at, 'revoked_at_text', procure.doc_time(o.revoked_at, v_lang),
            'replacement', r.number, 'replacement_revision', r.revision,
            'replacement_text', CASE WHEN r.number IS NOT NULL THEN format(w ->> 'revision_of', r.revision, r.replaces) END,
            'replacement_date', r.order_date, 'replacement_date_text', procure.doc_date(r.order_date, v_lang),
            'replacement_total', rpo -> 'total', 'replacement_lines', procure.doc_lines(rpo),
            'replacement_elsewhere', o.replaced_by IS NOT NULL AND r.number IS NULL,
            'claim_deadline', v_deadline, 'claim_deadline_text', procure.doc_time(v_deadline, v_lang),
            'review_deadline', v_liability -> 'review_deadline',
            'review_deadline_text', procure.doc_time((v_liability ->> 'review_deadline')::timestamptz, v_lang),
            'how_to_claim', CASE WHEN v_deadline IS NOT NULL
                                 THEN format(w ->> 'how_to_claim', procure.doc_time(v_deadline, v_lang), o.number, o.number)
                                 ELSE w ->> 'claim_closed' END,
            'in_production', v_liability -> 'in_production',
            'regime', v_liability -> 'regime', 'regime_text', w -> 'regimes' ->> (v_liability ->> 'regime'),
            'finished', v_liability -> 'finished', 'costs', v_liability -> 'costs', 'profit', v_liability -> 'profit',
            'cap', v_liability -> 'cap', 'capped', v_liability -> 'capped', 'saved', v_liability -> 'saved',
            'settlement', v_liability -> 'settlement', 'credits', v_liability -> 'credits',
            'payments', v_liability -> 'payments', 'total', v_liability -> 'total',
            'refund', (v_liability ->> 'total')::numeric < 0,
            'status', v_liability -> 'status', 'status_text', w -> 'liability_statuses' ->> (v_liability ->> 'status'))
        || procure.doc_parties(po, v_lang);
END
$$;
