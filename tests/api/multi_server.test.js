'use strict';
/*
 * multi_server -- two `gatehouse serve` processes on ONE store: the same data folder (SQLite),
 * or, with GATEHOUSE_TEST_PG_DIR, the same PostgreSQL database.  What one server writes, the
 * other sees on its very next request: new credentials authenticate, a promoted token and a
 * deleted key are refused at once (however warm the other server is).  Concurrent creates
 * through both servers lose nothing and duplicate nothing, and the audit chain they write
 * together verifies.
 *
 * Every case gets a fresh instance (server A, c) and starts a second server on its store
 * (server B, b = c.g.twin()).  Nothing sleeps: "at once" means the next request.
 */
const { assert, ok, error, unauthorized, account, findEvents } = require('./lib/check');
const { Context } = require('./lib/client');

const ACCOUNTS = '/2010-04-01/Accounts.json';
const acct = (sid) => `/2010-04-01/Accounts/${sid}.json`;
const keys2010 = (sid) => `/2010-04-01/Accounts/${sid}/Keys.json`;
const key2010 = (ac, sid) => `/2010-04-01/Accounts/${ac}/Keys/${sid}.json`;

/* n concurrent requests; resolves the responses. */
function burst(x, n, fn) {
    return Promise.all([...Array(n)].map(() => fn(x)));
}

function statuses(rs) {
    return [...new Set(rs.map((r) => r.status))].sort();
}

/*
 * Runs fn(b) with a second server B on c's data folder and store; B is stopped afterwards and
 * must exit cleanly (and never crash in between).
 */
async function withTwin(c, fn) {
    const twin = c.g.twin();
    await twin.start();
    const b = new Context(twin, { ua: `${c.ua} server-B`, label: `${c.label} (server B)` });
    c.diag(`server A ${c.g.url}, server B ${twin.url}, store ${c.g.store || `SQLite in ${c.data}`}`);
    let failure = null;
    try {
        await fn(b);
    } catch (e) {
        failure = e;
        for (const line of b.report()) {
            c.diag(`B: ${line}`);
        }
    }
    const exit = await twin.stop();
    const crash = twin.unexpectedExit();
    if (failure) {
        /* a crash can close the connection before its exit event: then stop() saw the exit */
        const bad = crash || (exit && (exit.code !== 0 || exit.signal) ? exit : null);
        if (bad) {
            c.diag(`server B exited with code ${bad.code}, signal ${bad.signal}; stderr tail:\n${twin.stderr.slice(-1500)}`);
        }
        throw failure;
    }
    assert.strictEqual(crash, null, `server B exited unexpectedly: ${JSON.stringify(crash)}; stderr tail:\n${twin.stderr.slice(-1500)}`);
    assert.ok(exit && exit.code === 0 && !exit.signal, `server B did not stop cleanly: ${JSON.stringify(exit)}`);
}

async function auditVerifies(c, when) {
    const v = await c.g.auditVerify();
    assert.strictEqual(v.code, 0, `audit verify ${when}: ${v.stdout}${v.stderr}`);
}

/* Every item of a 2010-04-01 list, following next_page_uri. */
async function list2010(x, uri, listKey) {
    const items = [];
    for (let page = 0; uri; page++) {
        assert.ok(page < 100, 'more than 100 pages');
        const body = ok(await x.get(uri), 200, `list ${uri}`);
        items.push(...body[listKey]);
        uri = body.next_page_uri;
    }
    return items;
}

/* Every key of a v1 /v1/Keys list, following meta.next_page_url (made relative to x's server). */
async function listV1(x, accountSid, pageSize) {
    const items = [];
    let target = `/v1/Keys?AccountSid=${accountSid}&PageSize=${pageSize}`;
    for (let page = 0; target; page++) {
        assert.ok(page < 1000, 'more than 1000 pages');
        const body = ok(await x.get(target), 200, `list ${target}`);
        items.push(...body.keys);
        const next = body.meta.next_page_url;
        target = next ? (({ pathname, search }) => pathname + search)(new URL(next)) : null;
    }
    return items;
}

/* SIDs that occur more than once, and SIDs of want that are missing from items. */
function countIn(items, want) {
    const seen = new Map();
    for (const it of items) {
        seen.set(it.sid, (seen.get(it.sid) || 0) + 1);
    }
    return {
        duplicated: [...seen].filter(([, n]) => n > 1).map(([sid, n]) => `${sid} x${n}`),
        missing: want.filter((sid) => !seen.has(sid)),
        seen,
    };
}

module.exports = (t) => {
    t.test('a subaccount and keys created through A authenticate on B at once (B was warm and had refused them)', { fresh: true }, async (c) => {
        await withTwin(c, async (b) => {
            /* warm B, including failed lookups of credentials that do not exist yet */
            assert.deepStrictEqual(statuses(await burst(b, 8, (x) => x.get(ACCOUNTS))), [200]);
            const sub = await c.createSub('made-on-A');
            account(ok(await b.get(acct(sub.sid)), 200, 'B reads the subaccount A created'), { sid: sub.sid, friendlyName: 'made-on-A' });
            ok(await b.get(acct(sub.sid), { auth: sub }), 200, 'B accepts the new subaccount token on its first request');
            assert.deepStrictEqual(statuses(await burst(b, 8, (x) => x.get(acct(sub.sid), { auth: sub }))), [200]);

            /* a key whose SID B has already refused with a wrong secret, then A creates another */
            const k = await c.createKey2010(c.root.sid, { friendlyName: 'made-on-A' });
            unauthorized(await b.get(acct(c.root.sid), { auth: { user: k.sid, pass: 'A'.repeat(32) } }), 'wrong secret on B');
            error(await b.get(acct(c.root.sid), { auth: k }), 403, 20403, 'B authenticates the 2010 key created through A (standard: 403)');
            const v1 = await c.createKeyV1(c.root.sid, { FriendlyName: 'v1-made-on-A' });
            error(await b.get(acct(c.root.sid), { auth: v1 }), 403, 20403, 'B authenticates the v1 key created through A');
            ok(await b.get(`/2010-04-01/Accounts/${c.root.sid}/Keys/${k.sid}.json`), 200, 'B reads the key A created');

            /* the subaccount's own key, created through A with the subaccount's token */
            const subKey = await c.createKey2010(sub.sid, { auth: sub });
            error(await b.get(acct(sub.sid), { auth: subKey }), 403, 20403, 'B authenticates the subaccount key');

            /* a main key made by the command line while both run: both accept it at once */
            const r = await c.g.cli(['key', 'create', '--type', 'main', '--data', c.data, '--json']);
            assert.strictEqual(r.code, 0, r.stderr);
            const mk = JSON.parse(r.stdout);
            const mainKey = { user: mk.sid, pass: mk.secret };
            ok(await b.get(acct(c.root.sid), { auth: mainKey }), 200, 'B accepts the CLI main key');
            ok(await c.get(acct(c.root.sid), { auth: mainKey }), 200, 'A accepts the CLI main key');

            /* and the other way round: B creates, A authenticates */
            const k2 = await b.createKey2010(c.root.sid, { friendlyName: 'made-on-B' });
            error(await c.get(acct(c.root.sid), { auth: k2 }), 403, 20403, 'A authenticates the key created through B');
            const sub2 = await b.createSub('made-on-B');
            ok(await c.get(acct(sub2.sid), { auth: sub2 }), 200, 'A accepts the subaccount token created through B');
        });
        await auditVerifies(c, 'after creates on two servers');
    });

    t.test('after Promote through A, B refuses the old auth token on the very next request', { fresh: true }, async (c) => {
        await withTwin(c, async (b) => {
            const sub = await c.createSub('promoted');
            const path = acct(sub.sid);
            for (let round = 0; round < 3; round++) {
                const old = { user: sub.sid, pass: sub.pass };
                /* warm B (every worker thread and connection) with the current primary */
                assert.deepStrictEqual(statuses(await burst(b, 16, (x) => x.get(path, { auth: old }))), [200], `round ${round}: warm`);
                const sec = ok(await b.post('/v1/AuthTokens/Secondary', {}, { auth: old }), 201, `round ${round}: secondary through B`);
                const secondary = { user: sub.sid, pass: sec.secondary_auth_token };
                ok(await c.get(path, { auth: secondary }), 200, `round ${round}: A accepts the secondary made through B`);
                const p = ok(await c.post('/v1/AuthTokens/Promote', {}, { auth: round === 1 ? secondary : old }), 200,
                             `round ${round}: promote through A`);
                assert.strictEqual(p.auth_token, sec.secondary_auth_token, 'the secondary became the primary');
                unauthorized(await b.get(path, { auth: old }), `round ${round}: the very next request on B with the old token`);
                assert.deepStrictEqual(statuses(await burst(b, 16, (x) => x.get(path, { auth: old }))), [401],
                                       `round ${round}: old token on B`);
                unauthorized(await c.get(path, { auth: old }), `round ${round}: old token on A`);
                ok(await b.get(path, { auth: secondary }), 200, `round ${round}: B accepts the promoted token`);
                assert.strictEqual(ok(await b.get(path)).auth_token, p.auth_token, `round ${round}: B shows the new token`);
                sub.pass = p.auth_token;
            }
        });
        await auditVerifies(c, 'after promotes across servers');
    });

    t.test('a key deleted through A is refused by B on the very next request (2010, v1, signing, CLI main key)', { fresh: true }, async (c) => {
        await withTwin(c, async (b) => {
            const path = acct(c.root.sid);
            const r = await c.g.cli(['key', 'create', '--type', 'main', '--data', c.data, '--json']);
            assert.strictEqual(r.code, 0, r.stderr);
            const mk = JSON.parse(r.stdout);
            const cases = [
                { what: '2010 key', k: await c.createKey2010(c.root.sid), live: 403,
                  del: (k) => key2010(c.root.sid, k.sid) },
                { what: 'v1 key', k: await c.createKeyV1(c.root.sid, {}), live: 403, del: (k) => `/v1/Keys/${k.sid}` },
                { what: 'signing key', k: await c.createKey2010(c.root.sid, { family: 'SigningKeys' }), live: 403,
                  del: (k) => `/2010-04-01/Accounts/${c.root.sid}/SigningKeys/${k.sid}.json` },
                { what: 'CLI main key', k: { sid: mk.sid, user: mk.sid, pass: mk.secret }, live: 200,
                  del: (k) => key2010(c.root.sid, k.sid) },
            ];
            for (const { what, k, live, del } of cases) {
                assert.deepStrictEqual(statuses(await burst(b, 16, (x) => x.get(path, { auth: k }))), [live], `${what}: warm B`);
                assert.deepStrictEqual(statuses(await burst(c, 4, (x) => x.get(path, { auth: k }))), [live], `${what}: warm A`);
                const d = await c.del(del(k));
                assert.strictEqual(d.status, 204, `${what}: delete through A: ${d.status} ${d.text}`);
                unauthorized(await b.get(path, { auth: k }), `${what}: the very next request on B`);
                assert.deepStrictEqual(statuses(await burst(b, 16, (x) => x.get(path, { auth: k }))), [401], `${what}: B after the delete`);
                unauthorized(await c.get(path, { auth: k }), `${what}: A after the delete`);
                error(await b.get(del(k)), 404, 20404, `${what}: B no longer finds it`);
            }
            /* the other way round: deleted through B, refused by A */
            const k = await c.createKey2010(c.root.sid);
            assert.deepStrictEqual(statuses(await burst(c, 16, (x) => x.get(path, { auth: k }))), [403], 'warm A');
            assert.strictEqual((await b.del(key2010(c.root.sid, k.sid))).status, 204, 'delete through B');
            unauthorized(await c.get(path, { auth: k }), 'the very next request on A');
            /* a subaccount suspended through A is refused by B at once, reactivated: accepted at once */
            const sub = await c.createSub('suspended-on-A');
            assert.deepStrictEqual(statuses(await burst(b, 8, (x) => x.get(acct(sub.sid), { auth: sub }))), [200], 'warm B (subaccount)');
            ok(await c.post(acct(sub.sid), { Status: 'suspended' }));
            unauthorized(await b.get(acct(sub.sid), { auth: sub }), 'suspended through A, next request on B');
            ok(await c.post(acct(sub.sid), { Status: 'active' }));
            ok(await b.get(acct(sub.sid), { auth: sub }), 200, 'reactivated through A, next request on B');
        });
        await auditVerifies(c, 'after deletes across servers');
    });

    t.test('150 concurrent creates through both servers (100 subaccounts, 50 keys, 8 in flight): nothing lost, nothing duplicated, no 5xx',
           { fresh: true, timeout: 120000 }, async (c) => {
        await withTwin(c, async (b) => {
            const servers = [c, b];
            const keysBefore = (await list2010(c, `${keys2010(c.root.sid)}?PageSize=1000`, 'keys')).map((k) => k.sid);
            /* the jobs: every third one a key (alternately 2010 and v1), the others subaccounts;
             * job i goes to server i % 2 */
            const jobs = [];
            for (let i = 0, subs = 0, keys = 0; subs < 100 || keys < 50; i++) {
                if ((i % 3 === 2 && keys < 50) || subs >= 100) {
                    jobs.push({ kind: keys % 2 === 0 ? 'key2010' : 'keyV1', name: `mk-${keys++}` });
                } else {
                    jobs.push({ kind: 'sub', name: `ms-${subs++}` });
                }
            }
            jobs.forEach((j, i) => { j.server = i % 2; });
            const results = [];
            let next = 0;
            const worker = async () => {
                while (next < jobs.length) {
                    const j = jobs[next++];
                    const x = servers[j.server];
                    const res = { ...j };
                    try {
                        const r = j.kind === 'sub' ? await x.post(ACCOUNTS, { FriendlyName: j.name })
                            : j.kind === 'key2010' ? await x.post(keys2010(c.root.sid), { FriendlyName: j.name })
                                : await x.post('/v1/Keys', { AccountSid: c.root.sid, FriendlyName: j.name });
                        res.status = r.status;
                        res.text = r.text.slice(0, 200);
                        if (r.status === 201 && r.json) {
                            res.sid = r.json.sid;
                            res.secret = j.kind === 'sub' ? r.json.auth_token : r.json.secret;
                        }
                    } catch (e) {
                        res.error = e.cause ? e.cause.code || e.cause.message : e.message;
                    }
                    results.push(res);
                }
            };
            await Promise.all([...Array(8)].map(worker));
            const fmt = (r) => `${r.kind} ${r.name} via ${'AB'[r.server]}: ${r.error || `${r.status} ${r.text}`}`;
            assert.deepStrictEqual(results.filter((r) => r.error).map(fmt), [], 'requests that got no response');
            assert.deepStrictEqual(results.filter((r) => r.status >= 500).map(fmt), [], '5xx responses');
            assert.deepStrictEqual(results.filter((r) => r.status !== 201).map(fmt), [], 'valid creates that were refused');
            const created = results.filter((r) => r.status === 201);
            assert.strictEqual(new Set(created.map((r) => r.sid)).size, created.length, 'one SID acknowledged twice');
            const subs = created.filter((r) => r.kind === 'sub');
            const keys = created.filter((r) => r.kind !== 'sub');
            c.diag(`201s: ${subs.length} subaccounts, ${keys.length} keys`);

            /* accounts: each acknowledged SID listed exactly once, through either server */
            for (const x of servers) {
                const listed = await list2010(x, `${ACCOUNTS}?PageSize=1000`, 'accounts');
                const others = listed.filter((a) => a.sid !== c.root.sid);
                const { duplicated, missing } = countIn(listed, subs.map((r) => r.sid));
                const server = x === c ? 'A' : 'B';
                assert.deepStrictEqual(duplicated, [], `accounts listed twice through ${server}`);
                assert.deepStrictEqual(missing, [], `acknowledged subaccounts missing from the list through ${server}`);
                assert.strictEqual(others.length, subs.length, `through ${server}: ${others.length} subaccounts listed, ${subs.length} created`);
                const names = others.map((a) => a.friendly_name).sort();
                assert.deepStrictEqual(names, subs.map((r) => r.name).sort(), `subaccount names through ${server}`);
                /* smaller pages walk the same list */
                const paged = await list2010(x, `${ACCOUNTS}?PageSize=7`, 'accounts');
                assert.deepStrictEqual(paged.map((a) => a.sid).sort(), listed.map((a) => a.sid).sort(), `paged list through ${server}`);
            }
            /* keys: the same through the 2010 list on A and the v1 list (small pages) on B */
            const wantKeys = keys.map((r) => r.sid);
            for (const [where, items] of [['2010 list via A', await list2010(c, `${keys2010(c.root.sid)}?PageSize=1000`, 'keys')],
                                          ['2010 list via B', await list2010(b, `${keys2010(c.root.sid)}?PageSize=9`, 'keys')],
                                          ['v1 list via B', await listV1(b, c.root.sid, 9)],
                                          ['v1 list via A', await listV1(c, c.root.sid, 1000)]]) {
                const { duplicated, missing } = countIn(items, wantKeys);
                assert.deepStrictEqual(duplicated, [], `keys listed twice in the ${where}`);
                assert.deepStrictEqual(missing, [], `acknowledged keys missing from the ${where}`);
                const fresh = items.filter((k) => !keysBefore.includes(k.sid));
                assert.strictEqual(fresh.length, keys.length, `${where}: ${fresh.length} new keys listed, ${keys.length} created`);
            }
            /* every new credential works on the server that did not create it */
            for (const r of created) {
                const other = servers[1 - r.server];
                const res = await other.get(acct(r.kind === 'sub' ? r.sid : c.root.sid), { auth: { user: r.sid, pass: r.secret } });
                assert.strictEqual(res.status, r.kind === 'sub' ? 200 : 403,
                                   `${r.kind} ${r.sid} created via ${'AB'[r.server]} on the other server: ${res.status} ${res.text.slice(0, 200)}`);
            }
            /* one audit event per acknowledged create, and the chain both servers wrote verifies */
            const events = await c.audit();
            const subEvents = subs.filter((r) => findEvents(events, { action: 'account.create', target: r.sid }).length !== 1);
            assert.deepStrictEqual(subEvents.map((r) => r.sid), [], 'subaccount creates without exactly one audit event');
            const keyEvents = keys.filter((r) => findEvents(events, { action: 'key.create', target: r.sid }).length !== 1);
            assert.deepStrictEqual(keyEvents.map((r) => r.sid), [], 'key creates without exactly one audit event');
            const seqs = events.map((e) => e.seq);
            assert.strictEqual(new Set(seqs).size, seqs.length, 'an audit seq is used twice');
        });
        await auditVerifies(c, 'after concurrent creates through two servers');
    });
};
