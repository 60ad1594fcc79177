#!/usr/bin/env node
'use strict';
/*
 * run.js -- the API test suite: runs every tests/api/*.test.js against the real server and
 * prints TAP.  Exits 1 when a case failed, 2 when the suite could not run.
 *
 *   GATEHOUSE_BIN=build/cli/gatehouse node tests/api/run.js [name-filter ...]
 *
 * GATEHOUSE_BIN defaults to build-dev/cli/gatehouse under the repository root.  Arguments,
 * when given, keep only the scenario files whose name contains one of them.
 * GATEHOUSE_TEST_TIMES=1 adds each case's duration as a diagnostic; GATEHOUSE_TEST_VERBOSE=1
 * prints the notes a passing case made (c.diag) too.
 *
 * The store: SQLite by default.  GATEHOUSE_TEST_PG_DIR=DIR (a cluster started with
 * `scripts/pg.sh start DIR`) runs every instance on a fresh PostgreSQL database of its own, with
 * `--store URL` on every gatehouse command (see lib/gatehouse.js; GATEHOUSE_TEST_PG_KEEP=1 keeps
 * the databases).  GATEHOUSE_TEST_DEBUG=1 prints every command the harness runs on stderr, and
 * runs the suite even when the binary does not know --store yet.
 */
const fs = require('fs');
const path = require('path');
const { runFile, Tap } = require('./lib/harness');
const { killAll, preflight } = require('./lib/gatehouse');

const here = __dirname;
const root = path.resolve(here, '..', '..');

async function main() {
    const bin = path.resolve(root, process.env.GATEHOUSE_BIN || 'build-dev/cli/gatehouse');
    const tap = new Tap();
    try {
        fs.accessSync(bin, fs.constants.X_OK);
    } catch (e) {
        tap.result(false, `gatehouse binary is executable: ${bin}`);
        tap.plan();
        return 2;
    }
    const filters = process.argv.slice(2);
    const files = fs.readdirSync(here)
        .filter((f) => f.endsWith('.test.js'))
        .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
        .sort()
        .map((f) => path.join(here, f));
    tap.diag(`gatehouse api tests: ${bin}`);
    try {
        tap.diag(`store: ${await preflight(bin)}`);
    } catch (e) {
        if (!process.env.GATEHOUSE_TEST_DEBUG) {
            tap.result(false, `the store can be used: ${e.message}`);
            tap.plan();
            return 2;
        }
        tap.diag(`store preflight failed, running anyway (GATEHOUSE_TEST_DEBUG): ${e.message}`);
    }
    const t0 = Date.now();
    for (const file of files) {
        await runFile(file, { bin, tap });
    }
    tap.diag(`${tap.n - tap.failed - tap.skipped} passed, ${tap.failed} failed, ${tap.skipped} skipped ` +
             `in ${Date.now() - t0} ms`);
    tap.plan();
    return tap.failed > 0 ? 1 : 0;
}

for (const sig of ['SIGINT', 'SIGTERM']) {
    process.on(sig, () => {
        killAll();
        process.exit(130);
    });
}
process.on('exit', killAll);

main().then((code) => {
    process.exitCode = code;
}, (e) => {
    process.stdout.write(`not ok - api suite crashed\n# ${String(e.stack || e).split('\n').join('\n# ')}\n`);
    killAll();
    process.exitCode = 2;
});
