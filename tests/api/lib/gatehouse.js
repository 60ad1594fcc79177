'use strict';
/*
 * gatehouse.js -- one real `gatehouse serve` process on 127.0.0.1 with its own scratch data
 * folder, plus the CLI calls the scenarios need (init, key create, audit list/verify).
 *
 * Nothing here sleeps: readiness is the "listening on" line on stdout, a log line is awaited
 * as it arrives on stderr, and a stop is the child's exit event.  Each wait has a guard
 * timeout so a hung server fails the test instead of hanging the run.
 */
const { spawn, execFile } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const START_TIMEOUT_MS = 10000;
const STOP_TIMEOUT_MS = 10000;
const CLI_TIMEOUT_MS = 15000;

const live = new Set(); /* every server not yet destroyed, for the emergency cleanup */

/* Runs the gatehouse CLI; resolves {code, signal, stdout, stderr}, never rejects on exit status. */
function cli(bin, args, opts = {}) {
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
    constructor(bin, dir) {
        this.bin = bin;
        this.dir = dir;                       /* scratch folder, removed by destroy() */
        this.data = path.join(dir, 'data');   /* the --data folder */
        this.root = null;                     /* {sid, token, user, pass} of the main account */
        this.mainKey = null;                  /* {sid, secret, user, pass, account_sid} */
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

    /* Creates a scratch folder, runs init and key create, and starts the server. */
    static async create(bin) {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-api-'));
        const g = new Gatehouse(bin, dir);
        live.add(g);
        try {
            const init = await cliJson(bin, ['init', '--data', g.data, '--json']);
            g.root = { sid: init.account_sid, token: init.auth_token,
                       user: init.account_sid, pass: init.auth_token };
            const key = await cliJson(bin, ['key', 'create', '--type', 'main', '--data', g.data,
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
        const proc = spawn(this.bin, ['serve', '--data', this.data, '--listen', '127.0.0.1:0'],
                           { stdio: ['ignore', 'pipe', 'pipe'] });
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

    cli(args) {
        return cli(this.bin, args);
    }

    /* Audit events, parsed; after: only events with seq > after. */
    async audit(after) {
        const args = ['audit', 'list', '--json', '--data', this.data];
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
        return cli(this.bin, ['audit', 'verify', '--data', this.data]);
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
    live.clear();
}

module.exports = { Gatehouse, cli, killAll };
