'use strict';
/*
 * keys_v1 -- iam v1 Keys: standard and restricted keys, Policy validation, the meta list
 * envelope with absolute URLs, and reach (the credential's own account only).
 */
const { assert, RE, fakeSid, ok, error, keys, auditOne, noEvents, unauthorized } = require('./lib/check');

const KEYS = '/v1/Keys';
const one = (sk) => `/v1/Keys/${sk}`;
const READ = '/twilio/messaging/messages/read';
const CREATE = '/twilio/messaging/messages/create';
const policy = (...allow) => JSON.stringify({ allow });

/* A v1 create/fetch/update body: {sid, friendly_name, dates, policy[, secret]}. */
function keyV1(k, { withSecret = false, friendlyName, allow } = {}) {
    const expected = ['sid', 'friendly_name', 'date_created', 'date_updated', 'policy'];
    if (withSecret) {
        expected.push('secret');
    }
    keys(k, expected, 'v1 key');
    assert.match(k.sid, RE.SK);
    assert.match(k.date_created, RE.RFC2822);
    assert.match(k.date_updated, RE.RFC2822);
    if (withSecret) {
        assert.match(k.secret, RE.SECRET);
    }
    if (friendlyName !== undefined) {
        assert.strictEqual(k.friendly_name, friendlyName);
    }
    if (allow === null) {
        assert.strictEqual(k.policy, null, 'a standard key has policy null');
    } else if (allow !== undefined) {
        assert.deepStrictEqual(k.policy, { allow });
    }
    return k;
}

/* The v1 list envelope {keys, meta}; returns the items. */
function pageV1(c, body, accountSid) {
    keys(body, ['keys', 'meta'], 'v1 list');
    keys(body.meta, ['page', 'page_size', 'first_page_url', 'previous_page_url', 'url', 'next_page_url', 'key'],
         'meta');
    assert.strictEqual(body.meta.key, 'keys');
    for (const f of ['first_page_url', 'url']) {
        assert.match(body.meta[f], /^https?:\/\/[^/]+\/v1\/Keys\?/, `${f} is absolute: ${body.meta[f]}`);
        assert.ok(body.meta[f].includes(`AccountSid=${accountSid}`), `${f} carries AccountSid: ${body.meta[f]}`);
    }
    for (const item of body.keys) {
        keys(item, ['sid', 'friendly_name', 'date_created', 'date_updated', 'flags'], 'v1 list item');
        assert.match(item.date_created, RE.RFC2822);
        assert.ok(Array.isArray(item.flags) && item.flags.every((f) => typeof f === 'string'), 'flags');
    }
    return body.keys;
}

async function listAll(c, accountSid, auth) {
    const out = [];
    const body = ok(await c.get(KEYS, { query: { AccountSid: accountSid, PageSize: 1000 }, auth }));
    out.push(...pageV1(c, body, accountSid));
    assert.strictEqual(body.meta.next_page_url, null);
    return out;
}

module.exports = (t) => {
    t.test('POST /v1/Keys without KeyType: standard key, 201 with secret and policy null; audit key.create', async (c) => {
        const mark = await c.auditMark();
        const k = keyV1(ok(await c.post(KEYS, { AccountSid: c.root.sid, FriendlyName: 'v1 standard' }), 201),
                        { withSecret: true, friendlyName: 'v1 standard', allow: null });
        auditOne(await c.audit(mark), { action: 'key.create', target: k.sid, actor: c.root.sid,
                                        outcome: 'success' }, { ua: c.ua });
        /* it authenticates, with standard reach */
        error(await c.get(KEYS, { query: { AccountSid: c.root.sid }, auth: { user: k.sid, pass: k.secret } }),
              403, 20403);
    });

    t.test('KeyType=restricted with a Policy: 201, policy echoed; fetch shows policy, never the secret', async (c) => {
        const k = keyV1(ok(await c.post(KEYS, { AccountSid: c.root.sid, FriendlyName: 'rk', KeyType: 'restricted',
                                                Policy: policy(READ, CREATE) }), 201),
                        { withSecret: true, friendlyName: 'rk', allow: [READ, CREATE] });
        const res = await c.get(one(k.sid));
        keyV1(ok(res), { friendlyName: 'rk', allow: [READ, CREATE] });
        assert.ok(!res.text.includes(k.secret));
        const items = await listAll(c, c.root.sid);
        const item = items.find((x) => x.sid === k.sid);
        assert.ok(item, 'restricted key listed');
        assert.ok(!JSON.stringify(items).includes(k.secret), 'list shows a secret');
    });

    t.test('a restricted key authenticates but is refused everywhere here: 403 70051', { fresh: true }, async (c) => {
        const k = await c.createKeyV1(c.root.sid, { KeyType: 'restricted', Policy: policy(READ) });
        const auth = { user: k.sid, pass: k.secret };
        error(await c.get(KEYS, { query: { AccountSid: c.root.sid }, auth }), 403, 70051, 'v1 list');
        error(await c.get(one(k.sid), { auth }), 403, 70051, 'v1 fetch itself');
        error(await c.del(one(k.sid), { auth }), 403, 70051, 'v1 delete itself');
        error(await c.get(`/2010-04-01/Accounts/${c.root.sid}.json`, { auth }), 403, 70051, 'account fetch');
        error(await c.post('/2010-04-01/Accounts.json', {}, { auth }), 403, 70051, 'account create');
        error(await c.post('/v1/AuthTokens/Secondary', {}, { auth }), 403, 70051, 'secondary token');
        ok(await c.get(one(k.sid)), 200, 'key still exists');
    });

    t.test('Policy of exactly 100 permissions accepted; 101 -> 400, nothing created', async (c) => {
        const perms = (n) => [...Array(n)].map((_, i) => `/twilio/messaging/messages${i}/read`);
        keyV1(ok(await c.post(KEYS, { AccountSid: c.root.sid, KeyType: 'restricted', Policy: policy(...perms(100)) }), 201),
              { withSecret: true, allow: perms(100) });
        const before = (await listAll(c, c.root.sid)).length;
        const mark = await c.auditMark();
        error(await c.post(KEYS, { AccountSid: c.root.sid, KeyType: 'restricted', Policy: policy(...perms(101)) }), 400);
        assert.strictEqual((await listAll(c, c.root.sid)).length, before);
        noEvents(await c.audit(mark), { action: 'key.create' });
    });

    t.test('invalid Policy texts -> 400 each, and no key is created', async (c) => {
        const bad = {
            'not JSON': '{"allow": [',
            'trailing garbage': `${policy(READ)}x`,
            'duplicate allow key': `{"allow":["${READ}"],"allow":["${CREATE}"]}`,
            'array, not an object': JSON.stringify([READ]),
            'string, not an object': JSON.stringify(READ),
            'number': '42',
            'null': 'null',
            'empty object (no allow)': '{}',
            'deny instead of allow': JSON.stringify({ deny: [READ] }),
            'allow not an array': JSON.stringify({ allow: READ }),
            'empty allow': JSON.stringify({ allow: [] }),
            'non-string permission': JSON.stringify({ allow: [READ, 7] }),
            'null permission': JSON.stringify({ allow: [null] }),
            'empty text': '',
            'deeply nested arrays': `{"allow":${'['.repeat(8000)}${']'.repeat(8000)}}`,
            'deeply nested objects': `${'{"allow":'.repeat(1500)}[]${'}'.repeat(1500)}`,
            'invalid UTF-8 escape': '{"allow":["\\ud800"]}',
            'NUL in a permission': '{"allow":["/twilio/a\\u0000/read"]}',
        };
        const before = (await listAll(c, c.root.sid)).length;
        const mark = await c.auditMark();
        const failures = [];
        for (const [what, text] of Object.entries(bad)) {
            const res = await c.post(KEYS, { AccountSid: c.root.sid, KeyType: 'restricted', Policy: text });
            try {
                error(res, 400, undefined, what);
            } catch (e) {
                failures.push(`${what}: ${JSON.stringify(text).slice(0, 60)} -> ${res.status} ${res.text.slice(0, 120)}`);
            }
        }
        assert.deepStrictEqual(failures, [], 'policies not refused with 400');
        assert.strictEqual((await listAll(c, c.root.sid)).length, before, 'a refused create left a key');
        noEvents(await c.audit(mark), { action: 'key.create' });
    });

    t.test('a Policy with insignificant spaces is accepted and echoed as an object', async (c) => {
        /* (the form layer refuses control characters such as newline or tab in any value) */
        const k = keyV1(ok(await c.post(KEYS, { AccountSid: c.root.sid, KeyType: 'restricted',
                                                Policy: ` { "allow" : [ "${READ}" ] } ` }), 201),
                        { withSecret: true, allow: [READ] });
        keyV1(ok(await c.get(one(k.sid))), { allow: [READ] });
    });

    t.test('KeyType rules: restricted without Policy, Policy without KeyType, KeyType other than restricted -> 400', async (c) => {
        const before = (await listAll(c, c.root.sid)).length;
        const cases = {
            'restricted without Policy': { KeyType: 'restricted' },
            'Policy without KeyType': { Policy: policy(READ) },
            'KeyType=standard': { KeyType: 'standard' },
            'KeyType=main': { KeyType: 'main' },
            'KeyType=Restricted': { KeyType: 'Restricted', Policy: policy(READ) },
            'KeyType empty': { KeyType: '', Policy: policy(READ) },
            'KeyType repeated': [['KeyType', 'restricted'], ['KeyType', 'restricted'], ['Policy', policy(READ)]],
            'Policy repeated': [['KeyType', 'restricted'], ['Policy', policy(READ)], ['Policy', policy(CREATE)]],
        };
        const failures = [];
        for (const [what, form] of Object.entries(cases)) {
            const body = Array.isArray(form) ? [['AccountSid', c.root.sid], ...form] : { AccountSid: c.root.sid, ...form };
            const res = await c.post(KEYS, body);
            if (res.status !== 400 || !res.json || typeof res.json.code !== 'number') {
                failures.push(`${what} -> ${res.status} ${res.text.slice(0, 160)}`);
            }
        }
        assert.deepStrictEqual(failures, [], 'requests not refused with 400');
        assert.strictEqual((await listAll(c, c.root.sid)).length, before, 'a refused create left a key');
    });

    t.test('AccountSid: missing -> 400; nonexistent, parent-owned sub, sibling -> 404 20404', async (c) => {
        const sub = await c.createSub('v1-sub');
        const sib = await c.createSub('v1-sibling');
        error(await c.post(KEYS, { FriendlyName: 'no account' }), 400, undefined, 'create without AccountSid');
        error(await c.get(KEYS), 400, undefined, 'list without AccountSid');
        error(await c.post(KEYS, { AccountSid: fakeSid('AC', 5) }), 404, 20404, 'create, nonexistent account');
        error(await c.get(KEYS, { query: { AccountSid: fakeSid('AC', 5) } }), 404, 20404, 'list, nonexistent account');
        error(await c.post(KEYS, { AccountSid: 'ACnotasid' }), 404, 20404, 'create, malformed AccountSid');
        /* the parent reaches 2010 resources of a subaccount, not its v1 keys */
        for (const auth of [c.root, c.mainKey]) {
            error(await c.post(KEYS, { AccountSid: sub.sid }, { auth }), 404, 20404, `create in sub as ${auth.user}`);
            error(await c.get(KEYS, { query: { AccountSid: sub.sid }, auth }), 404, 20404, `list sub as ${auth.user}`);
        }
        /* subaccount credentials never reach the parent or a sibling */
        error(await c.post(KEYS, { AccountSid: c.root.sid }, { auth: sub }), 404, 20404, 'sub creates in parent');
        error(await c.get(KEYS, { query: { AccountSid: sib.sid }, auth: sub }), 404, 20404, 'sub lists sibling');
        /* the subaccount manages its own v1 keys */
        const k = keyV1(ok(await c.post(KEYS, { AccountSid: sub.sid, FriendlyName: 'own' }, { auth: sub }), 201),
                        { withSecret: true, friendlyName: 'own' });
        assert.ok((await listAll(c, sub.sid, sub)).some((x) => x.sid === k.sid));
    });

    t.test('fetch/update/delete of another account\'s key -> 404 20404 and the key is untouched', async (c) => {
        const sub = await c.createSub('v1-other');
        const subKey = await c.createKeyV1(sub.sid, { FriendlyName: 'sub-owned' }, sub);
        const mainKey = await c.createKeyV1(c.root.sid, { FriendlyName: 'main-owned' });
        const mark = await c.auditMark();
        for (const auth of [c.root, c.mainKey]) {
            error(await c.get(one(subKey.sid), { auth }), 404, 20404, 'parent fetches sub v1 key');
            error(await c.post(one(subKey.sid), { FriendlyName: 'x' }, { auth }), 404, 20404, 'parent updates sub v1 key');
            error(await c.del(one(subKey.sid), { auth }), 404, 20404, 'parent deletes sub v1 key');
        }
        error(await c.get(one(mainKey.sid), { auth: sub }), 404, 20404, 'sub fetches parent key');
        error(await c.del(one(mainKey.sid), { auth: sub }), 404, 20404, 'sub deletes parent key');
        error(await c.get(one(fakeSid('SK', 9))), 404, 20404, 'nonexistent key');
        error(await c.get(one('SKshort')), 404, 20404, 'malformed key SID');
        noEvents(await c.audit(mark), { outcome: 'success' });
        keyV1(ok(await c.get(one(subKey.sid), { auth: sub })), { friendlyName: 'sub-owned' });
        keyV1(ok(await c.get(one(mainKey.sid))), { friendlyName: 'main-owned' });
    });

    t.test('update FriendlyName and Policy: 200, audit key.update; invalid Policy -> 400 leaves the policy', async (c) => {
        const k = await c.createKeyV1(c.root.sid, { FriendlyName: 'rk-upd', KeyType: 'restricted', Policy: policy(READ) });
        const mark = await c.auditMark();
        keyV1(ok(await c.post(one(k.sid), { FriendlyName: 'rk-renamed', Policy: policy(READ, CREATE) })),
              { friendlyName: 'rk-renamed', allow: [READ, CREATE] });
        auditOne(await c.audit(mark), { action: 'key.update', target: k.sid, actor: c.root.sid,
                                        outcome: 'success' }, { ua: c.ua });
        const mark2 = await c.auditMark();
        error(await c.post(one(k.sid), { Policy: '{"allow":' }), 400, undefined, 'bad JSON');
        error(await c.post(one(k.sid), { Policy: JSON.stringify({ allow: [] }) }), 400, undefined, 'empty allow');
        error(await c.post(one(k.sid), { FriendlyName: 'n'.repeat(65) }), 400, 20002, 'long name');
        keyV1(ok(await c.get(one(k.sid))), { friendlyName: 'rk-renamed', allow: [READ, CREATE] });
        noEvents(await c.audit(mark2), { action: 'key.update' });
    });

    t.test('empty FriendlyName -> 400 20002 on create and update', async (c) => {
        const k = await c.createKeyV1(c.root.sid, { FriendlyName: 'named' });
        error(await c.post(KEYS, { AccountSid: c.root.sid, FriendlyName: '' }), 400, 20002, 'create');
        error(await c.post(one(k.sid), { FriendlyName: '' }), 400, 20002, 'update');
        keyV1(ok(await c.get(one(k.sid))), { friendlyName: 'named' });
    });

    t.test('delete: 204 empty, then 404 and the secret is refused (401); audit key.delete', async (c) => {
        const k = await c.createKeyV1(c.root.sid, { KeyType: 'restricted', Policy: policy(READ) });
        const mark = await c.auditMark();
        const res = await c.del(one(k.sid));
        assert.strictEqual(res.status, 204, `${res.status} ${res.text}`);
        assert.strictEqual(res.text, '');
        auditOne(await c.audit(mark), { action: 'key.delete', target: k.sid, actor: c.root.sid,
                                        outcome: 'success' }, { ua: c.ua });
        error(await c.get(one(k.sid)), 404, 20404);
        error(await c.del(one(k.sid)), 404, 20404);
        unauthorized(await c.get(KEYS, { query: { AccountSid: c.root.sid }, auth: k }), 'deleted restricted key');
    });

    t.test('list: meta envelope, absolute URLs, PageSize=1 walk via next_page_url sees every key once', { fresh: true }, async (c) => {
        const made = [];
        for (let i = 0; i < 4; i++) {
            made.push((await c.createKeyV1(c.root.sid, i % 2 ? { KeyType: 'restricted', Policy: policy(READ) } : {})).sid);
        }
        const all = await listAll(c, c.root.sid);
        made.forEach((sid) => assert.ok(all.some((x) => x.sid === sid), `${sid} listed`));
        const seen = [];
        let url = null;
        let body = ok(await c.get(KEYS, { query: { AccountSid: c.root.sid, PageSize: 1 } }));
        for (let page = 0; ; page++) {
            assert.ok(page < 100, 'paging does not end');
            const items = pageV1(c, body, c.root.sid);
            assert.strictEqual(body.meta.page, page);
            assert.strictEqual(body.meta.page_size, 1);
            seen.push(...items.map((x) => x.sid));
            url = body.meta.next_page_url;
            if (url === null) {
                break;
            }
            assert.ok(url.includes(`AccountSid=${c.root.sid}`), `next_page_url carries AccountSid: ${url}`);
            const u = new URL(url);
            body = ok(await c.get(u.pathname + u.search)); /* verbatim path and query */
        }
        assert.strictEqual(new Set(seen).size, seen.length, `duplicates: ${seen}`);
        assert.deepStrictEqual([...seen].sort(), all.map((x) => x.sid).sort());
        error(await c.get(KEYS, { query: { AccountSid: c.root.sid, PageSize: 1, Page: 1, PageToken: 'PAbad' } }), 400, 21481);
        error(await c.get(KEYS, { query: { AccountSid: c.root.sid, PageSize: 1001 } }), 400);
    });

    t.test('list items carry flags; restricted and standard keys are told apart', async (c) => {
        const std = await c.createKeyV1(c.root.sid, {});
        const rk = await c.createKeyV1(c.root.sid, { KeyType: 'restricted', Policy: policy(READ) });
        const items = await listAll(c, c.root.sid);
        const a = items.find((x) => x.sid === std.sid);
        const b = items.find((x) => x.sid === rk.sid);
        assert.ok(a && b);
        assert.ok(a.flags.includes('rest_api'));
        assert.notDeepStrictEqual(a.flags, b.flags);
    });

    t.test('a standard key cannot manage v1 keys (403 20403)', async (c) => {
        const std = await c.createKeyV1(c.root.sid, {});
        const other = await c.createKeyV1(c.root.sid, {});
        const auth = { user: std.sid, pass: std.secret };
        error(await c.post(KEYS, { AccountSid: c.root.sid }, { auth }), 403, 20403, 'create');
        error(await c.get(one(other.sid), { auth }), 403, 20403, 'fetch');
        error(await c.post(one(other.sid), { FriendlyName: 'x' }, { auth }), 403, 20403, 'update');
        error(await c.del(one(other.sid), { auth }), 403, 20403, 'delete');
        ok(await c.get(one(other.sid)));
    });

    t.test('the main key manages v1 keys of its own account', async (c) => {
        const mark = await c.auditMark();
        const k = keyV1(ok(await c.post(KEYS, { AccountSid: c.root.sid, FriendlyName: 'by main key' },
                                        { auth: c.mainKey }), 201), { withSecret: true });
        auditOne(await c.audit(mark), { action: 'key.create', target: k.sid, actor: c.mainKey.sid });
        assert.strictEqual((await c.del(one(k.sid), { auth: c.mainKey })).status, 204);
    });
};
