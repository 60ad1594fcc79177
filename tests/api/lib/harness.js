'use strict';
/*
 * harness.js -- collects the test cases of one scenario file and runs them, printing TAP.
 *
 * A scenario file exports   module.exports = (t) => { t.test(name, [opts], async (c) => ...) }.
 * Tests of a file share one server (started lazily, replaced if it dies) unless a test asks
 * for { fresh: true }: then it gets its own server and data folder.  A test receives a
 * Context (client.js) bound to its server; it must not rely on what an earlier test did.
 */
const path = require('path');
const { Gatehouse } = require('./gatehouse');
const { Context } = require('./client');

const DEFAULT_TIMEOUT_MS = 30000;

class Collector {
    constructor(file) {
        this.file = file;
        this.name = path.basename(file).replace(/\.test\.js$/, '');
        this.cases = [];
    }

    test(name, opts, fn) {
        if (typeof opts === 'function') {
            fn = opts;
            opts = {};
        }
        this.cases.push({ name, opts, fn });
    }

    /* A case that is planned but cannot run; printed as "ok N - name # SKIP reason". */
    skip(name, reason) {
        this.cases.push({ name, skip: reason });
    }
}

class Tap {
    constructor(out = process.stdout) {
        this.out = out;
        this.n = 0;
        this.failed = 0;
        this.skipped = 0;
    }

    line(s) {
        this.out.write(`${s}\n`);
    }

    diag(s) {
        for (const l of String(s).split('\n')) {
            this.line(`# ${l}`);
        }
    }

    result(ok, name, directive) {
        this.n++;
        if (!ok) {
            this.failed++;
        }
        this.line(`${ok ? 'ok' : 'not ok'} ${this.n} - ${name}${directive ? ` # ${directive}` : ''}`);
    }

    plan() {
        this.line(`1..${this.n}`);
    }
}

function withTimeout(promise, ms, what) {
    let timer;
    const guard = new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
    });
    return Promise.race([promise, guard]).finally(() => clearTimeout(timer));
}

function errorLines(e) {
    if (!e) {
        return ['(no error)'];
    }
    const msg = e.stack || String(e);
    /* keep the message and the first frames inside tests/api/ */
    const lines = msg.split('\n');
    const head = [];
    let frames = 0;
    for (const l of lines) {
        if (/^\s+at /.test(l)) {
            if (l.includes(`${path.sep}tests${path.sep}api${path.sep}`) && frames < 3) {
                head.push(l.trim());
                frames++;
            }
        } else {
            head.push(l);
        }
    }
    return head;
}

/* An Error when a SIGTERM stop did not end in a clean exit (status 0). */
function uncleanStop(exit) {
    if (exit && (exit.code !== 0 || exit.signal)) {
        return new Error(`server did not shut down cleanly on SIGTERM (code ${exit.code}, signal ${exit.signal})`);
    }
    return null;
}

/* Runs one scenario file, printing one TAP line per case. */
async function runFile(file, { bin, tap }) {
    const col = new Collector(file);
    try {
        require(file)(col);
    } catch (e) {
        tap.result(false, `${col.name}: load scenario file`);
        tap.diag(errorLines(e).join('\n'));
        return;
    }
    tap.diag(`${col.name} (${col.cases.length} cases)`);
    let shared = null;
    let sharedExits = 0; /* exits of the shared server already accounted for */
    let previous = null;
    /* A shared server that died between cases is a failure of its own. */
    const checkShared = () => {
        if (!shared) {
            return;
        }
        const crash = shared.exits.slice(sharedExits).find((x) => !x.expected);
        sharedExits = shared.exits.length;
        if (crash) {
            tap.result(false, `${col.name}: shared server stays up (after "${previous}")`);
            tap.diag(`  exited with code ${crash.code}, signal ${crash.signal}; stderr tail:\n${shared.stderr.slice(-1500)}`);
        }
    };
    let index = 0;
    for (const tc of col.cases) {
        index++;
        const name = `${col.name}: ${tc.name}`;
        if (tc.skip) {
            tap.result(true, name, `SKIP ${tc.skip}`);
            tap.skipped++;
            continue;
        }
        let g = null;
        let ctx = null;
        let failure = null;
        const t0 = Date.now();
        try {
            if (tc.opts.fresh) {
                g = await Gatehouse.create(bin);
            } else {
                checkShared();
                if (shared && !shared.running()) {
                    await shared.destroy();
                    shared = null;
                }
                if (!shared) {
                    shared = await Gatehouse.create(bin);
                    sharedExits = 0;
                }
                g = shared;
            }
            const exitsBefore = g.exits.length;
            ctx = new Context(g, { ua: `gatehouse-api-tests/1 (${col.name}#${index})`, label: name });
            await withTimeout(Promise.resolve().then(() => tc.fn(ctx)),
                              tc.opts.timeout || DEFAULT_TIMEOUT_MS, 'test');
            const crash = g.exits.slice(exitsBefore).find((x) => !x.expected);
            if (crash) {
                throw new Error(`server exited unexpectedly (code ${crash.code}, signal ${crash.signal})`);
            }
            if (g === shared) {
                sharedExits = g.exits.length;
            }
        } catch (e) {
            failure = e;
            if (g === shared && shared) {
                sharedExits = shared.exits.length; /* reported with this case */
            }
        }
        let stopFailure = null;
        if (tc.opts.fresh && g) {
            /* destroy even when the case failed: a leaked server keeps the runner alive */
            try {
                stopFailure = uncleanStop(await g.destroy());
            } catch (e) {
                stopFailure = e;
            }
        }
        tap.result(failure === null && stopFailure === null, name);
        if (failure) {
            tap.diag(errorLines(failure).map((l) => `  ${l}`).join('\n'));
            if (ctx) {
                tap.diag(ctx.report().map((l) => `  ${l}`).join('\n'));
            }
        }
        if (stopFailure) {
            /* also when the case failed: a crash can close the connection before its exit event */
            tap.diag(errorLines(stopFailure).map((l) => `  ${l}`).join('\n'));
        }
        if ((failure || stopFailure) && g && (g.unexpectedExit() || stopFailure)) {
            tap.diag(`  server stderr tail:\n${g.stderr.slice(-1500)}`);
        }
        if (!failure && ctx && process.env.GATEHOUSE_TEST_VERBOSE) {
            ctx.notes.forEach((n) => tap.diag(`  ${n}`));
        }
        if (process.env.GATEHOUSE_TEST_TIMES) {
            tap.diag(`  ${Date.now() - t0} ms`);
        }
        previous = tc.name;
    }
    checkShared();
    if (shared) {
        let failure = null;
        try {
            failure = uncleanStop(await shared.destroy());
        } catch (e) {
            failure = e;
        }
        if (failure) {
            tap.result(false, `${col.name}: stop the shared server`);
            tap.diag(errorLines(failure).join('\n'));
        }
    }
}

module.exports = { runFile, Tap, Collector };
