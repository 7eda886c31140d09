-- A canonical text of extension sqii as the catalogs hold it: one line per
-- member object with everything that defines it (OIDs replaced by names), the
-- schema's privileges, the configuration tables' dump filters and their
-- shipped rows.  Two databases hold the same sqii when these lines are equal.
\pset format unaligned
\pset tuples_only on
\pset footer off
WITH ext AS (
    SELECT e.oid, e.extversion, e.extconfig, e.extcondition, n.nspname, n.nspacl
    FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
    WHERE e.extname = 'sqii'
), member AS (
    SELECT d.classid, d.objid
    FROM pg_depend d, ext
    WHERE d.refclassid = 'pg_extension'::regclass AND d.refobjid = ext.oid AND d.deptype = 'e'
), described AS (
    SELECT pg_describe_object(m.classid, m.objid, 0) AS object,
           coalesce(obj_description(m.objid, m.classid::regclass::text), '') AS comment,
           CASE m.classid
           WHEN 'pg_proc'::regclass THEN (
               SELECT CASE WHEN p.prokind = 'a' THEN
                          format('aggregate %s -> %s; sfunc %s stype %s final %s combine %s serial %s deserial %s minit %s kind %s; acl %s',
                                 pg_get_function_arguments(p.oid), pg_get_function_result(p.oid),
                                 a.aggtransfn::regprocedure, format_type(a.aggtranstype, NULL), a.aggfinalfn,
                                 a.aggcombinefn, a.aggserialfn, a.aggdeserialfn, a.agginitval, a.aggkind, p.proacl)
                      ELSE format('%s; acl %s', pg_get_functiondef(p.oid), p.proacl) END
               FROM pg_proc p LEFT JOIN pg_aggregate a ON a.aggfnoid = p.oid WHERE p.oid = m.objid)
           WHEN 'pg_type'::regclass THEN (
               SELECT format('type %s len %s byval %s align %s storage %s in %s out %s recv %s send %s elem %s relation %s; acl %s',
                             t.typtype, t.typlen, t.typbyval, t.typalign, t.typstorage, t.typinput, t.typoutput,
                             t.typreceive, t.typsend, format_type(nullif(t.typelem, 0), NULL),
                             (SELECT string_agg(format('%s %s', a.attname, format_type(a.atttypid, a.atttypmod)), ', ' ORDER BY a.attnum)
                              FROM pg_attribute a WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped),
                             t.typacl)
               FROM pg_type t WHERE t.oid = m.objid)
           WHEN 'pg_class'::regclass THEN (
               SELECT format('relkind %s; columns %s; constraints %s; indexes %s; triggers %s; acl %s',
                             c.relkind,
                             (SELECT string_agg(format('%s %s%s%s', a.attname, format_type(a.atttypid, a.atttypmod),
                                                       CASE WHEN a.attnotnull THEN ' not null' ELSE '' END,
                                                       coalesce(' default ' || pg_get_expr(ad.adbin, ad.adrelid), '')), ', ' ORDER BY a.attnum)
                              FROM pg_attribute a LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
                              WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped),
                             (SELECT string_agg(format('%s %s', co.conname, pg_get_constraintdef(co.oid)), '; ' ORDER BY co.conname)
                              FROM pg_constraint co WHERE co.conrelid = c.oid),
                             (SELECT string_agg(pg_get_indexdef(i.indexrelid), '; ' ORDER BY 1)
                              FROM pg_index i WHERE i.indrelid = c.oid),
                             (SELECT string_agg(pg_get_triggerdef(tg.oid), '; ' ORDER BY tg.tgname)
                              FROM pg_trigger tg WHERE tg.tgrelid = c.oid AND NOT tg.tgisinternal),
                             c.relacl)
               FROM pg_class c WHERE c.oid = m.objid)
           WHEN 'pg_operator'::regclass THEN (
               SELECT format('operator %s(%s, %s) -> %s code %s commutator %s negator %s restrict %s join %s hashes %s merges %s',
                             o.oprname, format_type(nullif(o.oprleft, 0), NULL), format_type(nullif(o.oprright, 0), NULL),
                             format_type(o.oprresult, NULL), o.oprcode, o.oprcom::regoperator, o.oprnegate::regoperator,
                             o.oprrest, o.oprjoin, o.oprcanhash, o.oprcanmerge)
               FROM pg_operator o WHERE o.oid = m.objid)
           WHEN 'pg_opclass'::regclass THEN (
               SELECT format('opclass %s default %s type %s; operators %s; procedures %s',
                             am.amname, oc.opcdefault, format_type(oc.opcintype, NULL),
                             (SELECT string_agg(format('%s %s', ao.amopstrategy, ao.amopopr::regoperator), ', ' ORDER BY ao.amopstrategy)
                              FROM pg_amop ao WHERE ao.amopfamily = oc.opcfamily),
                             (SELECT string_agg(format('%s %s', ap.amprocnum, ap.amproc::regprocedure), ', ' ORDER BY ap.amprocnum)
                              FROM pg_amproc ap WHERE ap.amprocfamily = oc.opcfamily))
               FROM pg_opclass oc JOIN pg_am am ON am.oid = oc.opcmethod WHERE oc.oid = m.objid)
           WHEN 'pg_cast'::regclass THEN (
               SELECT format('cast %s -> %s via %s context %s method %s', format_type(ca.castsource, NULL),
                             format_type(ca.casttarget, NULL), ca.castfunc::regprocedure, ca.castcontext, ca.castmethod)
               FROM pg_cast ca WHERE ca.oid = m.objid)
           ELSE '' END AS definition
    FROM member m
)
SELECT 'object ' || object || ' | ' || definition || ' | comment ' || comment FROM described
UNION ALL
SELECT format('extension version %s schema %s acl %s', extversion, nspname, nspacl) FROM ext
UNION ALL
SELECT format('config dump %s %s', c::regclass, w)
FROM ext, unnest(extconfig, extcondition) AS u(c, w)
ORDER BY 1;

-- Shipped configuration rows, table by table.
SELECT format('shipped %s %s', c::regclass, query_to_xml(format('SELECT * FROM %s WHERE shipped ORDER BY 1, 2, 3', c::regclass),
                                                          false, false, ''))
FROM pg_extension e, unnest(e.extconfig) AS c
WHERE e.extname = 'sqii'
  AND EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = c AND a.attname = 'shipped' AND NOT a.attisdropped)
ORDER BY 1;
