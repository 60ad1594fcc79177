'use strict';
/*
 * auth_tokens -- accounts v1 secondary auth token and promotion: the rotation flow, the
 * conflicts (409/404), immediate refusal of old tokens, who may rotate, audit events.
 */
const { assert, RE, ok, error, unauthorized, keys, auditOne, noEvents, account } = require('./lib/check');

const SECONDARY = '/v1/AuthTokens/Secondary';
const PROMOTE = '/v1/AuthTokens/Promote';
const acct = (sid) => `/2010-04-01/Accounts/${sid}.json`;

/* POST with an empty body, Content-Type form and Content-Length 0, as twilio-node sends it. */
const emptyPost = (c, p, auth) => c.req('POST', p, { auth, body: '', contentType: 'application/x-www-form-urlencoded' });

function secondaryBody(b, accountSid) {
    keys(b, ['account_sid', 'date_created', 'date_updated', 'secondary_auth_token', 'url'], 'secondary token');
    assert.strictEqual(b.account_sid, accountSid);
    assert.match(b.date_created, RE.ISO8601);
    assert.match(b.date_updated, RE.ISO8601);
    assert.match(b.secondary_auth_token, RE.TOKEN);
    assert.match(b.url, /^https?:\/\/[^/]+\/v1\/AuthTokens\/Secondary$/);
    return b;
}

module.exports = (t) => {
    t.test('full rotation: create secondary (201), both tokens work, promote (200), old primary refused at once', { fresh: true }, async (c) => {
        const old = c.root.token;
        const mark = await c.auditMark();
        const s = secondaryBody(ok(await emptyPost(c, SECONDARY), 201), c.root.sid);
        assert.notStrictEqual(s.secondary_auth_token, old);
        const secondary = { user: c.root.sid, pass: s.secondary_auth_token };
        ok(await c.get(acct(c.root.sid)), 200, 'primary still works');
        const viaSecondary = account(ok(await c.get(acct(c.root.sid), { auth: secondary }), 200, 'secondary works'));
        assert.strictEqual(viaSecondary.auth_token, old, 'auth_token is still the primary');

        const p = ok(await emptyPost(c, PROMOTE, secondary), 200);
        keys(p, ['account_sid', 'auth_token', 'date_created', 'date_updated', 'url'], 'promote');
        assert.strictEqual(p.account_sid, c.root.sid);
        assert.strictEqual(p.auth_token, s.secondary_auth_token, 'the secondary became the primary');
        assert.match(p.date_created, RE.ISO8601);
        assert.match(p.date_updated, RE.ISO8601);
        assert.match(p.url, /^https?:\/\/[^/]+\/v1\/AuthTokens\/Promote$/);

        unauthorized(await c.get(acct(c.root.sid)), 'old primary right after promote');
        unauthorized(await emptyPost(c, SECONDARY), 'old primary on AuthTokens');
        const now = account(ok(await c.get(acct(c.root.sid), { auth: secondary })));
        assert.strictEqual(now.auth_token, s.secondary_auth_token, 'Account JSON shows the new primary');
        /* after promotion there is no secondary any more */
        error(await c.del(SECONDARY, { auth: secondary }), 404, 20404, 'delete secondary after promote');
        error(await emptyPost(c, PROMOTE, secondary), 404, 20404, 'promote again');

        const ev = await c.audit(mark);
        auditOne(ev, { action: 'auth_token.secondary.create', actor: c.root.sid, outcome: 'success',
                       target: c.root.sid }, { ua: c.ua });
        auditOne(ev, { action: 'auth_token.promote', actor: c.root.sid, outcome: 'success',
                       target: c.root.sid }, { ua: c.ua });
        assert.ok(ev.some((e) => e.action === 'auth.failure'), 'the refused old token was audited');
    });

    t.test('a second secondary while one exists -> 409; the first keeps working', { fresh: true }, async (c) => {
        const s = ok(await c.post(SECONDARY, {}), 201);
        const mark = await c.auditMark();
        const res = await c.post(SECONDARY, {});
        error(res, 409);
        assert.ok(!res.text.includes(s.secondary_auth_token), '409 leaks the existing token');
        ok(await c.get(acct(c.root.sid), { auth: { user: c.root.sid, pass: s.secondary_auth_token } }));
        noEvents(await c.audit(mark), { action: 'auth_token.secondary.create' });
    });

    t.test('delete secondary: 204 empty, the secondary is refused at once, the primary still works; audit', { fresh: true }, async (c) => {
        const s = ok(await c.post(SECONDARY, {}), 201);
        const secondary = { user: c.root.sid, pass: s.secondary_auth_token };
        const mark = await c.auditMark();
        const res = await c.del(SECONDARY);
        assert.strictEqual(res.status, 204, `${res.status} ${res.text}`);
        assert.strictEqual(res.text, '');
        unauthorized(await c.get(acct(c.root.sid), { auth: secondary }), 'deleted secondary');
        ok(await c.get(acct(c.root.sid)));
        auditOne(await c.audit(mark), { action: 'auth_token.secondary.delete', actor: c.root.sid,
                                        outcome: 'success' }, { ua: c.ua });
        /* a new secondary can be made afterwards, and it differs */
        const s2 = ok(await c.post(SECONDARY, {}), 201);
        assert.notStrictEqual(s2.secondary_auth_token, s.secondary_auth_token);
    });

    t.test('delete without a secondary -> 404; promote without a secondary -> 404; nothing changes', { fresh: true }, async (c) => {
        const mark = await c.auditMark();
        error(await c.del(SECONDARY), 404, 20404, 'delete');
        error(await emptyPost(c, PROMOTE), 404, 20404, 'promote');
        ok(await c.get(acct(c.root.sid)), 200, 'the primary is untouched');
        noEvents(await c.audit(mark), { outcome: 'success' });
    });

    t.test('the secondary token itself may delete the secondary; it is refused afterwards', { fresh: true }, async (c) => {
        const s = ok(await c.post(SECONDARY, {}), 201);
        const secondary = { user: c.root.sid, pass: s.secondary_auth_token };
        assert.strictEqual((await c.del(SECONDARY, { auth: secondary })).status, 204);
        unauthorized(await c.del(SECONDARY, { auth: secondary }));
    });

    t.test('the main key rotates the account token and keeps working after promote', { fresh: true }, async (c) => {
        const mark = await c.auditMark();
        const s = ok(await c.post(SECONDARY, {}, { auth: c.mainKey }), 201);
        secondaryBody(s, c.root.sid);
        const p = ok(await c.post(PROMOTE, {}, { auth: c.mainKey }), 200);
        assert.strictEqual(p.auth_token, s.secondary_auth_token);
        ok(await c.get(acct(c.root.sid), { auth: c.mainKey }), 200, 'rotation does not affect keys');
        unauthorized(await c.get(acct(c.root.sid)), 'old primary');
        auditOne(await c.audit(mark), { action: 'auth_token.promote', actor: c.mainKey.sid });
    });

    t.test('standard and restricted keys cannot rotate (403 20403 / 70051)', { fresh: true }, async (c) => {
        const std = await c.createKeyV1(c.root.sid, {});
        const rk = await c.createKeyV1(c.root.sid, { KeyType: 'restricted', Policy: JSON.stringify({ allow: ['/twilio/messaging/messages/read'] }) });
        for (const [k, code] of [[std, 20403], [rk, 70051]]) {
            error(await c.post(SECONDARY, {}, { auth: k }), 403, code, 'create secondary');
            error(await c.del(SECONDARY, { auth: k }), 403, code, 'delete secondary');
            error(await c.post(PROMOTE, {}, { auth: k }), 403, code, 'promote');
        }
        ok(await c.get(acct(c.root.sid)), 200, 'primary untouched');
    });

    t.test('a subaccount rotates its own token; the parent\'s token is unaffected', { fresh: true }, async (c) => {
        const sub = await c.createSub('rotating-sub');
        const s = secondaryBody(ok(await c.post(SECONDARY, {}, { auth: sub }), 201), sub.sid);
        const p = ok(await c.post(PROMOTE, {}, { auth: sub }), 200);
        assert.strictEqual(p.account_sid, sub.sid);
        assert.strictEqual(p.auth_token, s.secondary_auth_token);
        unauthorized(await c.get(acct(sub.sid), { auth: sub }), 'sub old primary');
        ok(await c.get(acct(sub.sid), { auth: { user: sub.sid, pass: p.auth_token } }));
        ok(await c.get(acct(c.root.sid)), 200, 'parent token unaffected');
        error(await c.del(SECONDARY), 404, 20404, 'the parent has no secondary');
        /* the parent sees the new token on the subaccount */
        assert.strictEqual(ok(await c.get(acct(sub.sid))).auth_token, p.auth_token);
    });

    t.test('the parent\'s rotation acts on the parent only; a subaccount secondary does not open the parent', { fresh: true }, async (c) => {
        const sub = await c.createSub('bystander');
        const s = ok(await c.post(SECONDARY, {}, { auth: sub }), 201);
        unauthorized(await c.get(acct(c.root.sid), { auth: { user: c.root.sid, pass: s.secondary_auth_token } }),
                     'sub secondary used with the parent SID');
        error(await c.del(SECONDARY), 404, 20404, 'the parent cannot delete the sub secondary');
        ok(await c.get(acct(sub.sid), { auth: { user: sub.sid, pass: s.secondary_auth_token } }));
    });

    t.test('POST with an empty body and no Content-Type is accepted; SuppressEmailNotification is accepted', { fresh: true }, async (c) => {
        secondaryBody(ok(await c.req('POST', SECONDARY, {}), 201), c.root.sid);
        const res = await c.del(SECONDARY, { query: { SuppressEmailNotification: 'true' } });
        assert.strictEqual(res.status, 204, `${res.status} ${res.text}`);
        secondaryBody(ok(await c.post(SECONDARY, { SuppressEmailNotification: 'true' }), 201), c.root.sid);
        ok(await c.post(PROMOTE, { SuppressEmailNotification: 'false' }), 200);
    });

    t.test('concurrent secondary creates: exactly one 201, the rest 409; concurrent promotes: exactly one 200', { fresh: true }, async (c) => {
        const creates = await Promise.all([...Array(8)].map(() => c.post(SECONDARY, {}, { auth: c.mainKey })));
        assert.deepStrictEqual(creates.map((r) => r.status).sort(), [201, 409, 409, 409, 409, 409, 409, 409]);
        const token = creates.find((r) => r.status === 201).json.secondary_auth_token;
        const promotes = await Promise.all([...Array(8)].map(() => c.post(PROMOTE, {}, { auth: c.mainKey })));
        assert.deepStrictEqual(promotes.map((r) => r.status).sort(), [200, 404, 404, 404, 404, 404, 404, 404]);
        assert.strictEqual(promotes.find((r) => r.status === 200).json.auth_token, token);
        ok(await c.get(acct(c.root.sid), { auth: { user: c.root.sid, pass: token } }));
        unauthorized(await c.get(acct(c.root.sid)));
        const ev = await c.audit();
        assert.strictEqual(ev.filter((e) => e.action === 'auth_token.secondary.create').length, 1);
        assert.strictEqual(ev.filter((e) => e.action === 'auth_token.promote').length, 1);
    });

    t.test('a suspended subaccount\'s secondary token is refused too', { fresh: true }, async (c) => {
        const sub = await c.createSub('suspended-rotation');
        const s = ok(await c.post(SECONDARY, {}, { auth: sub }), 201);
        ok(await c.post(acct(sub.sid), { Status: 'suspended' }));
        unauthorized(await c.get(acct(sub.sid), { auth: { user: sub.sid, pass: s.secondary_auth_token } }));
        unauthorized(await c.post(PROMOTE, {}, { auth: { user: sub.sid, pass: s.secondary_auth_token } }));
    });

    t.test('wrong methods on AuthTokens -> 405 with Allow', async (c) => {
        let res = await c.get(SECONDARY);
        error(res, 405);
        assert.match(res.headers.get('allow') || '', /POST/);
        assert.match(res.headers.get('allow') || '', /DELETE/);
        res = await c.get(PROMOTE);
        error(res, 405);
        assert.strictEqual(res.headers.get('allow'), 'POST');
        error(await c.del(PROMOTE), 405);
    });
};
