'use strict';
/*
 * auth -- HTTP Basic authentication: every failure cause gives the same 401 (byte for byte),
 * Authorization header edge cases, key types (standard 403 20403, restricted 403 70051),
 * reach of subaccount credentials, and the auth.failure audit events.
 */
const { assert, fakeSid, ok, error, unauthorized, findEvents, account } = require('./lib/check');
const { basic, Context } = require('./lib/client');
const { Gatehouse } = require('./lib/gatehouse');

const acct = (sid) => `/2010-04-01/Accounts/${sid}.json`;
const b64 = (s) => Buffer.from(s, 'latin1').toString('base64');

module.exports = (t) => {
    t.test('every 401 cause gives a byte-identical body and the same WWW-Authenticate header', { fresh: true }, async (c) => {
        const sub = await c.createSub('doomed');
        const closed = await c.createSub('closed');
        const subKey = await c.createKey2010(sub.sid);
        const deleted2010 = await c.createKey2010(c.root.sid);
        const deletedSigning = await c.createKey2010(c.root.sid, { family: 'SigningKeys' });
        const deletedV1 = await c.createKeyV1(c.root.sid, {});
        assert.strictEqual((await c.del(`/2010-04-01/Accounts/${c.root.sid}/Keys/${deleted2010.sid}.json`)).status, 204);
        assert.strictEqual((await c.del(`/2010-04-01/Accounts/${c.root.sid}/SigningKeys/${deletedSigning.sid}.json`)).status, 204);
        assert.strictEqual((await c.del(`/v1/Keys/${deletedV1.sid}`)).status, 204);
        ok(await c.post(acct(sub.sid), { Status: 'suspended' }));
        ok(await c.post(acct(closed.sid), { Status: 'closed' }));
        /* a token that was primary before a promote, and a deleted secondary */
        const rotated = await c.createSub('rotated');
        const sec = ok(await c.post('/v1/AuthTokens/Secondary', {}, { auth: rotated }), 201);
        ok(await c.post('/v1/AuthTokens/Promote', {}, { auth: rotated }));
        const sec2 = ok(await c.post('/v1/AuthTokens/Secondary', {}, { auth: { user: rotated.sid, pass: sec.secondary_auth_token } }), 201);
        assert.strictEqual((await c.del('/v1/AuthTokens/Secondary', { auth: { user: rotated.sid, pass: sec.secondary_auth_token } })).status, 204);

        const causes = {
            'no Authorization header': null,
            'empty Authorization header': '',
            'Bearer scheme': 'Bearer abc.def.ghi',
            'Basic without credentials': 'Basic',
            'Basic with a space only': 'Basic ',
            'base64 without a colon': `Basic ${b64(c.root.sid + c.root.token)}`,
            'not base64': 'Basic !!!not-base64!!!',
            'truncated base64': `Basic ${b64(`${c.root.sid}:${c.root.token}`).slice(0, -3)}`,
            'empty user and password': `Basic ${b64(':')}`,
            'empty password': basic(c.root.sid, ''),
            'unknown account SID': basic(fakeSid('AC', 3), c.root.token),
            'unknown key SID': basic(fakeSid('SK', 3), c.mainKey.secret),
            'wrong token': basic(c.root.sid, 'f'.repeat(32)),
            'token with one character changed': basic(c.root.sid, c.root.token.slice(0, -1) + (c.root.token.endsWith('0') ? '1' : '0')),
            'token with a suffix': basic(c.root.sid, `${c.root.token}0`),
            'upper-case token': basic(c.root.sid, c.root.token.toUpperCase() === c.root.token ? c.root.token + 'X' : c.root.token.toUpperCase()),
            'wrong key secret': basic(c.mainKey.sid, 'A'.repeat(32)),
            'key secret used with the account SID': basic(c.root.sid, c.mainKey.secret),
            'account token used with a key SID': basic(c.mainKey.sid, c.root.token),
            'SID with a wrong prefix (XX)': basic(`XX${c.root.sid.slice(2)}`, c.root.token),
            'account SID as SK': basic(`SK${c.root.sid.slice(2)}`, c.root.token),
            'lower-case prefix': basic(`ac${c.root.sid.slice(2)}`, c.root.token),
            'SID too short': basic(c.root.sid.slice(0, -1), c.root.token),
            'SID too long': basic(`${c.root.sid}0`, c.root.token),
            'very long password': basic(c.root.sid, 'p'.repeat(4000)),
            'password with colons': basic(c.root.sid, `${c.root.token}:extra`),
            'subaccount token with the parent SID': basic(c.root.sid, rotated.token),
            'parent token with a subaccount SID': basic(rotated.sid, c.root.token),
            'main key secret with a subaccount SID': basic(rotated.sid, c.mainKey.secret),
            'suspended subaccount token': basic(sub.sid, sub.token),
            'key of a suspended subaccount': basic(subKey.sid, subKey.secret),
            'closed subaccount token': basic(closed.sid, closed.token),
            'deleted 2010 key': basic(deleted2010.sid, deleted2010.secret),
            'deleted signing key': basic(deletedSigning.sid, deletedSigning.secret),
            'deleted v1 key': basic(deletedV1.sid, deletedV1.secret),
            'old primary after promote': basic(rotated.sid, rotated.token),
            'deleted secondary token': basic(rotated.sid, sec2.secondary_auth_token),
        };
        let reference = null;
        const mismatches = [];
        for (const [what, header] of Object.entries(causes)) {
            const res = await c.get(acct(c.root.sid), { auth: header === null ? null : header,
                                                         headers: header === '' ? { Authorization: '' } : {} });
            try {
                unauthorized(res, what);
            } catch (e) {
                mismatches.push(`${what}: ${res.status} ${res.text.slice(0, 200)}`);
                continue;
            }
            const shape = { body: res.text, www: res.headers.get('www-authenticate'), ct: res.headers.get('content-type') };
            if (reference === null) {
                reference = shape;
            } else if (JSON.stringify(shape) !== JSON.stringify(reference)) {
                mismatches.push(`${what}: ${JSON.stringify(shape)} differs from ${JSON.stringify(reference)}`);
            }
        }
        assert.deepStrictEqual(mismatches, [], 'causes without the common 401');
        /* the same body on another route and method */
        const other = await c.post('/2010-04-01/Accounts.json', {}, { auth: basic(fakeSid('AC', 4), 'x') });
        unauthorized(other);
        assert.strictEqual(other.text, reference.body);
        const v1 = await c.del('/v1/AuthTokens/Secondary', { auth: null });
        unauthorized(v1);
        assert.strictEqual(v1.text, reference.body);
    });

    t.test('every failed authentication appends an auth.failure event (outcome failure, reason in detail)', async (c) => {
        const ua = `${c.ua} audit-probe`;
        const mark = await c.auditMark();
        const attempts = [
            ['malformed header', 'Basic !!!'],
            ['unknown SID', basic(fakeSid('AC', 6), 'x'.repeat(32))],
            ['wrong token', basic(c.root.sid, '0'.repeat(32))],
            ['wrong key secret', basic(c.mainKey.sid, 'B'.repeat(32))],
        ];
        for (const [what, header] of attempts) {
            unauthorized(await c.get(acct(c.root.sid), { auth: header, ua }), what);
        }
        const ev = findEvents(await c.audit(mark), { action: 'auth.failure' });
        assert.strictEqual(ev.length, attempts.length,
                           `expected ${attempts.length} auth.failure events, got ${ev.length}: ${JSON.stringify(ev)}`);
        for (const e of ev) {
            assert.strictEqual(e.outcome, 'failure');
            assert.strictEqual(e.remote_addr, '127.0.0.1');
            assert.strictEqual(e.user_agent, ua);
            assert.ok(typeof e.detail === 'string' && e.detail.length > 0, `detail names the reason: ${JSON.stringify(e)}`);
        }
        const details = new Set(ev.map((e) => e.detail));
        assert.ok(details.size >= 3, `reasons are told apart internally: ${[...details]}`);
        const wrong = ev.find((e) => e.actor === c.root.sid);
        assert.ok(wrong, `the wrong-token attempt names the attempted SID as actor: ${JSON.stringify(ev)}`);
    });

    t.test('a request without an Authorization header on a protected route appends an auth.failure event', async (c) => {
        const mark = await c.auditMark();
        unauthorized(await c.get(acct(c.root.sid), { auth: null }));
        unauthorized(await c.post('/v1/AuthTokens/Secondary', {}, { auth: null }));
        const ev = findEvents(await c.audit(mark), { action: 'auth.failure' });
        assert.strictEqual(ev.length, 2, `expected 2 auth.failure events for 2 anonymous requests, got ${ev.length}`);
        for (const e of ev) {
            assert.strictEqual(e.outcome, 'failure');
            assert.strictEqual(e.remote_addr, '127.0.0.1');
            assert.strictEqual(e.user_agent, c.ua);
        }
    });

    t.test('successful requests and the public health check append no auth.failure', async (c) => {
        const mark = await c.auditMark();
        ok(await c.get(acct(c.root.sid)));
        const h = ok(await c.get('/v1/Health', { auth: null }));
        assert.strictEqual(h.status, 'ok');
        ok(await c.get('/v1/Health', { auth: basic(fakeSid('AC', 7), 'wrong') }), 200, 'health ignores credentials');
        assert.deepStrictEqual(findEvents(await c.audit(mark), { action: 'auth.failure' }), []);
    });

    t.test('Basic header variants that must be accepted: upper-case SID hex, lower-case scheme, key SID upper-case', async (c) => {
        const upper = `AC${c.root.sid.slice(2).toUpperCase()}`;
        const me = ok(await c.get(acct(c.root.sid), { auth: basic(upper, c.root.token) }), 200, 'upper-case account SID');
        assert.strictEqual(me.sid, c.root.sid);
        ok(await c.get(acct(c.root.sid), { auth: basic(`SK${c.mainKey.sid.slice(2).toUpperCase()}`, c.mainKey.secret) }),
           200, 'upper-case key SID');
        ok(await c.get(acct(c.root.sid), { auth: `basic ${b64(`${c.root.sid}:${c.root.token}`)}` }), 200, 'scheme "basic"');
        ok(await c.get(acct(c.root.sid), { auth: `BASIC ${b64(`${c.root.sid}:${c.root.token}`)}` }), 200, 'scheme "BASIC"');
    });

    t.test('a standard key is refused on Accounts, Keys and AuthTokens routes: 403 20403 (and it changes nothing)', { fresh: true }, async (c) => {
        const sub = await c.createSub('std-target');
        for (const [label, k] of [['2010 key', await c.createKey2010(c.root.sid)],
                                  ['v1 standard key', await c.createKeyV1(c.root.sid, {})],
                                  ['signing key', await c.createKey2010(c.root.sid, { family: 'SigningKeys' })]]) {
            const auth = { user: k.sid, pass: k.secret };
            const calls = [
                ['POST', '/2010-04-01/Accounts.json', { form: { FriendlyName: 'nope' } }],
                ['GET', '/2010-04-01/Accounts.json', {}],
                ['GET', acct(c.root.sid), {}],
                ['POST', acct(sub.sid), { form: { Status: 'suspended' } }],
                ['GET', `/2010-04-01/Accounts/${c.root.sid}/Keys.json`, {}],
                ['POST', `/2010-04-01/Accounts/${c.root.sid}/Keys.json`, { form: {} }],
                ['DELETE', `/2010-04-01/Accounts/${c.root.sid}/Keys/${c.mainKey.sid}.json`, {}],
                ['GET', `/2010-04-01/Accounts/${c.root.sid}/SigningKeys.json`, {}],
                ['POST', '/v1/Keys', { form: { AccountSid: c.root.sid } }],
                ['GET', '/v1/Keys', { query: { AccountSid: c.root.sid } }],
                ['POST', '/v1/AuthTokens/Secondary', { form: {} }],
                ['DELETE', '/v1/AuthTokens/Secondary', {}],
                ['POST', '/v1/AuthTokens/Promote', { form: {} }],
            ];
            for (const [m, p, opts] of calls) {
                error(await c.req(m, p, { ...opts, auth }), 403, 20403, `${label}: ${m} ${p}`);
            }
        }
        assert.strictEqual(ok(await c.get(acct(sub.sid))).status, 'active');
        ok(await c.get(`/2010-04-01/Accounts/${c.root.sid}/Keys/${c.mainKey.sid}.json`), 200, 'main key not deleted');
    });

    t.test('a restricted key is refused with 403 70051 on every route here', { fresh: true }, async (c) => {
        const k = await c.createKeyV1(c.root.sid, { KeyType: 'restricted',
                                                    Policy: JSON.stringify({ allow: ['/twilio/messaging/messages/read', '/twilio/messaging/messages/create'] }) });
        const auth = { user: k.sid, pass: k.secret };
        for (const [m, p] of [['GET', '/2010-04-01/Accounts.json'], ['GET', acct(c.root.sid)],
                              ['GET', `/2010-04-01/Accounts/${c.root.sid}/Keys.json`],
                              ['GET', `/2010-04-01/Accounts/${c.root.sid}/SigningKeys.json`],
                              ['POST', '/v1/AuthTokens/Promote']]) {
            error(await c.req(m, p, { auth, form: m === 'POST' ? {} : undefined }), 403, 70051, `${m} ${p}`);
        }
    });

    t.test('403 for a key type happens only after authentication: a wrong secret for a standard key is 401', async (c) => {
        const k = await c.createKey2010(c.root.sid);
        unauthorized(await c.get(acct(c.root.sid), { auth: { user: k.sid, pass: 'Z'.repeat(32) } }));
    });

    t.test('subaccount credentials never reach the parent or a sibling; parent credentials reach the subaccount', async (c) => {
        const a = await c.createSub('iso-a');
        const b = await c.createSub('iso-b');
        const aKey = await c.createKey2010(a.sid);
        error(await c.get(acct(c.root.sid), { auth: a }), 404, 20404, 'sub -> parent');
        error(await c.get(acct(b.sid), { auth: a }), 404, 20404, 'sub -> sibling');
        error(await c.get(`/2010-04-01/Accounts/${b.sid}/Keys.json`, { auth: a }), 404, 20404, 'sub -> sibling keys');
        error(await c.get(`/2010-04-01/Accounts/${c.root.sid}/Keys.json`, { auth: a }), 404, 20404, 'sub -> parent keys');
        error(await c.get(acct(a.sid), { auth: aKey }), 403, 20403, 'sub standard key on its own account');
        ok(await c.get(acct(a.sid)), 200, 'parent token -> sub');
        ok(await c.get(acct(a.sid), { auth: c.mainKey }), 200, 'parent main key -> sub');
        ok(await c.get(`/2010-04-01/Accounts/${a.sid}/Keys.json`), 200, 'parent token -> sub keys');
        ok(await c.get(`/2010-04-01/Accounts/${a.sid}/Keys.json`, { auth: c.mainKey }), 200, 'parent main key -> sub keys');
    });

    /* Revocation must reach every connection and thread at once, however warm a cache is. */
    const burst = (c, n, fn) => Promise.all([...Array(n)].map(() => fn()));
    const statuses = (rs) => [...new Set(rs.map((r) => r.status))].sort();

    t.test('revocation is immediate on every connection: deleted key, suspended account, promoted and deleted tokens', { fresh: true }, async (c) => {
        for (let round = 0; round < 5; round++) {
            const sub = await c.createSub(`warm-${round}`);
            const subKey = await c.createKey2010(sub.sid, { auth: sub });
            const v1 = await c.createKeyV1(sub.sid, {}, sub);
            const sec = ok(await c.post('/v1/AuthTokens/Secondary', {}, { auth: sub }), 201);
            const secondary = { user: sub.sid, pass: sec.secondary_auth_token };
            const path = `/2010-04-01/Accounts/${sub.sid}.json`;
            /* warm up: every credential on many connections at once */
            assert.deepStrictEqual(statuses(await burst(c, 16, () => c.get(path, { auth: subKey }))), [403]);
            assert.deepStrictEqual(statuses(await burst(c, 16, () => c.get(path, { auth: v1 }))), [403]);
            assert.deepStrictEqual(statuses(await burst(c, 16, () => c.get(path, { auth: sub }))), [200]);
            assert.deepStrictEqual(statuses(await burst(c, 16, () => c.get(path, { auth: secondary }))), [200]);
            /* delete one key: refused everywhere at once; the other key is unaffected */
            assert.strictEqual((await c.del(`/2010-04-01/Accounts/${sub.sid}/Keys/${subKey.sid}.json`)).status, 204);
            assert.deepStrictEqual(statuses(await burst(c, 16, () => c.get(path, { auth: subKey }))), [401], `round ${round}: deleted key`);
            assert.deepStrictEqual(statuses(await burst(c, 4, () => c.get(path, { auth: v1 }))), [403]);
            /* promote: the old primary is refused everywhere at once, the new one works */
            ok(await c.post('/v1/AuthTokens/Promote', {}, { auth: secondary }));
            assert.deepStrictEqual(statuses(await burst(c, 16, () => c.get(path, { auth: sub }))), [401], `round ${round}: old primary`);
            assert.deepStrictEqual(statuses(await burst(c, 16, () => c.get(path, { auth: secondary }))), [200], `round ${round}: new primary`);
            /* a new secondary, warmed, then deleted */
            const sec2 = ok(await c.post('/v1/AuthTokens/Secondary', {}, { auth: secondary }), 201);
            const secondary2 = { user: sub.sid, pass: sec2.secondary_auth_token };
            assert.deepStrictEqual(statuses(await burst(c, 16, () => c.get(path, { auth: secondary2 }))), [200]);
            assert.strictEqual((await c.del('/v1/AuthTokens/Secondary', { auth: secondary })).status, 204);
            assert.deepStrictEqual(statuses(await burst(c, 16, () => c.get(path, { auth: secondary2 }))), [401], `round ${round}: deleted secondary`);
            /* suspend by the parent: everything of the subaccount refused at once; reactivate: back at once */
            ok(await c.post(path, { Status: 'suspended' }));
            assert.deepStrictEqual(statuses(await burst(c, 16, () => c.get(path, { auth: secondary }))), [401], `round ${round}: suspended token`);
            assert.deepStrictEqual(statuses(await burst(c, 16, () => c.get(path, { auth: v1 }))), [401], `round ${round}: suspended key`);
            ok(await c.post(path, { Status: 'active' }));
            assert.deepStrictEqual(statuses(await burst(c, 16, () => c.get(path, { auth: secondary }))), [200], `round ${round}: reactivated`);
            /* a rename is seen at once by every connection */
            ok(await c.post(path, { FriendlyName: `renamed-${round}` }));
            const names = (await burst(c, 16, () => c.get(path))).map((r) => r.json && r.json.friendly_name);
            assert.deepStrictEqual([...new Set(names)], [`renamed-${round}`], `round ${round}: stale name`);
        }
    });

    t.test('a key created by the CLI while the server runs works at once; CLI changes are seen by a warm server', { fresh: true }, async (c) => {
        const path = `/2010-04-01/Accounts/${c.root.sid}.json`;
        await burst(c, 16, () => c.get(path)); /* warm */
        for (let i = 0; i < 3; i++) {
            const r = await c.g.cli(['key', 'create', '--type', 'main', '--data', c.data, '--json']);
            assert.strictEqual(r.code, 0, r.stderr);
            const k = JSON.parse(r.stdout);
            assert.deepStrictEqual(statuses(await burst(c, 8, () => c.get(path, { auth: { user: k.sid, pass: k.secret } }))), [200]);
            const s = await c.g.cli(['key', 'create', '--type', 'standard', '--data', c.data, '--json']);
            assert.strictEqual(s.code, 0, s.stderr);
            const sk = JSON.parse(s.stdout);
            assert.deepStrictEqual(statuses(await burst(c, 8, () => c.get(path, { auth: { user: sk.sid, pass: sk.secret } }))), [403]);
        }
    });

    t.test('two servers on one data folder: a revocation through one is refused at once by the other', { fresh: true }, async (c) => {
        const other = new Gatehouse(c.g.bin, c.g.dir); /* same folder; never destroy(): c.g owns it */
        other.root = c.root;
        other.mainKey = c.mainKey;
        await other.start();
        try {
            const b = new Context(other, { ua: c.ua });
            const sub = await c.createSub('shared-folder');
            const k = await b.createKey2010(sub.sid);
            const path = `/2010-04-01/Accounts/${sub.sid}.json`;
            account(ok(await b.get(path)), { sid: sub.sid }); /* created through A, seen by B */
            for (const x of [c, b]) {
                assert.deepStrictEqual(statuses(await burst(x, 8, () => x.get(path, { auth: k }))), [403]);
                assert.deepStrictEqual(statuses(await burst(x, 8, () => x.get(path, { auth: sub }))), [200]);
            }
            assert.strictEqual((await c.del(`/2010-04-01/Accounts/${sub.sid}/Keys/${k.sid}.json`)).status, 204);
            assert.deepStrictEqual(statuses(await burst(b, 8, () => b.get(path, { auth: k }))), [401], 'deleted key on the other server');
            ok(await b.post(path, { Status: 'suspended' }));
            assert.deepStrictEqual(statuses(await burst(c, 8, () => c.get(path, { auth: sub }))), [401], 'suspended on the other server');
            ok(await c.post(path, { Status: 'active' }));
            const sec = ok(await b.post('/v1/AuthTokens/Secondary', {}, { auth: sub }), 201);
            ok(await c.post('/v1/AuthTokens/Promote', {}, { auth: { user: sub.sid, pass: sec.secondary_auth_token } }));
            assert.deepStrictEqual(statuses(await burst(b, 8, () => b.get(path, { auth: sub }))), [401], 'old primary on the other server');
            const v = await c.g.auditVerify();
            assert.strictEqual(v.code, 0, `audit verify with two writers: ${v.stdout}${v.stderr}`);
        } finally {
            const exit = await other.stop();
            assert.ok(!exit || exit.code === 0, `second server exit: ${JSON.stringify(exit)}`);
        }
    });

    t.test('master-key rotation while the server runs: every credential keeps working, new ones too', { fresh: true }, async (c) => {
        const sub = await c.createSub('through-rotation');
        const k = await c.createKey2010(c.root.sid);
        const sec = ok(await c.post('/v1/AuthTokens/Secondary', {}), 201);
        const path = `/2010-04-01/Accounts/${c.root.sid}.json`;
        const creds = [[c.root, 200], [c.mainKey, 200], [{ user: c.root.sid, pass: sec.secondary_auth_token }, 200],
                       [sub, 404], [k, 403]];
        const check = async (when) => {
            for (const [auth, st] of creds) {
                const rs = await burst(c, 4, () => c.get(path, { auth }));
                assert.deepStrictEqual(statuses(rs), [st], `${when}: ${auth.user}`);
            }
        };
        await check('before rotation');
        const r = await c.g.cli(['master-key', 'rotate', '--data', c.data, '--json']);
        assert.strictEqual(r.code, 0, `master-key rotate: ${r.stdout}${r.stderr}`);
        await check('after rotation');
        const k2 = await c.createKey2010(c.root.sid);
        assert.strictEqual((await c.get(path, { auth: k2 })).status, 403, 'a key made after rotation authenticates');
        const p = ok(await c.post('/v1/AuthTokens/Promote', {}));
        ok(await c.get(path, { auth: { user: c.root.sid, pass: p.auth_token } }));
        assert.strictEqual(ok(await c.get(path, { auth: c.mainKey })).auth_token, p.auth_token, 'Account JSON shows the new token');
        const v = await c.g.auditVerify();
        assert.strictEqual(v.code, 0, `audit verify: ${v.stdout}${v.stderr}`);
        await c.g.restart();
        ok(await c.get(path, { auth: c.mainKey }), 200, 'after a restart');
        ok(await c.get(path, { auth: { user: c.root.sid, pass: p.auth_token } }), 200, 'promoted token after a restart');
    });

    t.test('a main key made for a subaccount by the CLI reaches that subaccount only', async (c) => {
        const sub = await c.createSub('cli-key-owner');
        const sib = await c.createSub('cli-key-sibling');
        const r = await c.g.cli(['key', 'create', '--type', 'main', '--account', sub.sid, '--data', c.data, '--json']);
        assert.strictEqual(r.code, 0, r.stderr);
        const k = JSON.parse(r.stdout);
        assert.strictEqual(k.account_sid, sub.sid);
        const auth = { user: k.sid, pass: k.secret };
        ok(await c.get(acct(sub.sid), { auth }), 200, 'own account');
        ok(await c.get(`/v1/Keys`, { query: { AccountSid: sub.sid }, auth }), 200, 'own v1 keys');
        error(await c.get(acct(c.root.sid), { auth }), 404, 20404, 'parent');
        error(await c.get(acct(sib.sid), { auth }), 404, 20404, 'sibling');
        error(await c.post('/2010-04-01/Accounts.json', {}, { auth }), 400, 21101, 'create subaccount');
    });
};
