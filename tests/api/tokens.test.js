'use strict';
/*
 * tokens -- access tokens through the real server: minting (POST /v1/AccessTokens, and which
 * credential may sign with which key), introspection (POST /v1/AccessTokens/Verify) of genuine
 * and forged tokens, each forged one refused with its Twilio code; revocation by jti and by
 * deleting the key, seen at once by a second server on the same store; the per-key algorithms
 * and the per-account lifetime cap; client-credentials bearer tokens (POST /v2/token, RFC 6749)
 * that act as their key; and `gatehouse token verify`'s exit codes.
 */
const { spawnSync } = require('child_process');
const crypto = require('crypto');
const { assert, status, ok, error, unauthorized, auditOne } = require('./lib/check');
const { Context } = require('./lib/client');

const MINT = '/v1/AccessTokens';
const VERIFY = '/v1/AccessTokens/Verify';
const b64u = (s) => Buffer.from(s).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);

/* A token from raw header/payload (objects or JSON text), HMAC-signed with secret. */
function forge(header, payload, secret, hash = 'sha256') {
    const h = typeof header === 'string' ? header : JSON.stringify(header);
    const p = typeof payload === 'string' ? payload : JSON.stringify(payload);
    const input = `${b64u(h)}.${b64u(p)}`;
    return `${input}.${crypto.createHmac(hash, secret).update(input).digest('base64url')}`;
}

const HEADER = { alg: 'HS256', typ: 'JWT', cty: 'twilio-fpa;v=1' };
function claims(key, extra = {}) {
    const iat = now();
    return { jti: `${key.sid}-${iat}`, grants: { identity: 'alice' }, iat, exp: iat + 600, iss: key.sid,
             sub: key.account_sid, ...extra };
}

async function verify(c, token, auth) {
    return ok(await c.post(VERIFY, { Token: token }, auth ? { auth } : {}), 200, 'verify');
}

async function expectCode(c, token, code, what) {
    const v = await verify(c, token);
    assert.strictEqual(v.active, false, `${what}: should be refused: ${JSON.stringify(v)}`);
    assert.strictEqual(v.code, code, `${what}: code ${v.code} (${v.message}), expected ${code}`);
}

async function newKey(c, type = 'standard') {
    const form = { AccountSid: c.root.sid, FriendlyName: `tok-${type}` };
    if (type === 'restricted') {
        Object.assign(form, { KeyType: 'restricted', Policy: JSON.stringify({ allow: ['/twilio/messaging/messages/read'] }) });
    }
    const k = ok(await c.post('/v1/Keys', form), 201, `create ${type} key`);
    return { sid: k.sid, secret: k.secret, account_sid: c.root.sid, user: k.sid, pass: k.secret };
}

module.exports = (t) => {
    t.test('a main key mints with itself; the token verifies, with its claims; minting is audited', async (c) => {
        const key = c.mainKey;
        const mark = await c.g.auditMark();
        const m = ok(await c.post(MINT, { Identity: 'alice', Grants: JSON.stringify({ video: { room: 'r1' } }), Ttl: 600 },
                                  { auth: key }), 201);
        assert.match(m.token, /^eyJ[\w-]+\.[\w-]+\.[\w-]+$/);
        assert.strictEqual(m.key_sid, key.sid);
        assert.strictEqual(m.account_sid, c.root.sid);
        assert.strictEqual(m.ttl, 600);
        assert.match(m.jti, new RegExp(`^${key.sid}-\\d+$`));
        const v = await verify(c, m.token);
        assert.deepStrictEqual([v.active, v.code, v.message], [true, null, null]);
        assert.deepStrictEqual(v.claims.grants, { identity: 'alice', video: { room: 'r1' } });
        assert.deepStrictEqual(Object.keys(v.claims), ['jti', 'grants', 'iat', 'exp', 'iss', 'sub']);
        assert.strictEqual(v.claims.exp - v.claims.iat, 600);
        auditOne(await c.g.audit(mark), { action: 'access_token.mint', target: key.sid, detail: new RegExp(`jti ${m.jti}`) });
    });

    t.test('who signs with which key: auth token names a key; standard keys only themselves; restricted never', async (c) => {
        const std = await newKey(c);
        const other = await newKey(c);
        const rk = await newKey(c, 'restricted');
        error(await c.post(MINT, { Identity: 'a' }), 400, 20001, 'the auth token must name a key');
        const byToken = ok(await c.post(MINT, { Identity: 'a', KeySid: std.sid }), 201);
        assert.strictEqual(byToken.key_sid, std.sid);
        assert.strictEqual((await verify(c, byToken.token)).active, true);
        ok(await c.post(MINT, { Identity: 'a' }, { auth: std }), 201, 'a standard key signs as itself');
        error(await c.post(MINT, { Identity: 'a', KeySid: other.sid }, { auth: std }), 403, 20403);
        error(await c.post(MINT, { Identity: 'a' }, { auth: rk }), 403, 70051, 'restricted key');
        error(await c.post(MINT, { Identity: 'a', KeySid: rk.sid }), 403, 70051, 'naming a restricted key');
        error(await c.post(MINT, { Identity: 'a', KeySid: 'SK00000000000000000000000000000000' }), 404, 20404);
        error(await c.post(MINT, {}, { auth: std }), 400, 20001, 'no Identity');
        error(await c.post(MINT, { Identity: 'a', Grants: '[1]' }, { auth: std }), 400, 20001, 'grants not an object');
        error(await c.post(MINT, { Identity: 'a', Ttl: 86401 }, { auth: std }), 400, 20157, 'over 24 hours');
        error(await c.post(MINT, { Identity: 'a', Ttl: 'soon' }, { auth: std }), 400, 20001);
        /* A token signed by a restricted key (by someone holding its secret) is not accepted. */
        await expectCode(c, forge(HEADER, claims(rk), rk.secret), 20103, 'restricted issuer');
    });

    t.test('forged and broken tokens are each refused with their code; genuine ones pass', async (c) => {
        const key = await newKey(c);
        const other = await newKey(c);
        const good = claims(key);
        assert.strictEqual((await verify(c, forge(HEADER, good, key.secret))).active, true, 'genuine');
        await expectCode(c, forge(HEADER, good, 'not the secret'), 20107, 'wrong secret');
        await expectCode(c, forge(HEADER, good, other.secret), 20107, "another key's secret");
        await expectCode(c, forge(HEADER, { ...good, grants: { identity: 'mallory' } }, key.secret).replace(/\.[^.]+$/,
            `.${forge(HEADER, good, key.secret).split('.')[2]}`), 20107, 'payload changed after signing');
        await expectCode(c, forge(HEADER, { ...good, exp: now() - 1 }, key.secret), 20104, 'expired');
        await expectCode(c, forge(HEADER, { ...good, nbf: now() + 300 }, key.secret), 20105, 'not yet valid');
        await expectCode(c, forge(HEADER, { ...good, exp: good.iat + 86401 }, key.secret), 20157, 'over 24 hours');
        await expectCode(c, forge(HEADER, { ...good, iss: 'SK00000000000000000000000000000000' }, key.secret), 20103,
                         'unknown key');
        await expectCode(c, forge(HEADER, { ...good, sub: 'AC00000000000000000000000000000000' }, key.secret), 20103,
                         'sub is not the key\'s account');
        await expectCode(c, forge(HEADER, { ...good, iss: c.root.sid }, key.secret), 20101, 'iss is not a key');
        await expectCode(c, forge({ ...HEADER, alg: 'none' }, good, key.secret), 20101, 'alg none');
        await expectCode(c, `${b64u(JSON.stringify({ ...HEADER, alg: 'none' }))}.${b64u(JSON.stringify(good))}.`, 20101,
                         'alg none, unsigned');
        await expectCode(c, forge({ ...HEADER, alg: 'RS256' }, good, key.secret), 20101, 'RS256');
        await expectCode(c, forge({ ...HEADER, alg: 'HS512' }, good, key.secret, 'sha512'), 20101,
                         'HS512 with a key that allows HS256 only');
        await expectCode(c, forge({ alg: 'HS256', typ: 'JWT' }, good, key.secret), 20101, 'no cty');
        await expectCode(c, forge({ ...HEADER, typ: 'JOSE' }, good, key.secret), 20101, 'typ');
        await expectCode(c, forge(HEADER, JSON.stringify(good).replace('{', '{"sub":"AC00000000000000000000000000000000",'),
                                  key.secret), 20101, 'duplicate sub');
        await expectCode(c, forge(HEADER, { ...good, exp: String(good.exp) }, key.secret), 20101, 'exp as a string');
        await expectCode(c, forge(HEADER, { ...good, grants: undefined }, key.secret), 20101, 'no grants');
        const padded = forge(HEADER, good, key.secret).replace('.', '=.');
        await expectCode(c, padded, 20101, 'padding');
        await expectCode(c, forge(HEADER, { ...good, grants: { identity: 'x'.repeat(9000) } }, key.secret), 20101,
                         'over 8 KiB');
        await expectCode(c, 'not.a.token', 20101, 'garbage');
        error(await c.post(VERIFY, {}), 400, 20001, 'no Token');
    });

    t.test('revocation by jti and key deletion end tokens at once, on every server', async (c) => {
        const key = await newKey(c);
        const a = ok(await c.post(MINT, { Identity: 'a' }, { auth: key }), 201);
        const second = c.g.twin();
        await second.start();
        try {
            const c2 = new Context(second, { ua: `${c.ua} server-B`, label: `${c.label} (server B)` });
            assert.strictEqual((await verify(c2, a.token)).active, true);
            const mark = await c.g.auditMark();
            status(await c.del(`${MINT}/${a.jti}`, { auth: key }), 204);
            await expectCode(c2, a.token, 20101, 'revoked, seen by the second server');
            await expectCode(c, a.token, 20101, 'revoked');
            auditOne(await c.g.audit(mark), { action: 'access_token.revoke', target: key.sid, detail: new RegExp(`jti ${a.jti}`) });
            error(await c.del(`${MINT}/not-a-jti`, { auth: key }), 404, 20404);
            error(await c.del(`${MINT}/SK00000000000000000000000000000000-1`, { auth: key }), 404, 20404);
            /* Deleting a key kills every token it signed (another key: a jti is "<key>-<second>",
             * so this second's tokens of the first key are all revoked already). */
            const key2 = await newKey(c);
            const b = ok(await c.post(MINT, { Identity: 'b', KeySid: key2.sid }), 201);
            assert.strictEqual((await verify(c2, b.token)).active, true);
            status(await c.del(`/v1/Keys/${key2.sid}`), 204);
            await expectCode(c2, b.token, 20103, 'the key is gone (second server)');
        } finally {
            await second.stop();
        }
    });

    t.test('a key allowed HS512 signs with it; an account cap limits lifetimes (operator settings)', { fresh: true }, async (c) => {
        const key = await newKey(c);
        error(await c.post(MINT, { Identity: 'a', Algorithm: 'HS512' }, { auth: key }), 400, 20001, 'HS512 not allowed yet');
        let r = await c.g.cli(['token', 'algorithms', '--key', key.sid, 'HS256,HS512', ...c.g.dataArgs()]);
        assert.strictEqual(r.code, 0, r.stderr);
        const m = ok(await c.post(MINT, { Identity: 'a', Algorithm: 'HS512' }, { auth: key }), 201);
        assert.strictEqual(JSON.parse(Buffer.from(m.token.split('.')[0], 'base64url')).alg, 'HS512');
        assert.strictEqual((await verify(c, m.token)).active, true);
        r = await c.g.cli(['token', 'max-ttl', '--account', c.root.sid, '600', ...c.g.dataArgs()]);
        assert.strictEqual(r.code, 0, r.stderr);
        error(await c.post(MINT, { Identity: 'a', Ttl: 601 }, { auth: key }), 400, 20157);
        ok(await c.post(MINT, { Identity: 'a', Ttl: 600 }, { auth: key }), 201);
        await expectCode(c, forge(HEADER, claims(key, { exp: now() + 3000 }), key.secret), 20157, 'over the account cap');
    });

    t.test('client credentials: /v2/token gives a bearer that acts as the key, until the key is deleted', async (c) => {
        const key = await newKey(c);
        const main = c.mainKey;
        const res = await c.post('/v2/token', { grant_type: 'client_credentials', client_id: main.sid,
                                                client_secret: main.secret }, { auth: null });
        const tok = ok(res, 200);
        assert.deepStrictEqual(Object.keys(tok), ['access_token', 'token_type', 'expires_in']);
        assert.deepStrictEqual([tok.token_type, tok.expires_in], ['Bearer', 3600]);
        ok(await c.get(`/2010-04-01/Accounts/${c.root.sid}.json`, { auth: `Bearer ${tok.access_token}` }), 200,
           'a main key\'s bearer reads the account');
        /* HTTP Basic works as well; a standard key's bearer keeps its restrictions. */
        const basic = `Basic ${Buffer.from(`${key.sid}:${key.secret}`).toString('base64')}`;
        const std = ok(await c.post('/v2/token', { grant_type: 'client_credentials' }, { auth: basic }), 200);
        error(await c.get(`/2010-04-01/Accounts/${c.root.sid}.json`, { auth: `Bearer ${std.access_token}` }), 403, 20403);
        ok(await c.post(MINT, { Identity: 'x' }, { auth: `Bearer ${std.access_token}` }), 201, 'it mints as the key');
        /* RFC 6749 error bodies. */
        const bad = await c.post('/v2/token', { grant_type: 'client_credentials', client_id: key.sid,
                                                client_secret: 'wrong' }, { auth: null });
        assert.strictEqual(bad.status, 401);
        assert.strictEqual(bad.json.error, 'invalid_client');
        const grant = await c.post('/v2/token', { grant_type: 'password' }, { auth: null });
        assert.deepStrictEqual([grant.status, grant.json.error], [400, 'unsupported_grant_type']);
        const none = await c.post('/v2/token', {}, { auth: null });
        assert.deepStrictEqual([none.status, none.json.error], [400, 'invalid_request']);
        /* Deleting the key ends its bearer tokens. */
        status(await c.del(`/v1/Keys/${key.sid}`), 204);
        unauthorized(await c.get(`/v1/Keys`, { query: { AccountSid: c.root.sid }, auth: `Bearer ${std.access_token}` }));
        /* A forged bearer (signed with anything but the server's key) is refused. */
        const parts = tok.access_token.split('.');
        const forged = `${parts[0]}.${parts[1]}.${crypto.createHmac('sha256', 'guess').update(`${parts[0]}.${parts[1]}`).digest('base64url')}`;
        unauthorized(await c.get(`/2010-04-01/Accounts/${c.root.sid}.json`, { auth: `Bearer ${forged}` }));
    });

    t.test('gatehouse token verify: exit 0 valid, 1 not (with the code); mint reads the secret from the environment', async (c) => {
        const key = await newKey(c);
        const env = { ...process.env, GATEHOUSE_KEY_SECRET: key.secret };
        const minted = spawnSync(c.g.bin, ['token', 'mint', '--account', c.root.sid, '--key', key.sid, '--identity', 'cli',
                                           '--ttl', '300'], { env, encoding: 'utf8' });
        assert.strictEqual(minted.status, 0, minted.stderr);
        const token = minted.stdout.trim();
        assert.strictEqual((await verify(c, token)).active, true, 'the CLI-minted token verifies over HTTP');
        let r = spawnSync(c.g.bin, ['token', 'verify', '--json', ...c.g.dataArgs()], { input: `${token}\n`, encoding: 'utf8' });
        assert.strictEqual(r.status, 0, r.stderr);
        assert.strictEqual(JSON.parse(r.stdout).active, true);
        r = spawnSync(c.g.bin, ['token', 'verify', ...c.g.dataArgs()],
                      { input: `${forge(HEADER, claims(key), 'wrong')}\n`, encoding: 'utf8' });
        assert.strictEqual(r.status, 1);
        assert.match(r.stdout, /^invalid: 20107 /);
        r = spawnSync(c.g.bin, ['token', 'mint', '--account', c.root.sid, '--key', key.sid, '--identity', 'x'],
                      { env: { ...process.env, GATEHOUSE_KEY_SECRET: '' }, encoding: 'utf8' });
        assert.strictEqual(r.status, 2);
        assert.match(r.stderr, /GATEHOUSE_KEY_SECRET/);
    });

    t.test('verification needs a credential of the token\'s account; sessions and restricted keys may not', async (c) => {
        const key = await newKey(c);
        const m = ok(await c.post(MINT, { Identity: 'a' }, { auth: key }), 201);
        unauthorized(await c.post(VERIFY, { Token: m.token }, { auth: null }));
        const rk = await newKey(c, 'restricted');
        error(await c.post(VERIFY, { Token: m.token }, { auth: rk }), 403, 70051);
        /* A subaccount's credentials do not see the parent's tokens. */
        const sub = ok(await c.post('/2010-04-01/Accounts.json', { FriendlyName: 'child' }), 201);
        const v = await verify(c, m.token, { user: sub.sid, pass: sub.auth_token });
        assert.deepStrictEqual([v.active, v.code], [false, 20103]);
    });
};

