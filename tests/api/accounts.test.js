'use strict';
/*
 * accounts -- 2010 Accounts: create, list (filters, paging), fetch, update, status rules and
 * what a suspended or closed account may still do.
 */
const { assert, fakeSid, ok, error, unauthorized, account, page2010, auditOne, noEvents } =
    require('./lib/check');

const ACCOUNTS = '/2010-04-01/Accounts.json';
const acct = (sid) => `/2010-04-01/Accounts/${sid}.json`;

/* Follows next_page_uri verbatim until null; returns {items, pages}. */
async function walk(c, firstUri, listKey, auth) {
    const items = [];
    const pages = [];
    let uri = firstUri;
    while (uri !== null) {
        assert.ok(pages.length <= 1000, 'paging does not end');
        const body = ok(await c.get(uri, { auth }), 200, `GET ${uri}`);
        const list = page2010(body, listKey);
        pages.push(body);
        items.push(...list);
        uri = body.next_page_uri;
        if (uri !== null) {
            assert.strictEqual(typeof uri, 'string');
            assert.ok(uri.startsWith('/2010-04-01/'), `next_page_uri is relative: ${uri}`);
        }
    }
    return { items, pages };
}

module.exports = (t) => {
    t.test('POST Accounts.json creates a subaccount (201, full Account JSON)', async (c) => {
        const mark = await c.auditMark();
        const res = await c.post(ACCOUNTS, { FriendlyName: 'tenant-1' });
        const a = account(ok(res, 201), { owner: c.root.sid, friendlyName: 'tenant-1', status: 'active' });
        assert.notStrictEqual(a.sid, c.root.sid);
        assert.notStrictEqual(a.auth_token, c.root.token, 'a subaccount has its own auth token');
        assert.strictEqual(a.date_created, a.date_updated);
        /* the new subaccount authenticates with its own token */
        account(ok(await c.get(acct(a.sid), { auth: { user: a.sid, pass: a.auth_token } })),
                { sid: a.sid, owner: c.root.sid });
        const ev = await c.audit(mark);
        auditOne(ev, { action: 'account.create', target: a.sid, actor: c.root.sid,
                       outcome: 'success' }, { ua: c.ua });
    });

    t.test('create without FriendlyName gets the default "SubAccount Created at ..." name', async (c) => {
        const a = account(ok(await c.post(ACCOUNTS, {}), 201), { owner: c.root.sid });
        assert.match(a.friendly_name, /^SubAccount Created at \d{4}-\d{2}-\d{2} \d{1,2}:\d{2} ?(am|pm|AM|PM)$/);
    });

    t.test('create: FriendlyName of 64 code points (multi-byte, astral) accepted; 65 or empty -> 400 20002', async (c) => {
        const e64 = 'é'.repeat(64); /* 128 bytes, 64 code points */
        account(ok(await c.post(ACCOUNTS, { FriendlyName: e64 }), 201), { friendlyName: e64 });
        const astral = '😀'.repeat(64); /* 256 bytes, 128 UTF-16 units, 64 code points */
        account(ok(await c.post(ACCOUNTS, { FriendlyName: astral }), 201), { friendlyName: astral });
        const before = (await c.audit()).length;
        error(await c.post(ACCOUNTS, { FriendlyName: 'x'.repeat(65) }), 400, 20002, '65 ASCII');
        error(await c.post(ACCOUNTS, { FriendlyName: 'é'.repeat(65) }), 400, 20002, '65 two-byte');
        error(await c.post(ACCOUNTS, { FriendlyName: '' }), 400, 20002, 'empty');
        assert.strictEqual((await c.audit()).length, before, 'refused creates appended audit events');
    });

    t.test('create: "+" decodes as space, %2B as plus, unknown parameters are ignored', async (c) => {
        const a = account(ok(await c.req('POST', ACCOUNTS, {
            body: 'FriendlyName=two+words%2Bplus&Nonsense=1&SuppressEmailNotification=true',
            contentType: 'application/x-www-form-urlencoded' }), 201));
        assert.strictEqual(a.friendly_name, 'two words+plus');
    });

    t.test('create: a repeated FriendlyName -> 400 20001 and nothing is created', async (c) => {
        const mark = await c.auditMark();
        error(await c.post(ACCOUNTS, [['FriendlyName', 'rep-a'], ['FriendlyName', 'rep-b']]), 400, 20001);
        for (const name of ['rep-a', 'rep-b']) {
            const body = ok(await c.get(ACCOUNTS, { query: { FriendlyName: name } }));
            assert.strictEqual(body.accounts.length, 0, `an account named ${name} exists`);
        }
        noEvents(await c.audit(mark), { action: 'account.create' });
    });

    t.test('a subaccount cannot create subaccounts -> 400 21101', async (c) => {
        const sub = await c.createSub('parent-of-none');
        const mark = await c.auditMark();
        error(await c.post(ACCOUNTS, { FriendlyName: 'grandchild' }, { auth: sub }), 400, 21101);
        noEvents(await c.audit(mark), { action: 'account.create' });
    });

    t.test('the main key creates subaccounts owned by the main account', async (c) => {
        const mark = await c.auditMark();
        const a = account(ok(await c.post(ACCOUNTS, { FriendlyName: 'by-main-key' }, { auth: c.mainKey }), 201),
                          { owner: c.root.sid });
        auditOne(await c.audit(mark), { action: 'account.create', target: a.sid, actor: c.mainKey.sid,
                                        outcome: 'success' }, { ua: c.ua });
    });

    t.test('list as the main account: itself plus its subaccounts, each a full Account JSON', async (c) => {
        const s1 = await c.createSub('list-me-1');
        const s2 = await c.createSub('list-me-2');
        const { items } = await walk(c, `${ACCOUNTS}?PageSize=1000`, 'accounts');
        const sids = items.map((a) => a.sid);
        for (const sid of [c.root.sid, s1.sid, s2.sid]) {
            assert.ok(sids.includes(sid), `list lacks ${sid}`);
        }
        items.forEach((a) => account(a));
        const main = items.find((a) => a.sid === c.root.sid);
        assert.strictEqual(main.owner_account_sid, c.root.sid, 'the main account owns itself');
        assert.strictEqual(items.find((a) => a.sid === s1.sid).owner_account_sid, c.root.sid);
    });

    t.test('list as a subaccount: only itself', async (c) => {
        const s1 = await c.createSub('sees-only-self');
        await c.createSub('sibling');
        const body = ok(await c.get(ACCOUNTS, { auth: s1 }));
        const list = page2010(body, 'accounts');
        assert.deepStrictEqual(list.map((a) => a.sid), [s1.sid]);
        account(list[0], { sid: s1.sid, owner: c.root.sid });
    });

    t.test('list filters: FriendlyName exact match, Status, both; filters survive in paging URIs', async (c) => {
        const name = 'filter-target';
        const a = await c.createSub(name);
        const b = await c.createSub(name);
        await c.createSub(`${name}-longer`);
        await c.createSub('Filter-Target'); /* different case: not an exact match */
        ok(await c.post(acct(b.sid), { Status: 'suspended' }));

        let body = ok(await c.get(ACCOUNTS, { query: { FriendlyName: name } }));
        assert.deepStrictEqual(body.accounts.map((x) => x.sid).sort(), [a.sid, b.sid].sort());
        assert.ok(body.uri.includes(`FriendlyName=${name}`), `uri carries the filter: ${body.uri}`);
        assert.ok(body.first_page_uri.includes(`FriendlyName=${name}`), body.first_page_uri);

        body = ok(await c.get(ACCOUNTS, { query: { FriendlyName: name, Status: 'suspended' } }));
        assert.deepStrictEqual(body.accounts.map((x) => x.sid), [b.sid]);
        body = ok(await c.get(ACCOUNTS, { query: { FriendlyName: name, Status: 'active' } }));
        assert.deepStrictEqual(body.accounts.map((x) => x.sid), [a.sid]);
        body = ok(await c.get(ACCOUNTS, { query: { Status: 'suspended' } }));
        assert.ok(body.accounts.every((x) => x.status === 'suspended'), 'Status filter');
        assert.ok(body.accounts.some((x) => x.sid === b.sid));
        body = ok(await c.get(ACCOUNTS, { query: { FriendlyName: 'no-such-name' } }));
        assert.deepStrictEqual(body.accounts, []);
        assert.strictEqual(body.next_page_uri, null);

        /* filtered paging: every page keeps the filter */
        const { items } = await walk(c, `${ACCOUNTS}?FriendlyName=${name}&PageSize=1`, 'accounts');
        assert.deepStrictEqual(items.map((x) => x.sid).sort(), [a.sid, b.sid].sort());
    });

    t.test('list: bad Status filter -> 400 20001; repeated Status -> 400 20001', async (c) => {
        error(await c.get(ACCOUNTS, { query: { Status: 'deleted' } }), 400, 20001);
        error(await c.get(ACCOUNTS, { query: { Status: 'Active' } }), 400, 20001);
        error(await c.get(ACCOUNTS, { query: [['Status', 'active'], ['Status', 'closed']] }), 400, 20001);
    });

    t.test('list: PageSize outside 1..1000 or not a number -> 400; 1 and 1000 accepted', async (c) => {
        for (const bad of ['0', '1001', '-1', 'abc', '', '10x', '1e2']) {
            const res = await c.get(ACCOUNTS, { query: { PageSize: bad } });
            error(res, 400, undefined, `PageSize=${JSON.stringify(bad)}`);
        }
        for (const bad of ['-1', 'x']) {
            error(await c.get(ACCOUNTS, { query: { Page: bad } }), 400, undefined, `Page=${bad}`);
        }
        assert.strictEqual(ok(await c.get(ACCOUNTS, { query: { PageSize: '1' } })).page_size, 1);
        assert.strictEqual(ok(await c.get(ACCOUNTS, { query: { PageSize: '1000' } })).page_size, 1000);
    });

    t.test('list: invalid or tampered PageToken -> 400 21481', async (c) => {
        await c.createSub('tok-1');
        await c.createSub('tok-2');
        const first = ok(await c.get(ACCOUNTS, { query: { PageSize: 1 } }));
        assert.ok(first.next_page_uri, 'a second page exists');
        const token = new URLSearchParams(first.next_page_uri.split('?')[1]).get('PageToken');
        assert.ok(token, `next_page_uri carries a PageToken: ${first.next_page_uri}`);
        error(await c.get(ACCOUNTS, { query: { PageSize: 1, Page: 1, PageToken: 'PAgarbage' } }), 400, 21481);
        error(await c.get(ACCOUNTS, { query: { PageSize: 1, Page: 1, PageToken: '' } }), 400, 21481, 'empty token');
        const tampered = {
            'truncated': token.slice(0, -1),
            'extended': `${token}0`,
            'non-hex SID': `${token.slice(0, -1)}z`,
            'upper-case time part': token.slice(0, 2) + token.slice(2, 18).toUpperCase().replace(/[0-9]/g, 'F') + token.slice(18),
            'lower-case prefix': `pa${token.slice(2)}`,
            'key SID in place of an account SID': `${token.slice(0, 18)}SK${token.slice(20)}`,
        };
        for (const [what, bad] of Object.entries(tampered)) {
            error(await c.get(ACCOUNTS, { query: { PageSize: 1, Page: 1, PageToken: bad } }), 400, 21481, what);
        }
        /* the untouched URI still works */
        ok(await c.get(first.next_page_uri));
    });

    t.test('a FriendlyName filter with reserved characters is carried, encoded, through every page', async (c) => {
        const name = 'a&b=c d+e%f/é?#';
        const made = [];
        for (let i = 0; i < 3; i++) {
            made.push((await c.createSub(name)).sid);
        }
        await c.createSub('a'); /* what a broken encoding (cut at "&") would match */
        const first = ok(await c.get(ACCOUNTS, { query: { FriendlyName: name, PageSize: 1 } }));
        assert.ok(!first.next_page_uri.includes(' ') && !first.next_page_uri.includes('#'), first.next_page_uri);
        const { items } = await walk(c, first.uri, 'accounts');
        assert.deepStrictEqual(items.map((a) => a.sid).sort(), made.sort());
        items.forEach((a) => assert.strictEqual(a.friendly_name, name));
        /* "+" in a query string is a space, as in a form body */
        const plus = ok(await c.get(`${ACCOUNTS}?FriendlyName=a%26b%3Dc+d%2Be%25f%2F%C3%A9%3F%23`));
        assert.strictEqual(plus.accounts.length, 3);
    });

    t.test('Page without PageToken is an offset: start/end follow Page*PageSize', { fresh: true }, async (c) => {
        for (let i = 0; i < 4; i++) {
            await c.createSub(`offset-${i}`);
        }
        const all = ok(await c.get(ACCOUNTS, { query: { PageSize: 1000 } })).accounts.map((a) => a.sid);
        assert.strictEqual(all.length, 5);
        const p1 = ok(await c.get(ACCOUNTS, { query: { PageSize: 2, Page: 1 } }));
        assert.deepStrictEqual(p1.accounts.map((a) => a.sid), all.slice(2, 4));
        assert.deepStrictEqual([p1.page, p1.page_size, p1.start, p1.end], [1, 2, 2, 3]);
        const next = ok(await c.get(p1.next_page_uri));
        assert.deepStrictEqual(next.accounts.map((a) => a.sid), all.slice(4));
        assert.strictEqual(next.next_page_uri, null);
        const empty = ok(await c.get(ACCOUNTS, { query: { PageSize: 2, Page: 50 } }));
        assert.deepStrictEqual(empty.accounts, []);
        assert.strictEqual(empty.next_page_uri, null);
    });

    t.test('paging walk with PageSize=1 follows next_page_uri verbatim and sees every account exactly once',
           { fresh: true }, async (c) => {
        const created = [c.root.sid];
        for (let i = 0; i < 7; i++) {
            created.push((await c.createSub(`walk-${i}`)).sid);
        }
        const { items, pages } = await walk(c, `${ACCOUNTS}?PageSize=1`, 'accounts');
        const sids = items.map((a) => a.sid);
        assert.strictEqual(sids.length, created.length, `walk saw ${sids.length} items`);
        assert.strictEqual(new Set(sids).size, sids.length, `duplicates in walk: ${sids}`);
        assert.deepStrictEqual([...sids].sort(), [...created].sort());
        pages.forEach((p, i) => {
            assert.strictEqual(p.page, i, 'page index');
            assert.strictEqual(p.page_size, 1);
            assert.strictEqual(p.start, i);
            assert.strictEqual(p.end, i);
            assert.strictEqual(p.accounts.length, 1);
            assert.strictEqual(p.first_page_uri, pages[0].first_page_uri);
            if (i === 0) {
                assert.strictEqual(p.previous_page_uri, null);
            } else {
                /* forward-only PageTokens: null is allowed; a URI, if given, must lead back */
                assert.ok(p.previous_page_uri === null || typeof p.previous_page_uri === 'string');
                assert.strictEqual(pages[i - 1].next_page_uri, p.uri, 'uri is the URI that was followed');
            }
        });
        assert.strictEqual(pages[pages.length - 1].next_page_uri, null);
        /* a previous_page_uri, when the server gives one, leads back to the page before */
        const last = pages[pages.length - 1];
        if (last.previous_page_uri !== null) {
            const back = ok(await c.get(last.previous_page_uri));
            assert.deepStrictEqual(back.accounts.map((a) => a.sid), pages[pages.length - 2].accounts.map((a) => a.sid));
        } else {
            c.diag('previous_page_uri is null on every page after the first');
        }
        /* first_page_uri restarts the walk */
        const again = await walk(c, pages[3].first_page_uri, 'accounts');
        assert.deepStrictEqual(again.items.map((a) => a.sid), sids);
        /* PageSize=3: pages of 3, 3, 2 with start/end */
        const by3 = await walk(c, `${ACCOUNTS}?PageSize=3`, 'accounts');
        assert.deepStrictEqual(by3.pages.map((p) => [p.start, p.end, p.accounts.length]),
                               [[0, 2, 3], [3, 5, 3], [6, 7, 2]]);
        assert.deepStrictEqual(by3.items.map((a) => a.sid), sids, 'same order whatever the page size');
    });

    t.test('paging walk stays exact while accounts are created between pages', { fresh: true }, async (c) => {
        const before = [c.root.sid];
        for (let i = 0; i < 4; i++) {
            before.push((await c.createSub(`moving-${i}`)).sid);
        }
        let uri = `${ACCOUNTS}?PageSize=1`;
        const seen = [];
        let created = 0;
        while (uri !== null) {
            const body = ok(await c.get(uri));
            seen.push(...body.accounts.map((a) => a.sid));
            uri = body.next_page_uri;
            if (created < 3) {
                await c.createSub(`added-during-walk-${created++}`);
            }
        }
        assert.strictEqual(new Set(seen).size, seen.length, `an account was listed twice: ${seen}`);
        for (const sid of before) {
            assert.ok(seen.includes(sid), `account ${sid} that existed before the walk was skipped`);
        }
    });

    t.test('fetch: main account itself, a subaccount by its parent, a subaccount by itself', async (c) => {
        const me = account(ok(await c.get(acct(c.root.sid))), { sid: c.root.sid, owner: c.root.sid,
                                                                 status: 'active' });
        assert.strictEqual(me.auth_token, c.root.token);
        const sub = await c.createSub('fetch-me');
        account(ok(await c.get(acct(sub.sid))), { sid: sub.sid, owner: c.root.sid, friendlyName: 'fetch-me' });
        account(ok(await c.get(acct(sub.sid), { auth: sub })), { sid: sub.sid });
        account(ok(await c.get(acct(sub.sid), { auth: c.mainKey })), { sid: sub.sid });
    });

    t.test('fetch: upper-case hex in the path SID names the same account', async (c) => {
        const sub = await c.createSub('upper');
        const upper = 'AC' + sub.sid.slice(2).toUpperCase();
        account(ok(await c.get(acct(upper))), { sid: sub.sid });
    });

    t.test('fetch: parent from a subaccount, a sibling, a nonexistent SID -> identical 404 20404', async (c) => {
        const a = await c.createSub('reach-a');
        const b = await c.createSub('reach-b');
        const ghost = fakeSid('AC');
        const norm = (res, sid) => JSON.stringify(res.json).split(sid).join('<SID>');
        const rParent = await c.get(acct(c.root.sid), { auth: a });
        const rSibling = await c.get(acct(b.sid), { auth: a });
        const rGhostSub = await c.get(acct(ghost), { auth: a });
        const rGhostMain = await c.get(acct(ghost));
        error(rParent, 404, 20404, 'parent');
        error(rSibling, 404, 20404, 'sibling');
        error(rGhostSub, 404, 20404, 'nonexistent (sub)');
        error(rGhostMain, 404, 20404, 'nonexistent (main)');
        assert.strictEqual(norm(rParent, c.root.sid), norm(rGhostSub, ghost), 'parent 404 differs from nonexistent 404');
        assert.strictEqual(norm(rSibling, b.sid), norm(rGhostSub, ghost), 'sibling 404 differs from nonexistent 404');
        for (const bad of ['ACnothex', 'AC' + '0'.repeat(31), 'AC' + '0'.repeat(33), 'SK' + '0'.repeat(32)]) {
            error(await c.get(acct(bad)), 404, 20404, `malformed SID ${bad}`);
        }
    });

    t.test('update FriendlyName: 200, date_updated set, audit account.update; invalid names -> 400 20002 unchanged', async (c) => {
        const sub = await c.createSub('before-rename');
        const mark = await c.auditMark();
        const a = account(ok(await c.post(acct(sub.sid), { FriendlyName: 'after-rename' })),
                          { sid: sub.sid, friendlyName: 'after-rename', status: 'active' });
        assert.ok(Date.parse(a.date_updated) >= Date.parse(a.date_created));
        assert.strictEqual(a.auth_token, sub.token, 'renaming keeps the token');
        auditOne(await c.audit(mark), { action: 'account.update', target: sub.sid, actor: c.root.sid,
                                        outcome: 'success' }, { ua: c.ua });
        const mark2 = await c.auditMark();
        error(await c.post(acct(sub.sid), { FriendlyName: 'y'.repeat(65) }), 400, 20002);
        error(await c.post(acct(sub.sid), { FriendlyName: '' }), 400, 20002);
        error(await c.post(acct(sub.sid), [['FriendlyName', 'p'], ['FriendlyName', 'q']]), 400, 20001);
        account(ok(await c.get(acct(sub.sid))), { friendlyName: 'after-rename' });
        noEvents(await c.audit(mark2), { action: 'account.update' });
    });

    t.test('a subaccount may rename itself; the main account may rename itself', async (c) => {
        const sub = await c.createSub('self-rename');
        account(ok(await c.post(acct(sub.sid), { FriendlyName: 'renamed-by-self' }, { auth: sub })),
                { friendlyName: 'renamed-by-self', status: 'active' });
        const name = 'main renamed';
        account(ok(await c.post(acct(c.root.sid), { FriendlyName: name })), { sid: c.root.sid, friendlyName: name });
    });

    t.test('update Status: bad value -> 400 20001; repeated -> 400 20001; status unchanged', async (c) => {
        const sub = await c.createSub('bad-status');
        for (const bad of ['deleted', 'Suspended', 'ACTIVE', '', 'active ']) {
            error(await c.post(acct(sub.sid), { Status: bad }), 400, 20001, `Status=${JSON.stringify(bad)}`);
        }
        error(await c.post(acct(sub.sid), [['Status', 'active'], ['Status', 'suspended']]), 400, 20001);
        account(ok(await c.get(acct(sub.sid))), { status: 'active' });
        ok(await c.get(acct(sub.sid), { auth: sub }));
    });

    t.test('suspend: the subaccount and its keys are refused (401), the parent still sees it; reactivate restores', async (c) => {
        const sub = await c.createSub('to-suspend');
        const key = await c.createKey2010(sub.sid, { auth: sub });
        const mark = await c.auditMark();
        account(ok(await c.post(acct(sub.sid), { Status: 'suspended' })), { sid: sub.sid, status: 'suspended' });
        auditOne(await c.audit(mark), { action: 'account.update', target: sub.sid, actor: c.root.sid,
                                        outcome: 'success' });
        unauthorized(await c.get(acct(sub.sid), { auth: sub }), 'suspended sub token');
        unauthorized(await c.get(`/2010-04-01/Accounts/${sub.sid}/Keys.json`, { auth: key }), 'suspended sub key');
        unauthorized(await c.post(ACCOUNTS, {}, { auth: sub }), 'suspended sub POST');
        account(ok(await c.get(acct(sub.sid))), { status: 'suspended' });
        account(ok(await c.post(acct(sub.sid), { Status: 'active' })), { status: 'active' });
        account(ok(await c.get(acct(sub.sid), { auth: sub })), { status: 'active' });
    });

    t.test('an update with one invalid field changes nothing (FriendlyName + Status are applied together or not at all)', async (c) => {
        const sub = await c.createSub('atomic');
        const mark = await c.auditMark();
        error(await c.post(acct(sub.sid), { FriendlyName: 'x'.repeat(65), Status: 'suspended' }), 400, 20002);
        error(await c.post(acct(sub.sid), { FriendlyName: 'half-applied', Status: 'bogus' }), 400, 20001);
        account(ok(await c.get(acct(sub.sid))), { friendlyName: 'atomic', status: 'active' });
        ok(await c.get(acct(sub.sid), { auth: sub }), 200, 'not suspended');
        noEvents(await c.audit(mark), { action: 'account.update' });
    });

    t.test('status transitions: suspended -> active restores the keys too; suspended -> closed is allowed', async (c) => {
        const sub = await c.createSub('transitions');
        const key = await c.createKey2010(sub.sid);
        ok(await c.post(acct(sub.sid), { Status: 'suspended' }));
        unauthorized(await c.get(acct(sub.sid), { auth: key }));
        ok(await c.post(acct(sub.sid), { Status: 'active' }));
        error(await c.get(acct(sub.sid), { auth: key }), 403, 20403, 'the key authenticates again (standard key: 403)');
        ok(await c.post(acct(sub.sid), { Status: 'suspended' }));
        account(ok(await c.post(acct(sub.sid), { Status: 'closed' })), { status: 'closed' });
        error(await c.post(acct(sub.sid), { Status: 'active' }), 400, 20005);
    });

    t.test('only the parent changes a subaccount Status: the subaccount itself -> 403 20403', async (c) => {
        const sub = await c.createSub('self-suspend');
        for (const st of ['suspended', 'closed']) {
            error(await c.post(acct(sub.sid), { Status: st }, { auth: sub }), 403, 20403, `self Status=${st}`);
        }
        account(ok(await c.get(acct(sub.sid))), { status: 'active' });
    });

    t.test('the main account cannot suspend or close itself through the API', { fresh: true }, async (c) => {
        for (const st of ['suspended', 'closed']) {
            const res = await c.post(acct(c.root.sid), { Status: st });
            assert.ok(res.status >= 400 && res.status < 500, `Status=${st} on the main account: ${res.status} ${res.text}`);
            error(res, res.status);
        }
        account(ok(await c.get(acct(c.root.sid))), { status: 'active' });
    });

    t.test('close is permanent: closed account refused (401), any later change -> 400 20005', async (c) => {
        const sub = await c.createSub('to-close');
        account(ok(await c.post(acct(sub.sid), { Status: 'closed' })), { status: 'closed' });
        unauthorized(await c.get(acct(sub.sid), { auth: sub }), 'closed sub');
        const mark = await c.auditMark();
        error(await c.post(acct(sub.sid), { Status: 'active' }), 400, 20005, 'reopen');
        error(await c.post(acct(sub.sid), { Status: 'suspended' }), 400, 20005, 'suspend closed');
        error(await c.post(acct(sub.sid), { FriendlyName: 'zombie' }), 400, 20005, 'rename closed');
        noEvents(await c.audit(mark), { action: 'account.update' });
        /* still visible to the parent, with Status=closed filter */
        account(ok(await c.get(acct(sub.sid))), { status: 'closed', friendlyName: 'to-close' });
        const body = ok(await c.get(ACCOUNTS, { query: { Status: 'closed', FriendlyName: 'to-close' } }));
        assert.deepStrictEqual(body.accounts.map((a) => a.sid), [sub.sid]);
    });

    t.test('subaccount credentials cannot update the parent or a sibling (404 20404)', async (c) => {
        const a = await c.createSub('upd-a');
        const b = await c.createSub('upd-b');
        error(await c.post(acct(c.root.sid), { FriendlyName: 'hijack' }, { auth: a }), 404, 20404);
        error(await c.post(acct(b.sid), { Status: 'suspended' }, { auth: a }), 404, 20404);
        account(ok(await c.get(acct(b.sid))), { status: 'active', friendlyName: 'upd-b' });
    });

    t.test('a suspended parent\'s subaccounts are refused (the operator suspends the main account)',
           { fresh: true }, async (c) => {
        const sub = await c.createSub('child-of-suspended');
        ok(await c.get(acct(sub.sid), { auth: sub }));
        const set = async (status) => {
            const r = await c.g.cli(['account', 'status', '--data', c.g.data, '--account', c.root.sid,
                                     '--status', status, '--json']);
            assert.strictEqual(r.code, 0, `account status ${status}: ${r.stderr}`);
            assert.deepStrictEqual(JSON.parse(r.stdout), { sid: c.root.sid, status });
        };
        await set('suspended');
        unauthorized(await c.get(acct(sub.sid), { auth: sub }), 'subaccount of a suspended parent');
        unauthorized(await c.get(acct(c.root.sid)), 'the suspended main account itself');
        await set('active');
        ok(await c.get(acct(sub.sid), { auth: sub }));
        account(ok(await c.get(acct(c.root.sid))), { status: 'active' });
        const r = await c.g.cli(['account', 'status', '--data', c.g.data, '--account', c.root.sid,
                                 '--status', 'paused']);
        assert.strictEqual(r.code, 2, 'a bad status is a usage error');
    });
};
