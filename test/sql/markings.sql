-- Every object of the extension: volatility, strictness and parallel safety
-- as declared, and a comment on each.  Reviewed line by line: a change here
-- is a change of contract.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS sqii;
RESET client_min_messages;

SELECT p.oid::regprocedure AS function,
       CASE p.prokind WHEN 'a' THEN 'aggregate' WHEN 'f' THEN 'function' WHEN 'w' THEN 'window' ELSE p.prokind::text END AS kind,
       CASE p.provolatile WHEN 'i' THEN 'immutable' WHEN 's' THEN 'stable' ELSE 'volatile' END AS volatility,
       p.proisstrict AS strict,
       CASE p.proparallel WHEN 's' THEN 'safe' WHEN 'r' THEN 'restricted' ELSE 'unsafe' END AS parallel,
       p.prosecdef AS security_definer
FROM pg_proc p
JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'sqii'
ORDER BY p.proname, p.oid::regprocedure::text;

-- Every aggregate can run in parallel: a combine function, and serialize and
-- deserialize where the state is internal (composite states travel as they
-- are).  sqii.cutpoints is an ordered-set aggregate, which PostgreSQL never
-- runs partially.
SELECT a.aggfnoid::regprocedure AS aggregate,
       a.aggcombinefn <> 0 AS has_combine,
       a.aggserialfn <> 0 AS has_serial,
       a.aggdeserialfn <> 0 AS has_deserial
FROM pg_aggregate a
JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = a.aggfnoid AND d.deptype = 'e'
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'sqii'
ORDER BY a.aggfnoid::regprocedure::text;

-- Objects without a comment (expect none).
SELECT pg_describe_object(d.classid, d.objid, 0) AS uncommented
FROM pg_depend d
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'sqii'
WHERE d.deptype = 'e' AND obj_description(d.objid, d.classid::regclass::name) IS NULL;
