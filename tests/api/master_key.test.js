'use strict';
/*
 * master_key -- the master key and the store, on either backend: a server given a different
 * master key refuses to start with a clear error (the store keeps a check value of its key);
 * a server can take its keys from $GATEHOUSE_MASTER_KEY instead of a key file; `master-key add`
 * then `master-key rotate` keeps a running server working throughout.  With
 * GATEHOUSE_TEST_PG_DIR, also: a PostgreSQL restart is invisible to clients, and while the
 * database is down requests get 503 (Twilio body) and nothing else.
 */
const { spawn, execFile } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { assert, ok, error, account } = require('./lib/check');
const { cli } = require('./lib/gatehouse');

const PG_DIR = process.env.GATEHOUSE_TEST_PG_DIR ? path.resolve(process.env.GATEHOUSE_TEST_PG_DIR) : null;
const PG_SH = path.resolve(__dirname, '../../scripts/pg.sh');
const acct = (sid) => `/2010-04-01/Accounts/${sid}.json`;

/*
 * Runs `gatehouse serve` with extra args/env until it listens (resolves {url, proc}) or exits
 * (resolves {code, stderr}).  Never sleeps: both outcomes are events.
 */
function serve(bin, args, env) {
    return new Promise((resolve, reject) => {
        const proc = spawn(bin, ['serve', ...args, '--listen', '127.0.0.1:0'],
                           { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
        let out = '';
        let err = '';
        const timer = setTimeout(() => { proc.kill('SIGKILL'); reject(new Error('serve hung')); }, 15000);
        proc.stdout.on('data', (d) => {
            out += d;
            const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
            if (m) {
                clearTimeout(timer);
                resolve({ url: m[1], proc, stderr: () => err });
            }
        });
        proc.stderr.on('data', (d) => { err += d; });
        proc.on('close', (code) => { clearTimeout(timer); resolve({ code, stderr: err, stdout: out }); });
    });
}

function stop(proc) {
    return new Promise((resolve) => { proc.on('close', resolve); proc.kill('SIGTERM'); });
}

async function getAccount(url, root) {
    const auth = 'Basic ' + Buffer.from(`${root.user}:${root.pass}`).toString('base64');
    const res = await fetch(`${url}${acct(root.sid)}`, { headers: { Authorization: auth } });
    return { status: res.status, body: await res.json() };
}

/* A key file for another instance: init in a scratch folder. */
async function otherKeyFile(bin) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-otherkey-'));
    const r = await cli(bin, ['init', '--data', dir, '--json']);
    assert.strictEqual(r.code, 0, r.stderr);
    return { file: path.join(dir, 'master.key'), remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

function pgsh(args) {
    return new Promise((resolve, reject) => {
        execFile(PG_SH, args, { timeout: 90000 }, (e, stdout, stderr) => {
            if (e) {
                reject(new Error(`pg.sh ${args.join(' ')}: ${stderr}`));
                return;
            }
            resolve(stdout.trim());
        });
    });
}

module.exports = (t) => {
    t.test('a server given a different master key refuses to start, saying so; so does every command', async (c) => {
        const other = await otherKeyFile(c.g.bin);
        try {
            const r = await serve(c.g.bin, [...c.g.dataArgs(), '--key-file', other.file], {});
            assert.ok(r.proc === undefined, 'the server started with the wrong key');
            assert.strictEqual(r.code, 1);
            assert.match(r.stderr, /The master key does not match this store/);
            assert.doesNotMatch(r.stdout, /listening/);
            ok(await c.get('/v1/Health/Ready', { auth: null })); /* the running server is ready */
            const a = await c.g.cli(['audit', 'list', ...c.g.dataArgs(), '--key-file', other.file]);
            assert.strictEqual(a.code, 1);
            assert.match(a.stderr, /The master key does not match this store/);
            const k = await c.g.cli(['key', 'create', '--type', 'main', ...c.g.dataArgs(), '--key-file', other.file]);
            assert.strictEqual(k.code, 1, 'a key was created under the wrong master key');
        } finally {
            other.remove();
        }
        ok(await c.get(acct(c.root.sid)));
    });

    t.test('a server takes its keys from $GATEHOUSE_MASTER_KEY (no key file); a wrong one is refused', async (c) => {
        const exp = await c.g.cli(['master-key', 'export', ...c.g.dataArgs()]);
        assert.strictEqual(exp.code, 0, exp.stderr);
        const m = /^GATEHOUSE_MASTER_KEY=(\S+)\n$/.exec(exp.stdout);
        assert.ok(m, `export printed ${JSON.stringify(exp.stdout.slice(0, 30))}...`);
        const missing = path.join(c.g.dir, 'no-such-key-file');
        const s = await serve(c.g.bin, [...c.g.dataArgs(), '--key-file', missing], { GATEHOUSE_MASTER_KEY: m[1] });
        assert.ok(s.proc, `serve with the environment key exited: ${s.stderr}`);
        try {
            const r = await getAccount(s.url, c.root);
            assert.strictEqual(r.status, 200, JSON.stringify(r.body));
            assert.strictEqual(r.body.auth_token, c.root.token);
        } finally {
            await stop(s.proc);
        }
        const bad = await serve(c.g.bin, [...c.g.dataArgs(), '--key-file', missing],
                                { GATEHOUSE_MASTER_KEY: '1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=' });
        assert.strictEqual(bad.code, 1);
        assert.match(bad.stderr, /The master key does not match this store/);
        const none = await serve(c.g.bin, [...c.g.dataArgs(), '--key-file', missing], {});
        assert.strictEqual(none.code, 1);
        assert.match(none.stderr, /master key is missing/);
        const rot = await c.g.cli(['master-key', 'rotate', ...c.g.dataArgs()]);
        assert.strictEqual(rot.code, 0, rot.stderr); /* the key file itself is still there */
    });

    t.test('master-key add, then rotate: the running server keeps every credential working', { fresh: true }, async (c) => {
        const sub = await c.createSub('rotating');
        const key = await c.createKey2010(c.root.sid, { friendlyName: 'before' });
        const add = await c.g.cli(['master-key', 'add', ...c.g.dataArgs(), '--json']);
        assert.strictEqual(add.code, 0, add.stderr);
        const added = JSON.parse(add.stdout).key_id;
        ok(await c.get(acct(c.root.sid)));
        ok(await c.get(acct(sub.sid), { auth: sub }));
        const rot = await c.g.cli(['master-key', 'rotate', ...c.g.dataArgs(), '--json']);
        assert.strictEqual(rot.code, 0, rot.stderr);
        const rotated = JSON.parse(rot.stdout);
        assert.strictEqual(rotated.key_id, added, 'rotate used the key that add staged');
        assert.ok(rotated.resealed >= 4, `re-sealed ${rotated.resealed} secrets`);
        account(ok(await c.get(acct(c.root.sid))), { sid: c.root.sid });
        ok(await c.get(acct(sub.sid), { auth: sub }));
        ok(await c.get(acct(c.root.sid), { auth: c.mainKey }));
        /* a standard key's secret still verifies: 403 (its reach), not 401 */
        error(await c.get(acct(c.root.sid), { auth: key }), 403, 20403, 'standard key after rotation');
        const fresh = await c.createSub('after-rotation');
        ok(await c.get(acct(fresh.sid), { auth: fresh }));
        const v = await c.g.auditVerify();
        assert.strictEqual(v.code, 0, v.stdout + v.stderr);
    });

    t.test('a server left behind by a rotation answers readiness 503 (not ready) until it has the new key', { fresh: true }, async (c) => {
        const copy = path.join(c.g.dir, 'stale-copy.key');
        fs.copyFileSync(path.join(c.g.data, 'master.key'), copy);
        fs.chmodSync(copy, 0o600);
        const s = await serve(c.g.bin, [...c.g.dataArgs(), '--key-file', copy], {});
        assert.ok(s.proc, `serve with the copied key exited: ${s.stderr}`);
        try {
            let r = await fetch(`${s.url}/v1/Health/Ready`);
            assert.strictEqual(r.status, 200);
            const rot = await c.g.cli(['master-key', 'rotate', ...c.g.dataArgs()]);
            assert.strictEqual(rot.code, 0, rot.stderr);
            r = await fetch(`${s.url}/v1/Health/Ready`);
            const body = await r.json();
            assert.strictEqual(r.status, 503);
            assert.strictEqual(body.code, 20503);
            assert.match(body.message, /master key does not match/);
            fs.copyFileSync(path.join(c.g.data, 'master.key'), copy); /* it gets the new key */
            r = await fetch(`${s.url}/v1/Health/Ready`);
            assert.strictEqual(r.status, 200);
            assert.strictEqual((await getAccount(s.url, c.root)).status, 200);
        } finally {
            await stop(s.proc);
        }
    });

    if (!PG_DIR) {
        return;
    }

    t.test('PostgreSQL restarts are invisible; while it is down requests get 503 20503 and nothing is lost', { fresh: true, timeout: 120000 }, async (c) => {
        const before = await c.createSub('before-outage');
        await pgsh(['halt', PG_DIR]);
        let down;
        try {
            down = await c.get(acct(c.root.sid));
            error(down, 503, 20503, 'store down');
            const ready = await c.get('/v1/Health/Ready', { auth: null });
            error(ready, 503, 20503, 'readiness while the store is down');
            ok(await c.get('/v1/Health', { auth: null })); /* liveness is still fine */
            const write = await c.post('/2010-04-01/Accounts.json', { FriendlyName: 'during-outage' });
            error(write, 503, 20503, 'write while the store is down');
        } finally {
            await pgsh(['start', PG_DIR]);
        }
        ok(await c.get('/v1/Health/Ready', { auth: null }));
        account(ok(await c.get(acct(before.sid), { auth: before })), { sid: before.sid });
        const after = await c.createSub('after-outage');
        ok(await c.get(acct(after.sid), { auth: after }));
        const body = ok(await c.get('/2010-04-01/Accounts.json', { query: { FriendlyName: 'during-outage' } }));
        assert.deepStrictEqual(body.accounts, [], 'a refused write was applied');
    });
};
