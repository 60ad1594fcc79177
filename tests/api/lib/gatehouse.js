'use strict';
/*
 * gatehouse.js -- one real `gatehouse serve` process on 127.0.0.1 with its own scratch data
 * folder, plus the CLI calls the scenarios need (init, key create, audit list/verify).
 *
 * Nothing here sleeps: readiness is the "listening on" line on stdout, a log line is awaited
 * as it arrives on stderr, and a stop is the child's exit event.  Each wait has a guard
 * timeout so a hung server fails the test instead of hanging the run.
 *
 * The store.  By default every instance is SQLite in its data folder.  With
 * GATEHOUSE_TEST_PG_DIR set to the DIR of a running `scripts/pg.sh start DIR` cluster, every
 * instance gets a fresh PostgreSQL database of its own (`scripts/pg.sh createdb DIR gh_...`,
 * dropped again by destroy() unless GATEHOUSE_TEST_PG_KEEP=1), and every gatehouse command that
 * names the data folder, the server included, also gets `--store URL`; the data folder still
 * holds the master key.  GATEHOUSE_TEST_DEBUG=1 prints every command the harness runs (as a
 * shell line, on stderr).
 */
const { spawn, execFile, execFileSync } = require('child_process');
const crypto = require('crypto');
const fs = require('fs');
const os = require('os');
const path = require('path');

const START_TIMEOUT_MS = 10000;
const STOP_TIMEOUT_MS = 10000;
const CLI_TIMEOUT_MS = 15000;
const PG_TIMEOUT_MS = 30000;

const PG_SH = path.resolve(__dirname, '..', '..', '..', 'scripts', 'pg.sh');
const PG_DIR = process.env.GATEHOUSE_TEST_PG_DIR ? path.resolve(process.env.GATEHOUSE_TEST_PG_DIR) : null;
const PG_KEEP = Boolean(process.env.GATEHOUSE_TEST_PG_KEEP);
const DEBUG = Boolean(process.env.GATEHOUSE_TEST_DEBUG);

const live = new Set(); /* every server not yet destroyed, for the emergency cleanup */
const storeByDir = new Map(); /* scratch folder -> store URL, so a second server on it shares it */
let dbSeq = 0;

function shellQuote(a) {
    return /^[A-Za-z0-9_\/.,:=@%+-]+$/.test(a) ? a : `'${String(a).replace(/'/g, "'\\''")}'`;
}

/* GATEHOUSE_TEST_DEBUG=1: one stderr line per command, as it could be pasted into a shell. */
function show(cmd, args) {
    if (DEBUG) {
        process.stderr.write(`# harness$ ${[cmd, ...args].map(shellQuote).join(' ')}\n`);
    }
}

/* GATEHOUSE_TEST_DEBUG=1: what happens to the processes (signals, exits). */
function note(msg) {
    if (DEBUG) {
        process.stderr.write(`# harness: ${msg}\n`);
    }
}

/* Runs scripts/pg.sh; resolves its stdout trimmed, rejects with its one-line error. */
function pgsh(args) {
    show(PG_SH, args);
    return new Promise((resolve, reject) => {
        execFile(PG_SH, args, { timeout: PG_TIMEOUT_MS, maxBuffer: 256 << 20 }, (err, stdout, stderr) => {
            if (err) {
                reject(new Error(`scripts/pg.sh ${args.join(' ')}: ${(stderr || err.message).trim()}`));
                return;
            }
            resolve(stdout.trim());
        });
    });
}

/* The store the harness gives new instances: {kind: 'sqlite'} or {kind: 'postgresql', dir}. */
function storeKind() {
    return PG_DIR ? { kind: 'postgresql', dir: PG_DIR } : { kind: 'sqlite' };
}

/*
 * A fresh database in the GATEHOUSE_TEST_PG_DIR cluster for g: sets g.database = {name, url}
 * (the name before the create, so an interrupted run drops it too) and g.store.
 */
async function createDatabase(g) {
    const name = `gh_${process.pid}_${++dbSeq}_${crypto.randomBytes(3).toString('hex')}`;
    g.database = { name, url: null };
    const url = await pgsh(['createdb', PG_DIR, name]);
    if (!/^postgres(ql)?:\/\//.test(url)) {
        throw new Error(`scripts/pg.sh createdb printed no URL: ${JSON.stringify(url)}`);
    }
    g.database.url = url;
    g.store = url;
}

/* Runs the gatehouse CLI; resolves {code, signal, stdout, stderr}, never rejects on exit status. */
function cli(bin, args, opts = {}) {
    show(bin, args);
    return new Promise((resolve, reject) => {
        execFile(bin, args, { timeout: opts.timeout || CLI_TIMEOUT_MS, maxBuffer: 64 << 20,
                              env: opts.env || process.env },
                 (err, stdout, stderr) => {
                     if (err && typeof err.code !== 'number' && !err.signal) {
                         reject(err);
                         return;
                     }
                     resolve({ code: err ? err.code : 0, signal: err ? err.signal : null,
                               stdout, stderr });
                 });
    });
}

async function cliJson(bin, args) {
    const r = await cli(bin, args);
    if (r.code !== 0) {
        throw new Error(`gatehouse ${args.join(' ')} exited ${r.code}: ${r.stderr.trim()}`);
    }
    try {
        return JSON.parse(r.stdout);
    } catch (e) {
        throw new Error(`gatehouse ${args.join(' ')} printed no JSON: ${JSON.stringify(r.stdout)}`);
    }
}

class Gatehouse {
    /*
     * A server on the scratch folder dir.  store: its --store URL; by default the one given to
     * the folder's first instance (so `new Gatehouse(bin, g.dir)` is a second server on g's
     * store), or none (SQLite in the data folder).
     */
    constructor(bin, dir, { store } = {}) {
        this.bin = bin;
        this.dir = dir;                       /* scratch folder, removed by destroy() */
        this.data = path.join(dir, 'data');   /* the --data folder */
        this.store = store !== undefined ? store : (storeByDir.get(dir) || null); /* --store URL */
        this.database = null;                 /* the PostgreSQL database this instance owns */
        this.root = null;                     /* {sid, token, user, pass} of the main account */
        this.mainKey = null;                  /* {sid, secret, user, pass, account_sid} */
        this.owner = null;                    /* {sid, email, passphrase} of the owner user */
        this.proc = null;
        this.url = null;
        this.port = null;
        this.stdout = '';                     /* everything the server printed, all runs */
        this.stderr = '';
        this.logLines = [];                   /* complete stderr lines, all runs */
        this.waiters = [];                    /* pending waitForLog() calls */
        this.exits = [];                      /* {code, signal, expected} per finished run */
        this.responses = 0;                   /* HTTP responses received from this run */
        this.logBase = 0;                     /* index of this run's first log line */
        this.expectExit = false;
    }

    /*
     * Creates a scratch folder (and, with GATEHOUSE_TEST_PG_DIR, a fresh database), runs init and
     * key create, and starts the server.
     */
    static async create(bin) {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-api-'));
        const g = new Gatehouse(bin, dir);
        live.add(g);
        try {
            if (PG_DIR) {
                await createDatabase(g);
                storeByDir.set(dir, g.store);
            }
            /* Argon2id at its floor keeps logins quick; the policy is the default one. */
            fs.mkdirSync(g.data, { mode: 0o700 });
            fs.writeFileSync(path.join(g.data, 'gatehouse.conf'),
                             'pwhash_memory_mib = 19\npwhash_passes = 2\n', { mode: 0o600 });
            const init = await cliJson(bin, ['init', ...g.dataArgs(), '--json']);
            g.root = { sid: init.account_sid, token: init.auth_token,
                       user: init.account_sid, pass: init.auth_token };
            g.owner = { sid: init.owner_user_sid, email: init.owner_email,
                        passphrase: init.owner_passphrase };
            const key = await cliJson(bin, ['key', 'create', '--type', 'main', ...g.dataArgs(),
                                            '--json']);
            g.mainKey = { sid: key.sid, secret: key.secret, account_sid: key.account_sid,
                          user: key.sid, pass: key.secret };
            await g.start();
        } catch (e) {
            await g.destroy();
            throw e;
        }
        return g;
    }

    /* Starts `gatehouse serve` on the existing data folder; resolves once it is listening. */
    start() {
        if (this.proc) {
            return Promise.reject(new Error('server already running'));
        }
        live.add(this);
        this.expectExit = false;
        this.responses = 0;
        this.logBase = this.logLines.length;
        const args = ['serve', ...this.dataArgs(), '--listen', '127.0.0.1:0'];
        show(this.bin, args);
        const proc = spawn(this.bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
        note(`pid ${proc.pid} started`);
        this.proc = proc;
        let partial = '';
        proc.stderr.setEncoding('utf8');
        proc.stderr.on('data', (chunk) => {
            this.stderr += chunk;
            partial += chunk;
            const lines = partial.split('\n');
            partial = lines.pop();
            for (const line of lines) {
                this.logLines.push(line);
            }
            this.wake();
        });
        proc.stdout.setEncoding('utf8');
        proc.exitPromise = new Promise((resolve) => {
            /* 'close', not 'exit': it comes after stdout and stderr are drained */
            proc.on('close', (code, signal) => {
                note(`pid ${proc.pid} (${this.url || 'not listening'}) exited: code ${code}, signal ${signal}` +
                     `${this.expectExit ? '' : ' (unexpected)'}`);
                this.exits.push({ code, signal, expected: this.expectExit });
                if (this.proc === proc) {
                    this.proc = null;
                }
                this.wake();
                resolve({ code, signal });
            });
        });
        return new Promise((resolve, reject) => {
            let out = '';
            const timer = setTimeout(() => {
                reject(new Error(`server did not report listening within ${START_TIMEOUT_MS} ms; ` +
                                 `stderr: ${this.stderr.slice(-500)}`));
            }, START_TIMEOUT_MS);
            proc.stdout.on('data', (chunk) => {
                this.stdout += chunk;
                out += chunk;
                const m = /gatehouse: listening on (http:\/\/127\.0\.0\.1:(\d+))\s*\n/.exec(out);
                if (m && !this.url) {
                    clearTimeout(timer);
                    this.url = m[1];
                    this.port = Number(m[2]);
                    resolve(this);
                }
            });
            proc.on('error', (e) => { clearTimeout(timer); reject(e); });
            proc.exitPromise.then(({ code, signal }) => {
                clearTimeout(timer);
                reject(new Error(`server exited (code ${code}, signal ${signal}) before listening; ` +
                                 `stderr: ${this.stderr.slice(-500)}`));
            });
        }).finally(() => {
            if (!this.url) {
                this.proc = null;
            }
        });
    }

    running() {
        return this.proc !== null;
    }

    /* ['--data', DIR] plus ['--store', URL] when this instance has a store URL. */
    dataArgs() {
        return ['--data', this.data, ...(this.store ? ['--store', this.store] : [])];
    }

    /*
     * A second server on this instance's data folder and store (same root and main key), not
     * yet started.  Stop it with stop(), never destroy(): the folder belongs to this instance.
     */
    twin() {
        const t = new Gatehouse(this.bin, this.dir, { store: this.store });
        t.root = this.root;
        t.mainKey = this.mainKey;
        t.owner = this.owner;
        return t;
    }

    /* The last exit that nobody asked for, or null. */
    unexpectedExit() {
        return this.exits.find((e) => !e.expected) || null;
    }

    async waitExit(proc) {
        let timer;
        const guard = new Promise((resolve) => {
            timer = setTimeout(() => resolve(null), STOP_TIMEOUT_MS);
        });
        const r = await Promise.race([proc.exitPromise, guard]);
        clearTimeout(timer);
        return r;
    }

    /* SIGTERM and wait for the exit; resolves the {code, signal} of the exit. */
    async stop() {
        const proc = this.proc;
        if (!proc) {
            return null;
        }
        this.expectExit = true;
        note(`kill -TERM ${proc.pid} (${this.url})`);
        proc.kill('SIGTERM');
        const r = await this.waitExit(proc);
        if (r === null) {
            proc.kill('SIGKILL');
            await proc.exitPromise;
            throw new Error(`server did not exit within ${STOP_TIMEOUT_MS} ms of SIGTERM`);
        }
        this.url = null;
        return r;
    }

    /* kill -9, as a crash would; resolves once the process is gone. */
    async kill9() {
        const proc = this.proc;
        if (!proc) {
            return null;
        }
        this.expectExit = true;
        note(`kill -KILL ${proc.pid} (${this.url})`);
        proc.kill('SIGKILL');
        const r = await proc.exitPromise;
        this.url = null;
        return r;
    }

    async restart() {
        await this.stop();
        this.url = null;
        await this.start();
    }

    /*
     * Stops the server (SIGTERM) and removes the scratch folder.  Resolves the exit of the
     * stop, or null when the server was not running.
     */
    async destroy() {
        let exit = null;
        try {
            if (this.proc) {
                exit = await this.stop();
            }
        } finally {
            live.delete(this);
            fs.rmSync(this.dir, { recursive: true, force: true });
            storeByDir.delete(this.dir);
            if (this.database && !PG_KEEP) {
                const db = this.database;
                this.database = null;
                await pgsh(['dropdb', PG_DIR, db.name]);
            }
        }
        return exit;
    }

    wake() {
        const keep = [];
        for (const w of this.waiters) {
            if (!w.check()) {
                keep.push(w);
            }
        }
        this.waiters = keep;
    }

    /*
     * Resolves the first log line (from index `from` on) for which pred is true, as soon as it
     * is on stderr.  Rejects after timeoutMs (a guard against a missing line, not a delay).
     */
    waitForLog(pred, { from = 0, timeoutMs = 5000 } = {}) {
        return new Promise((resolve, reject) => {
            let timer = null;
            const w = {
                check: () => {
                    for (let i = from; i < this.logLines.length; i++) {
                        if (pred(this.logLines[i])) {
                            clearTimeout(timer);
                            resolve(this.logLines[i]);
                            return true;
                        }
                    }
                    if (!this.proc) {
                        clearTimeout(timer);
                        reject(new Error('server exited while waiting for a log line'));
                        return true;
                    }
                    return false;
                },
            };
            if (w.check()) {
                return;
            }
            timer = setTimeout(() => {
                this.waiters = this.waiters.filter((x) => x !== w);
                reject(new Error(`no matching log line within ${timeoutMs} ms`));
            }, timeoutMs);
            this.waiters.push(w);
        });
    }

    /* Waits until at least n log lines exist past index from. */
    waitForLogCount(n, { from = 0, timeoutMs = 5000 } = {}) {
        let seen = 0;
        return this.waitForLog(() => ++seen >= n, { from, timeoutMs }).then(
            () => this.logLines.slice(from, from + n));
    }

    /*
     * Resolves once every response received so far has its request line on stderr (the server
     * writes the line after answering, so it can trail the response a little).
     */
    settleLog({ timeoutMs = 5000 } = {}) {
        const isRequestLine = (l) => /^\d{4}-\d{2}-\d{2}T\S+ [A-Z]+ /.test(l);
        const want = this.responses;
        return new Promise((resolve, reject) => {
            let timer = null;
            const w = {
                check: () => {
                    const have = this.logLines.slice(this.logBase).filter(isRequestLine).length;
                    if (have >= want) {
                        clearTimeout(timer);
                        resolve();
                        return true;
                    }
                    return false;
                },
            };
            if (w.check()) {
                return;
            }
            timer = setTimeout(() => {
                this.waiters = this.waiters.filter((x) => x !== w);
                reject(new Error(`the log did not catch up with ${want} responses within ${timeoutMs} ms`));
            }, timeoutMs);
            this.waiters.push(w);
        });
    }

    /* Runs the CLI; a command that names the data folder gets this instance's --store too. */
    cli(args) {
        const named = args.some((a) => a === '--store' || a.startsWith('--store='));
        if (this.store && !named && args.some((a) => a === '--data' || a.startsWith('--data='))) {
            args = [...args, '--store', this.store];
        }
        return cli(this.bin, args);
    }

    /*
     * What the store holds at rest, as text, for tests that look for secrets in it: {} for
     * SQLite (its files are in the data folder); for PostgreSQL a plain pg_dump of this
     * instance's database and the cluster's server log.
     */
    async storeAtRest() {
        if (!this.database) {
            return {};
        }
        const out = { [`pg_dump of ${this.database.name}`]: await pgsh(['dump', PG_DIR, this.database.name]) };
        try {
            out['PostgreSQL server log'] = fs.readFileSync(path.join(PG_DIR, 'postgres.log'), 'latin1');
        } catch (e) { /* not readable: not ours to check */ }
        return out;
    }

    /* Audit events, parsed; after: only events with seq > after. */
    async audit(after) {
        const args = ['audit', 'list', '--json', ...this.dataArgs()];
        if (after !== undefined) {
            args.push('--after', String(after));
        }
        const r = await cli(this.bin, args);
        if (r.code !== 0) {
            throw new Error(`gatehouse audit list exited ${r.code}: ${r.stderr.trim()}`);
        }
        const lines = r.stdout.split('\n').filter((l) => l.trim() !== '');
        const events = lines.map((l) => {
            try {
                return JSON.parse(l);
            } catch (e) {
                throw new Error(`audit list printed a line that is not JSON: ${l}`);
            }
        });
        events.raw = r.stdout;
        return events;
    }

    /* The seq of the newest audit event (0 when empty). */
    async auditMark() {
        const ev = await this.audit();
        return ev.length ? ev[ev.length - 1].seq : 0;
    }

    auditVerify() {
        return cli(this.bin, ['audit', 'verify', ...this.dataArgs()]);
    }
}

/* Last-resort cleanup when the runner is interrupted. */
function killAll() {
    for (const g of live) {
        if (g.proc) {
            try {
                g.proc.kill('SIGKILL');
            } catch (e) { /* already gone */ }
        }
        fs.rmSync(g.dir, { recursive: true, force: true });
    }
    for (const g of live) {
        if (g.database && !PG_KEEP) {
            try {
                execFileSync(PG_SH, ['dropdb', PG_DIR, g.database.name], { stdio: ['ignore', 'ignore', 'inherit'], timeout: PG_TIMEOUT_MS });
            } catch (e) { /* the cluster is throwaway */ }
            g.database = null;
        }
    }
    live.clear();
}

/*
 * Checked once before the suite: with GATEHOUSE_TEST_PG_DIR, the cluster answers and the binary
 * knows --store.  Resolves a description of the store, rejects with the reason it cannot run.
 */
async function preflight(bin) {
    if (!PG_DIR) {
        return 'SQLite in each data folder';
    }
    const url = await pgsh(['url', PG_DIR]);
    const help = await cli(bin, ['serve', '--help']);
    if (!/--store\b/.test(help.stdout + help.stderr)) {
        throw new Error(`GATEHOUSE_TEST_PG_DIR is set but \`${bin} serve --help\` does not mention --store`);
    }
    return `PostgreSQL, a fresh database per instance in the cluster at ${url}`;
}

module.exports = { Gatehouse, cli, killAll, preflight, storeKind };
