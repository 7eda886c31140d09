// What a JavaScript dashboard receives through node-postgres (npm's pg, pinned
// in package-lock.json).
//
// Reads checks.json and, for every check, connects as the BI role (PGHOST,
// PGPORT, PGUSER, PGDATABASE) with pg's default type parsers and asserts: the
// columns and their order; each column's kind (int: a whole JavaScript number,
// float: a finite number, bool: a boolean, text or display: a string), from the
// type OID the server reports and from every value; that no column arrives as
// one of sqii's types, a composite or an array, nor as bigint or numeric (which
// pg hands over as strings); that no text column holds a number or a tally
// written as text; and that the values are the server's (count and sum of every
// column computed by the server over the same query).
// Prints each column as `name oid-type -> js-type` and exits 1 on any failure.
'use strict';

const fs = require('fs');
const path = require('path');
const pg = require('pg');

const KIND_OIDS = {
    int: [21, 23],
    float: [700, 701],
    bool: [16],
    text: [25, 1043],
    display: [25, 1043],
};
const KIND_TYPES = { int: 'number', float: 'number', bool: 'boolean', text: 'string', display: 'string' };
const NUMBER_TEXT = /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/;
const TALLY_TEXT = /^\(.*,.*,.*\)$/;

const quoteIdent = (name) => '"' + name.replace(/"/g, '""') + '"';
const jsType = (v) => typeof v;

// Run one check; return its problems.
async function check(client, spec) {
    const name = spec.relation || spec.name;
    const sql = spec.sql || 'SELECT * FROM ' + spec.relation;
    const expected = spec.columns;
    const problems = [];

    const res = await client.query({ text: sql, rowMode: 'array' });
    const rows = res.rows;
    const got = res.fields.map((f) => [f.name, f.dataTypeID]);
    const gotNames = got.map(([c]) => c).join(',');
    const expectedNames = expected.map(([c]) => c).join(',');
    if (gotNames !== expectedNames)
        problems.push(`columns ${gotNames}, expected ${expectedNames}`);
    if (rows.length === 0)
        problems.push('no rows: the types cannot be seen');

    const typeRes = await client.query(
        'SELECT t.oid::int, pg_catalog.format_type(t.oid, NULL), t.typnamespace::regnamespace::text, ' +
        't.typtype, t.typcategory FROM pg_catalog.pg_type t WHERE t.oid = ANY($1)', [got.map(([, oid]) => oid)]);
    const types = new Map(typeRes.rows.map((r) => [r.oid, r]));

    const kinds = new Map(expected);
    const shown = [];
    got.forEach(([col, oid], i) => {
        const t = types.get(oid) || { format_type: `oid ${oid}`, typnamespace: '?', typtype: '?', typcategory: '?' };
        const values = rows.map((r) => r[i]).filter((v) => v !== null);
        const jsTypes = [...new Set(values.map(jsType))].sort();
        shown.push(`${col} ${t.format_type} -> ${jsTypes.join('/') || 'NULL'}`);
        if (t.typnamespace === 'sqii' || t.typtype === 'c' || t.typtype === 'p' || t.typcategory === 'A')
            problems.push(`${col} arrives as ${t.format_type} (schema ${t.typnamespace}): not an ordinary column`);
        const kind = kinds.get(col);
        if (kind === undefined)
            return;
        if (!KIND_OIDS[kind].includes(oid))
            problems.push(`${col} is ${t.format_type}, expected ${kind} (one of OIDs ${KIND_OIDS[kind]})`);
        if (values.length === 0)
            problems.push(`${col} is NULL in every row: its type is not seen`);
        const wrong = values.find((v) => typeof v !== KIND_TYPES[kind]);
        if (wrong !== undefined)
            problems.push(`${col} arrives as ${typeof wrong}, expected ${KIND_TYPES[kind]}`);
        if (kind === 'int' && values.some((v) => typeof v === 'number' && !Number.isSafeInteger(v)))
            problems.push(`${col} holds numbers that are not whole`);
        if (kind === 'float' && values.some((v) => typeof v === 'number' && !Number.isFinite(v)))
            problems.push(`${col} holds NaN or infinity`);
        if (kind !== 'display') {
            const texts = values.filter((v) => typeof v === 'string' && (NUMBER_TEXT.test(v) || TALLY_TEXT.test(v)));
            if (texts.length > 0)
                problems.push(`${col} holds numbers or tallies as text (${texts.length} values)`);
        }
    });

    // The values are the server's: row count, non-NULL count per column, sum of
    // each numeric column and count of true per boolean column.
    if (problems.length === 0) {
        const exprs = ['pg_catalog.count(*)::int'];
        const mine = [rows.length];
        expected.forEach(([col, kind], i) => {
            const q = quoteIdent(col);
            const values = rows.map((r) => r[i]).filter((v) => v !== null);
            exprs.push(`pg_catalog.count(${q})::int`);
            mine.push(values.length);
            if (kind === 'int' || kind === 'float') {
                exprs.push(`pg_catalog.sum(${q}::float8)`);
                mine.push(values.reduce((a, b) => a + b, 0));
            } else if (kind === 'bool') {
                exprs.push(`(pg_catalog.count(*) FILTER (WHERE ${q}))::int`);
                mine.push(values.filter((v) => v).length);
            }
        });
        const sums = await client.query({ text: `SELECT ${exprs.join(', ')} FROM (${sql}) AS q`, rowMode: 'array' });
        const server = sums.rows[0];
        const close = (s, m) => s === m || Math.abs(s - m) <= 1e-9 * Math.max(1, Math.abs(s), Math.abs(m));
        if (server.some((s, k) => !close(s, mine[k])))
            problems.push(`count and sums differ from the server: ${mine} against ${server}`);
    }

    console.log(`node-postgres ${name}: ${rows.length} rows: ${shown.join(', ')}`);
    return problems;
}

async function main() {
    const checks = JSON.parse(fs.readFileSync(path.join(__dirname, 'checks.json'), 'utf8')).checks;
    const client = new pg.Client();   // reads PGHOST, PGPORT, PGUSER, PGDATABASE
    await client.connect();
    const version = require('pg/package.json').version;
    const who = await client.query(
        'SELECT current_user AS user, r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname = current_user');
    console.log(`node-postgres ${version} (node ${process.versions.node}) connected as ${who.rows[0].user} ` +
                `(superuser: ${who.rows[0].rolsuper})`);
    if (who.rows[0].rolsuper) {
        console.log('  FAILED: connected as a superuser: the test must read as the BI role');
        await client.end();
        return 1;
    }
    let failed = 0;
    for (const spec of checks) {
        let problems;
        try {
            problems = await check(client, spec);
        } catch (e) {
            console.log(`node-postgres ${spec.relation || spec.name}:`);
            problems = [e.message];
        }
        problems.forEach((p) => console.log(`  FAILED: ${p}`));
        failed += problems.length > 0 ? 1 : 0;
    }
    await client.end();
    console.log(failed ? `node-postgres: ${failed} of ${checks.length} checks failed`
                       : `node-postgres: all ${checks.length} checks passed`);
    return failed ? 1 : 0;
}

main().then((rc) => process.exit(rc), (e) => {
    console.error(`node-postgres: FAILED: ${e.message}`);
    process.exit(1);
});
