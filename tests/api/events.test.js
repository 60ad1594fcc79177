'use strict';
/*
 * events -- GET /v1/Accounts/{Sid}/Events: an account's audit trail over HTTP (audit.read).
 * Each event names the account it concerns (its keys, tokens, members, settings, subaccounts);
 * the list is newest first and paged by PageSize and PageToken; it is read by the account's
 * credentials, the parent's, restricted keys listing /gatehouse/audit/read and every role's
 * session, never by standard keys, other accounts or users without a role there.  The hash
 * chain still verifies with the account in it.
 */
const { assert, ok, error, unauthorized, where } = require('./lib/check');

const PASS = 'quiet otter juggles seven lanterns';
const events = (acct) => `/v1/Accounts/${acct}/Events`;
const policy = (...names) => JSON.stringify({ allow: names.map((n) => `/gatehouse/${n.replace(/\./g, '/')}`) });
let seq = 0;

async function newUser(c, role, acct) {
    const email = `events-${role}-${process.pid}-${++seq}@example.com`;
    const form = { Email: email, Name: `Events ${role}`, Passphrase: PASS, Role: role, AccountSid: acct };
    ok(await c.post('/v1/Users', form, { auth: c.g.root }), 201, `create ${role}`);
    const s = ok(await c.post('/v1/Sessions', { Email: email, Passphrase: PASS }, { auth: null }), 201, 'login');
    return `Bearer ${s.token}`;
}

/* Every event of acct, following next_page_url. */
async function allEvents(c, acct, auth, pageSize) {
    const out = [];
    let url = `${events(acct)}?PageSize=${pageSize}`;
    for (let pages = 0; url !== null; pages++) {
        assert.ok(pages < 1000, 'paging ends');
        const b = ok(await c.get(url.replace(/^https?:\/\/[^/]+/, ''), { auth }));
        assert.strictEqual(b.meta.key, 'events');
        assert.strictEqual(b.meta.page_size, pageSize);
        assert.ok(b.events.length <= pageSize);
        out.push(...b.events);
        url = b.meta.next_page_url;
    }
    return out;
}

module.exports = (t) => {
    t.test('an account\'s events: only its own, newest first, paged without overlap; secrets never in them', async (c) => {
        const M = c.root.sid;
        const sub = await c.createSub('events-sub');
        const mine = [];
        for (let i = 0; i < 3; i++) {
            mine.push(await c.createKeyV1(M, { FriendlyName: `events ${i}` }));
        }
        const theirs = await c.createKeyV1(sub.sid, {}, { user: sub.sid, pass: sub.token });
        const one = ok(await c.get(`${events(M)}?PageSize=1000`)).events;
        assert.ok(one.length >= 5, `events: ${one.length}`);
        for (let i = 0; i < one.length; i++) {
            const e = one[i];
            assert.strictEqual(e.account_sid, M);
            assert.deepStrictEqual(Object.keys(e), ['seq', 'account_sid', 'date_created', 'actor_sid', 'action',
                                                    'target_sid', 'outcome', 'detail', 'remote_addr', 'user_agent']);
            assert.match(e.date_created, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
            if (i > 0) {
                assert.ok(e.seq < one[i - 1].seq, 'newest first');
            }
        }
        for (const k of mine) {
            assert.ok(one.some((e) => e.action === 'key.create' && e.target_sid === k.sid), `key.create ${k.sid}`);
        }
        assert.ok(!one.some((e) => e.target_sid === sub.sid),
                  "a subaccount's creation is its own event (roles without the subaccounts do not see its SID)");
        assert.ok(!one.some((e) => e.target_sid === theirs.sid), "the subaccount's key is not the parent's event");
        const text = JSON.stringify(one);
        for (const secret of [...mine.map((k) => k.secret), theirs.secret, sub.token, c.g.root.token].filter(Boolean)) {
            assert.ok(!text.includes(secret), 'no secret in the events');
        }
        const paged = await allEvents(c, M, undefined, 2);
        assert.deepStrictEqual(paged.map((e) => e.seq), one.map((e) => e.seq), 'pages of 2 give the same events');
        const subEvents = ok(await c.get(events(sub.sid))).events;
        assert.ok(subEvents.some((e) => e.action === 'key.create' && e.target_sid === theirs.sid),
                  "the parent reads its subaccount's events");
        assert.ok(subEvents.every((e) => e.account_sid === sub.sid));
        assert.ok(subEvents.some((e) => e.action === 'account.create' && e.target_sid === sub.sid));
        const v = await c.g.auditVerify();
        assert.strictEqual(v.code, 0, `audit verify: ${v.stdout}${v.stderr}`);
    });

    t.test('Events paging parameters: a bad PageToken is 400 21481, Page is refused, PageSize bounded', async (c) => {
        const M = c.root.sid;
        error(await c.get(`${events(M)}?PageToken=abc`), 400, 21481);
        error(await c.get(`${events(M)}?PageToken=0`), 400, 21481);
        error(await c.get(`${events(M)}?PageToken=99999999999999999999`), 400, 21481);
        error(await c.get(`${events(M)}?Page=1`), 400, 20001);
        error(await c.get(`${events(M)}?PageSize=0`), 400, 20001);
        error(await c.get(`${events(M)}?PageSize=1001`), 400, 20001);
        const b = ok(await c.get(`${events(M)}?PageToken=1`));
        assert.deepStrictEqual(b.events, [], 'nothing before the first event');
        assert.strictEqual(b.meta.next_page_url, null);
    });

    t.test('who reads an account\'s events: audit.read holders, through reach and roles only', async (c) => {
        const M = c.root.sid;
        const sub = await c.createSub('events-reach');
        const sib = await c.createSub('events-sibling');
        const subAuth = { user: sub.sid, pass: sub.token };
        error(await c.get(events(M), { auth: subAuth }), 404, 20404, 'a subaccount on its parent');
        error(await c.get(events(sub.sid), { auth: { user: sib.sid, pass: sib.token } }), 404, 20404, 'a sibling');
        ok(await c.get(events(sub.sid), { auth: subAuth }), 200, 'its own');
        const std = await c.createKeyV1(M, {});
        error(await c.get(events(M), { auth: std }), 403, 20403, 'a standard key');
        const reader = await c.createKeyV1(M, { KeyType: 'restricted', Policy: policy('audit.read') });
        ok(await c.get(events(M), { auth: reader }), 200, 'a restricted key listing audit.read');
        const other = await c.createKeyV1(M, { KeyType: 'restricted', Policy: policy('key.read') });
        error(await c.get(events(M), { auth: other }), 403, 70051, 'a restricted key without it');
        unauthorized(await c.get(events(M), { auth: null }));
        const support = await newUser(c, 'support', M);
        ok(await c.get(events(M), { auth: support }), 200, 'a support member');
        error(await c.get(events(sub.sid), { auth: support }), 404, 20404, 'support has no role on the subaccount');
        const admin = await newUser(c, 'administrator', M);
        ok(await c.get(events(sub.sid), { auth: admin }), 200, "the parent's administrator on the subaccount");
        /* Without member.read the trail says what happened, not who the people are. */
        const full = ok(await c.get(`${events(M)}?PageSize=1000`, { auth: admin })).events;
        const blind = ok(await c.get(`${events(M)}?PageSize=1000`, { auth: support })).events;
        assert.deepStrictEqual(blind.map((e) => e.seq), full.map((e) => e.seq), 'the same events');
        const people = /^(member|user|ownership)\./;
        const created = full.filter((e) => e.action === 'user.create');
        assert.ok(created.length >= 2 && created.every((e) => e.target_sid && e.detail), 'the administrator sees who');
        assert.ok(full.some((e) => e.remote_addr === '127.0.0.1'), 'and from where');
        for (const e of blind) {
            assert.strictEqual(e.remote_addr, null, 'no address for support');
            assert.strictEqual(e.user_agent, null, 'no user agent for support');
            if (people.test(e.action)) {
                assert.deepStrictEqual([e.target_sid, e.detail], [null, ''], `${e.action} without its people`);
            }
        }
        assert.ok(blind.some((e) => e.action === 'key.create' && e.target_sid), 'other events keep their target');
        const readerEvents = ok(await c.get(`${events(M)}?PageSize=1000`, { auth: reader })).events;
        assert.ok(readerEvents.every((e) => e.remote_addr === null), 'a key listing only audit.read is as blind');
        error(await c.get(events(`AC${'0'.repeat(32)}`), { auth: admin }), 404, 20404, 'an unknown account');
    });
};
