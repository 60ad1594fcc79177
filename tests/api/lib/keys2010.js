'use strict';
/*
 * keys2010.js -- the cases shared by the two 2010 key families, Keys and SigningKeys: same
 * shapes, same reach rules, different path segment and list key.  Each family is a separate
 * collection: a key of one family is not listed or reachable under the other.
 */
const { assert, fakeSid, ok, error, unauthorized, key2010, page2010, auditOne, noEvents } =
    require('./check');

const ACCOUNTS = '/2010-04-01/Accounts.json';

module.exports = function keyFamily(t, { family, listKey, other, otherListKey }) {
    const list = (ac) => `/2010-04-01/Accounts/${ac}/${family}.json`;
    const one = (ac, sk) => `/2010-04-01/Accounts/${ac}/${family}/${sk}.json`;
    const acctPath = (ac) => `/2010-04-01/Accounts/${ac}.json`;

    /* Every key of the account's list, following next_page_uri. */
    async function listAll(c, ac, auth) {
        const items = [];
        let uri = `${list(ac)}?PageSize=1000`;
        while (uri !== null) {
            const body = ok(await c.get(uri, { auth }), 200, `GET ${uri}`);
            items.push(...page2010(body, listKey));
            uri = body.next_page_uri;
        }
        return items;
    }

    t.test(`POST ${family}.json creates a key: 201 {sid, friendly_name, dates, secret}, audit key.create`, async (c) => {
        const mark = await c.auditMark();
        const k = key2010(ok(await c.post(list(c.root.sid), { FriendlyName: 'ci deploy' }), 201),
                          { withSecret: true, friendlyName: 'ci deploy' });
        assert.strictEqual(k.date_created, k.date_updated);
        auditOne(await c.audit(mark), { action: 'key.create', target: k.sid, actor: c.root.sid,
                                        outcome: 'success' }, { ua: c.ua });
    });

    t.test('create without FriendlyName; two creates give distinct SIDs and secrets', async (c) => {
        const a = ok(await c.post(list(c.root.sid), {}), 201);
        const b = ok(await c.post(list(c.root.sid), {}), 201);
        key2010(a, { withSecret: true });
        key2010(b, { withSecret: true });
        assert.notStrictEqual(a.sid, b.sid);
        assert.notStrictEqual(a.secret, b.secret);
    });

    t.test('the new key authenticates with standard reach: Accounts routes -> 403 20403, not 401', async (c) => {
        const k = await c.createKey2010(c.root.sid, { family });
        error(await c.get(acctPath(c.root.sid), { auth: k }), 403, 20403, 'fetch account');
        error(await c.get(list(c.root.sid), { auth: k }), 403, 20403, `list ${family}`);
        error(await c.post(list(c.root.sid), {}, { auth: k }), 403, 20403, `create ${family}`);
        error(await c.del(one(c.root.sid, k.sid), { auth: k }), 403, 20403, 'delete itself');
        unauthorized(await c.get(acctPath(c.root.sid), { auth: { user: k.sid, pass: k.secret.slice(0, -1) + (k.secret.endsWith('a') ? 'b' : 'a') } }),
                     'secret with its last character changed');
        ok(await c.get(one(c.root.sid, k.sid)), 200, 'the key still exists');
    });

    t.test('create: FriendlyName over 64 code points -> 400 20002, repeated -> 400 20001; nothing created; 64 accepted', async (c) => {
        const before = (await listAll(c, c.root.sid)).length;
        const mark = await c.auditMark();
        error(await c.post(list(c.root.sid), { FriendlyName: 'k'.repeat(65) }), 400, 20002);
        error(await c.post(list(c.root.sid), { FriendlyName: 'ü'.repeat(65) }), 400, 20002);
        error(await c.post(list(c.root.sid), [['FriendlyName', 'a'], ['FriendlyName', 'b']]), 400, 20001);
        key2010(ok(await c.post(list(c.root.sid), { FriendlyName: 'ü'.repeat(64) }), 201),
                { withSecret: true, friendlyName: 'ü'.repeat(64) });
        assert.strictEqual((await listAll(c, c.root.sid)).length, before + 1);
        const ev = await c.audit(mark);
        assert.strictEqual(ev.filter((e) => e.action === 'key.create').length, 1, 'one key.create event');
    });

    t.test('empty FriendlyName -> 400 20002 on create and on update; nothing changes', async (c) => {
        const before = (await listAll(c, c.root.sid)).length;
        const k = await c.createKey2010(c.root.sid, { family, friendlyName: 'keeps-name' });
        const mark = await c.auditMark();
        error(await c.post(list(c.root.sid), { FriendlyName: '' }), 400, 20002, 'create');
        error(await c.post(one(c.root.sid, k.sid), { FriendlyName: '' }), 400, 20002, 'update');
        key2010(ok(await c.get(one(c.root.sid, k.sid))), { friendlyName: 'keeps-name' });
        assert.strictEqual((await listAll(c, c.root.sid)).length, before + 1);
        noEvents(await c.audit(mark), { outcome: 'success' });
    });

    t.test(`list: "${listKey}" envelope with the key, no secret anywhere`, async (c) => {
        const k = await c.createKey2010(c.root.sid, { family, friendlyName: 'listed' });
        const res = await c.get(list(c.root.sid));
        const body = ok(res);
        const items = page2010(body, listKey);
        assert.strictEqual(body.uri, `${list(c.root.sid)}?PageSize=50&Page=0`);
        const mine = items.find((x) => x.sid === k.sid);
        assert.ok(mine, `key ${k.sid} not listed`);
        key2010(mine, { friendlyName: 'listed' });
        items.forEach((x) => key2010(x));
        assert.ok(!res.text.includes(k.secret), 'the list shows a secret');
    });

    t.test('list: PageSize=1 walk via next_page_uri sees every key exactly once; bad PageToken -> 400 21481',
           { fresh: true }, async (c) => {
        const made = [];
        for (let i = 0; i < 5; i++) {
            made.push((await c.createKey2010(c.root.sid, { family, friendlyName: `walk-${i}` })).sid);
        }
        const base = new Set((await listAll(c, c.root.sid)).map((k) => k.sid));
        const seen = [];
        let uri = `${list(c.root.sid)}?PageSize=1`;
        let pages = 0;
        while (uri !== null) {
            const body = ok(await c.get(uri));
            const items = page2010(body, listKey);
            assert.ok(items.length <= 1);
            assert.strictEqual(body.page, pages++);
            seen.push(...items.map((k) => k.sid));
            uri = body.next_page_uri;
            assert.ok(pages < 100, 'paging does not end');
        }
        assert.strictEqual(new Set(seen).size, seen.length, `duplicates: ${seen}`);
        assert.deepStrictEqual([...seen].sort(), [...base].sort());
        made.forEach((sid) => assert.ok(seen.includes(sid)));
        error(await c.get(list(c.root.sid), { query: { PageSize: 1, Page: 1, PageToken: 'PAnope' } }), 400, 21481);
        error(await c.get(list(c.root.sid), { query: { PageSize: 0 } }), 400);
        error(await c.get(list(c.root.sid), { query: { PageSize: 1001 } }), 400);
        /* an account-list token names an AC row, not a key: refused here */
        const acc = ok(await c.get(ACCOUNTS, { query: { PageSize: 1 } }));
        if (acc.next_page_uri) {
            const tok = new URLSearchParams(acc.next_page_uri.split('?')[1]).get('PageToken');
            error(await c.get(list(c.root.sid), { query: { PageSize: 1, Page: 1, PageToken: tok } }), 400, 21481,
                  'Accounts PageToken on a key list');
        }
    });

    t.test('a walk continues when the anchor key of the current page is deleted', { fresh: true }, async (c) => {
        for (let i = 0; i < 4; i++) {
            await c.createKey2010(c.root.sid, { family, friendlyName: `anchor-${i}` });
        }
        const all = (await listAll(c, c.root.sid)).map((k) => k.sid);
        const seen = [];
        let body = ok(await c.get(`${list(c.root.sid)}?PageSize=1`));
        let deleted = null;
        for (;;) {
            const items = page2010(body, listKey);
            seen.push(...items.map((k) => k.sid));
            if (body.next_page_uri === null) {
                break;
            }
            if (deleted === null && seen.length === 2) {
                deleted = items[0].sid; /* the row the PageToken points after */
                assert.strictEqual((await c.del(one(c.root.sid, deleted))).status, 204);
            }
            body = ok(await c.get(body.next_page_uri));
        }
        assert.deepStrictEqual(seen, all, 'the walk skipped or repeated keys');
    });

    t.test('upper-case hex in a key SID path names the same key', async (c) => {
        const k = await c.createKey2010(c.root.sid, { family });
        const upper = `SK${k.sid.slice(2).toUpperCase()}`;
        assert.strictEqual(ok(await c.get(one(c.root.sid, upper))).sid, k.sid);
        assert.strictEqual(ok(await c.get(one(`AC${c.root.sid.slice(2).toUpperCase()}`, k.sid))).sid, k.sid);
    });

    t.test('concurrent deletes of one key: exactly one 204, the rest 404, one key.delete event', async (c) => {
        const k = await c.createKey2010(c.root.sid, { family });
        const mark = await c.auditMark();
        const res = await Promise.all([...Array(8)].map((_, i) => c.del(one(c.root.sid, k.sid), { auth: i % 2 ? c.mainKey : c.root })));
        const st = res.map((r) => r.status).sort();
        assert.deepStrictEqual(st, [204, 404, 404, 404, 404, 404, 404, 404]);
        const ev = (await c.audit(mark)).filter((e) => e.action === 'key.delete');
        assert.strictEqual(ev.length, 1, `key.delete events: ${ev.length}`);
    });

    t.test('fetch: 200 without secret; update FriendlyName: 200, date fields, audit key.update', async (c) => {
        const k = await c.createKey2010(c.root.sid, { family, friendlyName: 'old name' });
        const f = ok(await c.get(one(c.root.sid, k.sid)));
        key2010(f, { friendlyName: 'old name' });
        assert.strictEqual(f.sid, k.sid);
        const mark = await c.auditMark();
        const u = key2010(ok(await c.post(one(c.root.sid, k.sid), { FriendlyName: 'new name' })),
                          { friendlyName: 'new name' });
        assert.strictEqual(u.sid, k.sid);
        assert.strictEqual(u.date_created, k.json.date_created);
        assert.ok(Date.parse(u.date_updated) >= Date.parse(u.date_created));
        key2010(ok(await c.get(one(c.root.sid, k.sid))), { friendlyName: 'new name' });
        auditOne(await c.audit(mark), { action: 'key.update', target: k.sid, actor: c.root.sid,
                                        outcome: 'success' }, { ua: c.ua });
    });

    t.test('update: FriendlyName over 64 -> 400 20002, repeated -> 400 20001; name unchanged, no audit event', async (c) => {
        const k = await c.createKey2010(c.root.sid, { family, friendlyName: 'stable' });
        const mark = await c.auditMark();
        error(await c.post(one(c.root.sid, k.sid), { FriendlyName: 'z'.repeat(65) }), 400, 20002);
        error(await c.post(one(c.root.sid, k.sid), [['FriendlyName', 'a'], ['FriendlyName', 'b']]), 400, 20001);
        key2010(ok(await c.get(one(c.root.sid, k.sid))), { friendlyName: 'stable' });
        noEvents(await c.audit(mark), { action: 'key.update' });
    });

    t.test('delete: 204 empty; then fetch/update/delete -> 404 20404, not listed, secret refused (401); audit key.delete', async (c) => {
        const k = await c.createKey2010(c.root.sid, { family });
        const mark = await c.auditMark();
        const res = await c.del(one(c.root.sid, k.sid));
        assert.strictEqual(res.status, 204, `DELETE -> ${res.status} ${res.text}`);
        assert.strictEqual(res.text, '', '204 has an empty body');
        auditOne(await c.audit(mark), { action: 'key.delete', target: k.sid, actor: c.root.sid,
                                        outcome: 'success' }, { ua: c.ua });
        error(await c.get(one(c.root.sid, k.sid)), 404, 20404, 'fetch deleted');
        error(await c.post(one(c.root.sid, k.sid), { FriendlyName: 'x' }), 404, 20404, 'update deleted');
        error(await c.del(one(c.root.sid, k.sid)), 404, 20404, 'delete twice');
        assert.ok(!(await listAll(c, c.root.sid)).some((x) => x.sid === k.sid), 'deleted key listed');
        unauthorized(await c.get(acctPath(c.root.sid), { auth: k }), 'deleted key');
    });

    t.test('nonexistent, malformed or wrong-prefix key SIDs -> 404 20404', async (c) => {
        for (const sid of [fakeSid('SK', 1), 'SKzz', 'SK' + '0'.repeat(31), fakeSid('AC', 1), fakeSid('XX', 1)]) {
            error(await c.get(one(c.root.sid, sid)), 404, 20404, `fetch ${sid}`);
            error(await c.del(one(c.root.sid, sid)), 404, 20404, `delete ${sid}`);
        }
        error(await c.get(list(fakeSid('AC', 2))), 404, 20404, 'list under a nonexistent account');
        error(await c.post(list(fakeSid('AC', 2)), {}), 404, 20404, 'create under a nonexistent account');
    });

    t.test('parent token and main key reach a subaccount\'s keys; the key belongs to the subaccount', async (c) => {
        const sub = await c.createSub(`${family}-owner`);
        const mark = await c.auditMark();
        const k = await c.createKey2010(sub.sid, { family, friendlyName: 'made by parent' });
        auditOne(await c.audit(mark), { action: 'key.create', target: k.sid, actor: c.root.sid });
        const k2 = await c.createKey2010(sub.sid, { family, auth: c.mainKey });
        const subKeys = (await listAll(c, sub.sid, sub)).map((x) => x.sid);
        assert.ok(subKeys.includes(k.sid) && subKeys.includes(k2.sid), 'listed under the subaccount');
        assert.deepStrictEqual((await listAll(c, sub.sid, c.mainKey)).map((x) => x.sid).sort(), [...subKeys].sort());
        const mainKeys = (await listAll(c, c.root.sid)).map((x) => x.sid);
        assert.ok(!mainKeys.includes(k.sid), 'a subaccount key is listed under the parent');
        key2010(ok(await c.get(one(sub.sid, k.sid), { auth: sub })), { friendlyName: 'made by parent' });
        ok(await c.post(one(sub.sid, k.sid), { FriendlyName: 'renamed by main key' }, { auth: c.mainKey }));
        assert.strictEqual((await c.del(one(sub.sid, k2.sid), { auth: c.mainKey })).status, 204);
        assert.strictEqual((await c.del(one(sub.sid, k.sid))).status, 204);
    });

    t.test('subaccount credentials never reach the parent\'s or a sibling\'s keys (404 20404)', async (c) => {
        const a = await c.createSub('keys-a');
        const b = await c.createSub('keys-b');
        const parentKey = await c.createKey2010(c.root.sid, { family });
        const siblingKey = await c.createKey2010(b.sid, { family });
        const mark = await c.auditMark();
        for (const [who, ac, sk] of [['parent', c.root.sid, parentKey.sid], ['sibling', b.sid, siblingKey.sid]]) {
            error(await c.get(list(ac), { auth: a }), 404, 20404, `${who} list`);
            error(await c.post(list(ac), {}, { auth: a }), 404, 20404, `${who} create`);
            error(await c.get(one(ac, sk), { auth: a }), 404, 20404, `${who} fetch`);
            error(await c.post(one(ac, sk), { FriendlyName: 'x' }, { auth: a }), 404, 20404, `${who} update`);
            error(await c.del(one(ac, sk), { auth: a }), 404, 20404, `${who} delete`);
        }
        noEvents(await c.audit(mark), { outcome: 'success' });
        ok(await c.get(one(c.root.sid, parentKey.sid)));
        ok(await c.get(one(b.sid, siblingKey.sid)));
    });

    t.test('a key is only reachable under its own account\'s path (404 20404 under another account)', async (c) => {
        const sub = await c.createSub('path-owner');
        const subKey = await c.createKey2010(sub.sid, { family });
        const mainKey = await c.createKey2010(c.root.sid, { family });
        error(await c.get(one(c.root.sid, subKey.sid)), 404, 20404, 'sub key under the main path');
        error(await c.del(one(c.root.sid, subKey.sid)), 404, 20404, 'delete sub key under the main path');
        error(await c.get(one(sub.sid, mainKey.sid)), 404, 20404, 'main key under the sub path');
        error(await c.post(one(sub.sid, mainKey.sid), { FriendlyName: 'x' }, { auth: sub }), 404, 20404);
        error(await c.del(one(sub.sid, mainKey.sid), { auth: sub }), 404, 20404);
        ok(await c.get(one(sub.sid, subKey.sid)));
        ok(await c.get(one(c.root.sid, mainKey.sid)));
    });

    t.test(`${family} and ${other} are separate collections`, async (c) => {
        const k = await c.createKey2010(c.root.sid, { family });
        const otherList = `/2010-04-01/Accounts/${c.root.sid}/${other}.json`;
        const otherOne = `/2010-04-01/Accounts/${c.root.sid}/${other}/${k.sid}.json`;
        const body = ok(await c.get(`${otherList}?PageSize=1000`));
        assert.ok(!page2010(body, otherListKey).some((x) => x.sid === k.sid), `listed under ${other}`);
        error(await c.get(otherOne), 404, 20404, `fetch under ${other}`);
        error(await c.del(otherOne), 404, 20404, `delete under ${other}`);
        ok(await c.get(one(c.root.sid, k.sid)));
    });

    t.test('a closed subaccount\'s keys can no longer be managed or used', async (c) => {
        const sub = await c.createSub('closing-with-keys');
        const k = await c.createKey2010(sub.sid, { family });
        ok(await c.post(acctPath(sub.sid), { Status: 'closed' }));
        unauthorized(await c.get(acctPath(sub.sid), { auth: k }), 'key of a closed account');
        const res = await c.post(list(sub.sid), {});
        assert.ok(res.status >= 400, `creating a key in a closed account: ${res.status} ${res.text}`);
    });
};
