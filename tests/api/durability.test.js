'use strict';
/*
 * durability -- every acknowledged write survives a crash.  Concurrent POST Accounts.json
 * requests run against the server; after the Nth 201 it is killed with SIGKILL (no timed
 * sleep: the kill is triggered by the acknowledgement itself), restarted on the same data
 * folder, and every SID that got a 201 must be there, with its token, its audit event and an
 * intact audit chain.
 */
const { assert, ok, account, findEvents } = require('./lib/check');

const ACCOUNTS = '/2010-04-01/Accounts.json';

/*
 * Runs `total` creates with `inFlight` concurrent workers.  stopAfter(n) is called with the
 * number of acknowledgements so far after each one; when it returns true, `onStop` runs at once
 * (synchronously) and the workers stop sending.  Resolves {acked, failed, attempted}.
 */
async function load(c, { total, inFlight, prefix, stopAt, onStop }) {
    const acked = [];
    const failed = [];
    const attempted = new Set();
    let next = 0;
    let stopped = false;
    async function worker() {
        while (!stopped && next < total) {
            const i = next++;
            const name = `${prefix}-${i}`;
            attempted.add(name);
            try {
                const res = await c.post(ACCOUNTS, { FriendlyName: name });
                if (res.status === 201) {
                    acked.push({ sid: res.json.sid, token: res.json.auth_token, name });
                    if (!stopped && acked.length >= stopAt) {
                        stopped = true;
                        onStop();
                    }
                } else {
                    failed.push(`${name}: HTTP ${res.status} ${res.text.slice(0, 100)}`);
                }
            } catch (e) {
                failed.push(`${name}: ${e.cause ? e.cause.code || e.cause.message : e.message}`);
            }
        }
    }
    await Promise.all([...Array(inFlight)].map(() => worker()));
    return { acked, failed, attempted };
}

/* After a restart: every acknowledged account is there, whole, and reachable. */
async function verifyAcked(c, acked, attempted) {
    const body = ok(await c.get(ACCOUNTS, { query: { PageSize: 1000 } }));
    assert.strictEqual(body.next_page_uri, null);
    const listed = new Map(body.accounts.map((a) => [a.sid, a]));
    assert.strictEqual(listed.size, body.accounts.length, 'an account is listed twice');
    const missing = acked.filter((a) => !listed.has(a.sid));
    assert.deepStrictEqual(missing.map((a) => `${a.sid} (${a.name})`), [], 'acknowledged accounts lost in the crash');
    for (const a of acked) {
        account(ok(await c.get(`/2010-04-01/Accounts/${a.sid}.json`), 200, `fetch ${a.sid}`),
                { sid: a.sid, friendlyName: a.name, status: 'active', owner: c.root.sid });
        ok(await c.get(`/2010-04-01/Accounts/${a.sid}.json`, { auth: { user: a.sid, pass: a.token } }), 200,
           `acknowledged token of ${a.sid} works`);
    }
    /* nothing was invented: every subaccount is one a request asked for, each name once */
    const names = body.accounts.filter((a) => a.sid !== c.root.sid).map((a) => a.friendly_name);
    for (const n of names) {
        assert.ok(attempted.has(n), `unexpected account ${n}`);
    }
    assert.strictEqual(new Set(names).size, names.length, 'one request created two accounts');
    /* the audit log has one account.create per acknowledged account and its chain verifies */
    const events = await c.audit();
    const missingEvents = acked.filter((a) => findEvents(events, { action: 'account.create', target: a.sid }).length !== 1);
    assert.deepStrictEqual(missingEvents.map((a) => a.sid), [], 'acknowledged creates without exactly one audit event');
    const v = await c.g.auditVerify();
    assert.strictEqual(v.code, 0, `audit verify after the crash: ${v.stdout}${v.stderr}`);
}

module.exports = (t) => {
    t.test('kill -9 after the 100th of ~200 concurrent creates (8 in flight): every acknowledged SID survives',
           { fresh: true, timeout: 120000 }, async (c) => {
        let killed = null;
        const { acked, failed, attempted } = await load(c, {
            total: 200, inFlight: 8, prefix: 'dur', stopAt: 100,
            onStop: () => { killed = c.g.kill9(); },
        });
        assert.ok(killed, 'the server was killed');
        const exit = await killed;
        assert.strictEqual(exit.signal, 'SIGKILL');
        c.diag(`acknowledged ${acked.length}, failed ${failed.length}, attempted ${attempted.size}`);
        assert.ok(acked.length >= 100, `only ${acked.length} acknowledgements`);
        assert.strictEqual(new Set(acked.map((a) => a.sid)).size, acked.length, 'a SID was acknowledged twice');
        await c.g.start();
        await verifyAcked(c, acked, attempted);
        /* and the restarted server keeps working */
        account(ok(await c.post(ACCOUNTS, { FriendlyName: 'after-crash' }), 201), { friendlyName: 'after-crash' });
    });

    t.test('kill -9 in the middle of key creation and token rotation: acknowledged keys and secrets survive',
           { fresh: true, timeout: 60000 }, async (c) => {
        const sec = ok(await c.post('/v1/AuthTokens/Secondary', {}), 201);
        const p = ok(await c.post('/v1/AuthTokens/Promote', {}), 200);
        const newPrimary = { user: c.root.sid, pass: p.auth_token };
        const keys = [];
        let stop = false;
        let killed = null;
        const worker = async (w) => {
            for (let i = 0; !stop && i < 40; i++) {
                try {
                    const res = await c.post(`/2010-04-01/Accounts/${c.root.sid}/Keys.json`, { FriendlyName: `k-${w}-${i}` },
                                           { auth: newPrimary });
                    if (res.status === 201) {
                        keys.push(res.json);
                        if (keys.length === 30 && !stop) {
                            stop = true;
                            killed = c.g.kill9();
                        }
                    }
                } catch (e) {
                    return;
                }
            }
        };
        await Promise.all([0, 1, 2, 3, 4, 5].map(worker));
        assert.ok(killed, 'the server was killed');
        await killed;
        await c.g.start();
        assert.strictEqual(p.auth_token, sec.secondary_auth_token);
        ok(await c.get(`/2010-04-01/Accounts/${c.root.sid}.json`, { auth: newPrimary }), 200, 'promoted token survived');
        const old = await c.get(`/2010-04-01/Accounts/${c.root.sid}.json`, { auth: c.root });
        assert.strictEqual(old.status, 401, 'the old primary came back after the crash');
        for (const k of keys) {
            ok(await c.get(`/2010-04-01/Accounts/${c.root.sid}/Keys/${k.sid}.json`, { auth: newPrimary }), 200, `key ${k.sid}`);
            const res = await c.get(`/2010-04-01/Accounts/${c.root.sid}.json`, { auth: { user: k.sid, pass: k.secret } });
            assert.strictEqual(res.status, 403, `acknowledged key ${k.sid} authenticates (standard: 403) after restart, got ${res.status}`);
        }
        const v = await c.g.auditVerify();
        assert.strictEqual(v.code, 0, `audit verify: ${v.stdout}${v.stderr}`);
    });

    t.test('SIGTERM under load: the server exits 0 and every acknowledged SID is there after restart',
           { fresh: true, timeout: 60000 }, async (c) => {
        let stopping = null;
        const { acked, attempted } = await load(c, {
            total: 120, inFlight: 8, prefix: 'term', stopAt: 60,
            onStop: () => { stopping = c.g.stop(); },
        });
        const exit = await stopping;
        assert.ok(exit, 'the server stopped');
        assert.strictEqual(exit.code, 0, `exit after SIGTERM: code ${exit.code}, signal ${exit.signal}`);
        await c.g.start();
        await verifyAcked(c, acked, attempted);
    });
};
