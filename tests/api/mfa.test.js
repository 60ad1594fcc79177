'use strict';
/*
 * mfa -- second factors through the real server, with codes from a real authenticator
 * implementation (Debian's `oathtool`): enrol a TOTP factor (secret, otpauth:// URI, QR as PNG
 * and SVG), confirm it with a first code and receive 10 recovery codes once; the next login is
 * pending until a code or a recovery code completes it, and a pending session can do nothing
 * else; a code (or an earlier step) is accepted once, also on a second server on the same
 * store; recovery codes work once each; wrong codes are throttled; an account with MfaRequired
 * gives a member without a factor a session that can only enrol one.
 */
const { spawn, spawnSync } = require('child_process');
const { assert, status, ok, error, findEvents } = require('./lib/check');
const { Context } = require('./lib/client');

const bearer = (token) => `Bearer ${token}`;
const PASS = 'seven quiet harbours under amber light';

/* A TOTP code from oathtool, for the secret at now + offset seconds. */
function code(secret, offset = 0, extra = []) {
    const at = new Date(Date.now() + offset * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
    const r = spawnSync('oathtool', ['--totp', '-b', '-N', at, ...extra, secret], { encoding: 'utf8' });
    assert.strictEqual(r.status, 0, `oathtool: ${r.stderr}`);
    return r.stdout.trim();
}

let seq = 0;
async function newUser(c) {
    const email = `mfa${++seq}-${process.pid}@example.com`;
    const u = ok(await c.post('/v1/Users', { Email: email, Name: `Mfa ${seq}`, Passphrase: PASS, Role: 'developer' }), 201);
    return { sid: u.sid, email };
}

async function login(c, user) {
    return ok(await c.post('/v1/Sessions', { Email: user.email, Passphrase: PASS }, { auth: null }), 201, 'login');
}

/* Enrols and confirms a factor for user (from a full session); returns {factor, secret, codes}. */
async function enrolled(c, user, session, form = {}) {
    const auth = { auth: bearer(session.token) };
    const f = ok(await c.post(`/v1/Users/${user.sid}/Factors`, { Type: 'totp', ...form }, auth), 201, 'enrol');
    const done = ok(await c.post(`/v1/Users/${user.sid}/Factors/${f.sid}`, { Code: code(f.secret, 0, f.oath || []) },
                                 auth), 200, 'confirm');
    return { factor: f, secret: f.secret, codes: done.recovery_codes, confirmed: done };
}

module.exports = (t) => {
    t.test('enrol, confirm with an authenticator\'s code, then every login waits for the second factor', async (c) => {
        const user = await newUser(c);
        const s = await login(c, user);
        assert.strictEqual(s.status, 'active', 'no factor yet: a full session');
        const auth = { auth: bearer(s.token) };
        const f = ok(await c.post(`/v1/Users/${user.sid}/Factors`, { Type: 'totp' }, auth), 201);
        assert.match(f.sid, /^YF[0-9a-f]{32}$/);
        assert.deepStrictEqual([f.status, f.type, f.algorithm, f.digits, f.period], ['unverified', 'totp', 'SHA1', 6, 30]);
        assert.match(f.secret, /^[A-Z2-7]{32}$/, '160 bits in base32');
        assert.strictEqual(f.uri, `otpauth://totp/Gatehouse:${encodeURIComponent(user.email)}?secret=${f.secret}` +
                                  '&issuer=Gatehouse&algorithm=SHA1&digits=6&period=30');
        assert.ok(Buffer.from(f.qr_png, 'base64').subarray(0, 8).equals(Buffer.from('\x89PNG\r\n\x1a\n', 'latin1')));
        assert.match(f.qr_svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
        /* An unverified factor does not gate logins. */
        assert.strictEqual((await login(c, user)).status, 'active');
        error(await c.post(`/v1/Users/${user.sid}/Factors/${f.sid}`, { Code: '000000' }, auth), 400, 60200, 'wrong code');
        let listed = ok(await c.get(`/v1/Users/${user.sid}/Factors`, auth), 200).factors;
        assert.deepStrictEqual(listed.map((x) => [x.sid, x.status]), [[f.sid, 'unverified']]);
        assert.ok(!JSON.stringify(listed).includes(f.secret), 'the list never shows the secret');
        const done = ok(await c.post(`/v1/Users/${user.sid}/Factors/${f.sid}`, { Code: code(f.secret) }, auth), 200);
        assert.strictEqual(done.status, 'verified');
        listed = ok(await c.get(`/v1/Users/${user.sid}/Factors`, auth), 200).factors;
        assert.deepStrictEqual(listed.map((x) => [x.sid, x.status, x.expires]), [[f.sid, 'verified', null]]);
        assert.strictEqual(done.recovery_codes.length, 10);
        for (const rc of done.recovery_codes) {
            assert.match(rc, /^[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}$/, '60 bits, grouped');
        }
        assert.ok(!JSON.stringify(await c.g.audit()).includes(f.secret), 'the secret is not in the audit log');

        const p = await login(c, user);
        assert.strictEqual(p.status, 'pending_mfa');
        const pauth = { auth: bearer(p.token) };
        error(await c.get(`/v1/Users/${user.sid}`, pauth), 403, 20403, 'a pending session reads nothing');
        error(await c.get('/v1/Sessions', pauth), 403, 20403);
        const r = ok(await c.post(`/v1/Sessions/${p.sid}/Mfa`, { Code: code(f.secret, 30) }, pauth), 200);
        assert.deepStrictEqual([r.status, r.recovery_codes_left], ['active', null]);
        ok(await c.get(`/v1/Users/${user.sid}`, pauth), 200, 'now a full session');
        const events = await c.g.audit();
        for (const action of ['mfa.enrol', 'mfa.confirm', 'login.mfa']) {
            assert.ok(findEvents(events, { action }).length > 0, `audit ${action}`);
        }
    });

    t.test('a code is accepted once, also on a second server; so is any earlier step', async (c) => {
        const user = await newUser(c);
        const { secret } = await enrolled(c, user, await login(c, user));
        const now = code(secret, 30); /* the confirmation took the current step */
        const first = await login(c, user);
        ok(await c.post(`/v1/Sessions/${first.sid}/Mfa`, { Code: now }, { auth: bearer(first.token) }), 200);
        const twin = c.g.twin();
        await twin.start();
        try {
            const b = new Context(twin, { ua: `${c.ua} server-B`, label: `${c.label} (server B)` });
            const second = await login(b, user);
            error(await b.post(`/v1/Sessions/${second.sid}/Mfa`, { Code: now }, { auth: bearer(second.token) }),
                  400, 60200, 'the same code on another server');
            error(await b.post(`/v1/Sessions/${second.sid}/Mfa`, { Code: code(secret, 0) }, { auth: bearer(second.token) }),
                  400, 60200, 'an earlier step');
            const events = await c.g.audit();
            assert.ok(findEvents(events, { action: 'login.mfa', detail: 'replayed code' }).length >= 1, 'replay audited');
        } finally {
            await twin.stop();
        }
    });

    t.test('recovery codes work once each and say how many are left; regenerating voids the old set', async (c) => {
        const user = await newUser(c);
        const { codes } = await enrolled(c, user, await login(c, user));
        const p = await login(c, user);
        const r = ok(await c.post(`/v1/Sessions/${p.sid}/Mfa`, { RecoveryCode: codes[3].toLowerCase().replace(/-/g, ' ') },
                                  { auth: bearer(p.token) }), 200);
        assert.strictEqual(r.recovery_codes_left, 9);
        const q = await login(c, user);
        error(await c.post(`/v1/Sessions/${q.sid}/Mfa`, { RecoveryCode: codes[3] }, { auth: bearer(q.token) }), 400, 60200,
              'used once already');
        error(await c.post(`/v1/Sessions/${q.sid}/Mfa`, { Code: '123456', RecoveryCode: codes[4] }, { auth: bearer(q.token) }),
              400, 20001, 'one or the other');
        const fresh = ok(await c.post(`/v1/Users/${user.sid}/RecoveryCodes`, {}, { auth: bearer(p.token) }), 201);
        assert.strictEqual(fresh.recovery_codes.length, 10);
        error(await c.post(`/v1/Sessions/${q.sid}/Mfa`, { RecoveryCode: codes[4] }, { auth: bearer(q.token) }), 400, 60200,
              'the old set is void');
        ok(await c.post(`/v1/Sessions/${q.sid}/Mfa`, { RecoveryCode: fresh.recovery_codes[0] }, { auth: bearer(q.token) }), 200);
    });

    t.test('wrong codes are throttled per user: 5, then 429 with Retry-After', async (c) => {
        const user = await newUser(c);
        await enrolled(c, user, await login(c, user));
        const p = await login(c, user);
        const auth = { auth: bearer(p.token) };
        for (let i = 0; i < 5; i++) {
            error(await c.post(`/v1/Sessions/${p.sid}/Mfa`, { Code: String(100000 + i) }, auth), i < 4 ? 400 : 429,
                  i < 4 ? 60200 : 20429);
        }
        const res = await c.post(`/v1/Sessions/${p.sid}/Mfa`, { Code: '999999' }, auth);
        error(res, 429, 20429);
        assert.ok(Number(res.headers.get('retry-after')) >= 1);
    });

    t.test('MfaRequired: a member without a factor may only enrol one; then the session is a full one', { fresh: true }, async (c) => {
        const user = await newUser(c);
        ok(await c.post(`/v1/Accounts/${c.root.sid}/MfaPolicy`, { MfaRequired: 'true' }), 200);
        error(await c.post(`/v1/Accounts/${c.root.sid}/MfaPolicy`, { MfaRequired: 'maybe' }), 400, 20001);
        const s = await login(c, user);
        assert.strictEqual(s.status, 'enrol_only');
        const auth = { auth: bearer(s.token) };
        error(await c.get(`/v1/Users/${user.sid}`, auth), 403, 20403);
        const f = ok(await c.post(`/v1/Users/${user.sid}/Factors`, { Type: 'totp' }, auth), 201);
        ok(await c.post(`/v1/Users/${user.sid}/Factors/${f.sid}`, { Code: code(f.secret) }, auth), 200);
        ok(await c.get(`/v1/Users/${user.sid}`, auth), 200, 'enrolled: a full session');
        ok(await c.post(`/v1/Accounts/${c.root.sid}/MfaPolicy`, { MfaRequired: 'false' }), 200);
    });

    t.test('removing a factor needs the passphrase and its current code; the last one stays where MFA is required', { fresh: true }, async (c) => {
        const user = await newUser(c);
        const s = await login(c, user);
        const { factor, secret, codes } = await enrolled(c, user, s);
        /* The confirmation took the current step: the next one (now + 30 s) is the code left. */
        const p = await login(c, user);
        const auth = { auth: bearer(p.token) };
        ok(await c.post(`/v1/Sessions/${p.sid}/Mfa`, { RecoveryCode: codes[0] }, auth), 200);
        const path = `/v1/Users/${user.sid}/Factors/${factor.sid}`;
        const next = code(secret, 30);
        error(await c.del(path, { ...auth, form: { CurrentPassphrase: PASS } }), 400, 20001, 'no code');
        error(await c.del(path, { ...auth, form: { CurrentPassphrase: 'not it at all, sorry', Code: next } }),
              401, 20003, 'wrong passphrase');
        error(await c.del(path, { ...auth, form: { CurrentPassphrase: PASS, Code: '000000' } }), 400, 60200, 'wrong code');
        ok(await c.post(`/v1/Accounts/${c.root.sid}/MfaPolicy`, { MfaRequired: 'true' }), 200);
        error(await c.del(path, { ...auth, form: { CurrentPassphrase: PASS, Code: next } }), 409, 20409,
              'the last factor where MFA is required');
        ok(await c.post(`/v1/Accounts/${c.root.sid}/MfaPolicy`, { MfaRequired: 'false' }), 200);
        status(await c.del(path, { ...auth, form: { CurrentPassphrase: PASS, Code: next } }), 204,
               'the refusal consumed nothing: the same code removes it now');
        assert.strictEqual((await login(c, user)).status, 'active', 'no factor left: one step again');
        const events = await c.g.audit();
        assert.ok(findEvents(events, { action: 'mfa.remove', target: factor.sid }).length === 1, 'removal audited');
    });

    t.test('gatehouse mfa enroll: the QR code at the terminal, the first code on standard input, recovery codes', async (c) => {
        const user = await newUser(c);
        const p = spawn(c.g.bin, ['mfa', 'enroll', '--user', user.sid, '--json', ...c.g.dataArgs()],
                        { stdio: ['pipe', 'pipe', 'pipe'] });
        let out = '';
        const lines = [];
        const waiters = [];
        p.stdout.on('data', (d) => {
            out += d;
            let nl;
            while ((nl = out.indexOf('\n')) >= 0) {
                lines.push(out.slice(0, nl));
                out = out.slice(nl + 1);
                (waiters.shift() || (() => {}))();
            }
        });
        const nextLine = () => (lines.length > 0 ? Promise.resolve() : new Promise((r) => waiters.push(r)))
            .then(() => JSON.parse(lines.shift()));
        const closed = new Promise((resolve) => p.on('close', resolve));
        const e = await nextLine();
        assert.match(e.factor_sid, /^YF[0-9a-f]{32}$/);
        assert.match(e.uri, /^otpauth:\/\/totp\/Gatehouse:/);
        p.stdin.end(`${code(e.secret)}\n`);
        const done = await nextLine();
        assert.strictEqual(done.status, 'verified');
        assert.strictEqual(done.recovery_codes.length, 10);
        assert.strictEqual(await closed, 0);
        assert.strictEqual((await login(c, user)).status, 'pending_mfa');
        /* Without --json the terminal gets the QR code drawn in half blocks. */
        const other = await newUser(c);
        const r = spawnSync(c.g.bin, ['mfa', 'enroll', '--user', other.sid, ...c.g.dataArgs()],
                            { input: '000000\n', encoding: 'utf8' });
        assert.strictEqual(r.status, 1, 'a wrong first code confirms nothing');
        assert.match(r.stdout, /\u2588/);
        assert.match(r.stderr, /^gatehouse: mfa enroll: The code is wrong/);
    });

    t.test('the issuer apps show comes from the config (mfa.issuer)', { fresh: true }, async (c) => {
        const fs = require('fs');
        const path = require('path');
        await c.g.stop();
        fs.writeFileSync(path.join(c.g.data, 'gatehouse.conf'),
                         'pwhash_memory_mib = 19\npwhash_passes = 2\nmfa.issuer = Acme Platform\n', { mode: 0o600 });
        await c.g.start();
        const user = await newUser(c);
        const s = await login(c, user);
        const f = ok(await c.post(`/v1/Users/${user.sid}/Factors`, { Type: 'totp' }, { auth: bearer(s.token) }), 201);
        assert.ok(f.uri.startsWith(`otpauth://totp/Acme%20Platform:${encodeURIComponent(user.email)}?`), f.uri);
        assert.ok(f.uri.includes('&issuer=Acme%20Platform&'), f.uri);
    });

    t.test('factors are the user\'s own: other users and account credentials get 404 / 403', async (c) => {
        const a = await newUser(c);
        const b = await newUser(c);
        const sa = await login(c, a);
        const sb = await login(c, b);
        const f = ok(await c.post(`/v1/Users/${a.sid}/Factors`, { Type: 'totp' }, { auth: bearer(sa.token) }), 201);
        error(await c.post(`/v1/Users/${a.sid}/Factors`, { Type: 'totp' }, { auth: bearer(sb.token) }), 404, 20404);
        error(await c.post(`/v1/Users/${b.sid}/Factors/${f.sid}`, { Code: code(f.secret) }, { auth: bearer(sb.token) }),
              404, 20404);
        error(await c.post(`/v1/Users/${a.sid}/Factors`, { Type: 'totp' }), 403, 20403, 'the auth token has no factors');
        error(await c.post(`/v1/Users/${a.sid}/Factors`, { Type: 'sms' }, { auth: bearer(sa.token) }), 400, 20001);
        status(await c.post(`/v1/Users/${a.sid}/Factors`, { Type: 'totp', Algorithm: 'SHA512', Digits: '8' },
                            { auth: bearer(sa.token) }), 201);
    });
};
