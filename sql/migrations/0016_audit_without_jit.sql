-- 0016_audit_without_jit: the audit's own statements are never JIT-compiled.
--
-- procure.audit_trigger runs with plan_cache_mode = force_generic_plan, so the
-- plan of, say, the orders UPDATE branch is built once per session, sized for
-- the transition tables of its first call. After a set-based statement of
-- thousands of rows, that plan's estimated cost is above jit_above_cost, and
-- every later execution of the cached plan, one row or not, compiled it with
-- LLVM again (~60 ms each): `procure bench` loading 1,200 production reports
-- (each moving its order to in_production, one audited UPDATE per report)
-- took 75 s instead of 0.3 s. JIT cannot pay for itself on statements that
-- each touch one statement's changed rows; turn it off for the audit functions.
ALTER FUNCTION procure.audit_trigger() SET jit = off;
ALTER FUNCTION procure.audit_commit() SET jit = off;
ALTER FUNCTION procure.audit_append(text[], text[], timestamptz[], text[], text[], text[], jsonb[], jsonb[]) SET jit = off;
