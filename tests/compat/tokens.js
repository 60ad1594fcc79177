'use strict';
/*
 * tokens.js -- access tokens across implementations, against a real `gatehouse serve`:
 *   - tokens made by the official twilio package's AccessToken (HS256, and HS512 once the key
 *     is allowed it; every grant class, nbf, region) verify in Gatehouse
 *     (POST /v1/AccessTokens/Verify);
 *   - tokens Gatehouse mints (POST /v1/AccessTokens, `gatehouse token mint`) verify with
 *     jsonwebtoken and with jose given the key's secret, and decode to what was asked;
 *   - a token the library signs with the wrong secret, or with a restricted key, is refused.
 * Prints TAP.
 */
const assert = require('assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawn, spawnSync } = require('child_process');

const twilio = require('twilio');
const jwt = require('jsonwebtoken');
const jose = require('jose');

const root = path.resolve(__dirname, '../..');
const bin = path.resolve(root, process.env.GATEHOUSE_BIN || 'build-dev/cli/gatehouse');
const { AccessToken } = twilio.jwt;

let n = 0;
let failed = 0;
async function test(name, fn) {
    n++;
    try {
        await fn();
        console.log(`ok ${n} - tokens: ${name}`);
    } catch (e) {
        failed++;
        console.log(`not ok ${n} - tokens: ${name}`);
        console.log(`# ${String(e && e.stack || e).split('\n').join('\n# ')}`);
    }
}

function cliJson(args, env) {
    const r = spawnSync(bin, args, { encoding: 'utf8', env: env || process.env });
    if (r.status !== 0) {
        throw new Error(`gatehouse ${args.join(' ')}: ${r.stderr}`);
    }
    return JSON.parse(r.stdout);
}

async function startServer(dir) {
    const data = path.join(dir, 'data');
    fs.mkdirSync(data, { mode: 0o700 });
    fs.writeFileSync(path.join(data, 'gatehouse.conf'), 'pwhash_memory_mib = 19\n', { mode: 0o600 });
    const init = cliJson(['init', '--data', data, '--json']);
    const key = cliJson(['key', 'create', '--type', 'main', '--data', data, '--json']);
    const proc = spawn(bin, ['serve', '--data', data, '--listen', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const url = await new Promise((resolve, reject) => {
        let out = '';
        const timer = setTimeout(() => reject(new Error('server did not start')), 20000);
        proc.stdout.on('data', (d) => {
            out += d;
            const m = /listening on (http:\/\/[^\s]+)/.exec(out);
            if (m) {
                clearTimeout(timer);
                resolve(m[1]);
            }
        });
        proc.on('exit', (code) => reject(new Error(`server exited ${code}`)));
    });
    return { data, init, key, proc, url };
}

function basic(user, pass) {
    return `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
}

async function post(s, p, form, auth) {
    const res = await fetch(`${s.url}${p}`, {
        method: 'POST',
        headers: { Authorization: auth || basic(s.key.sid, s.key.secret),
                   'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(form).toString(),
    });
    return { status: res.status, json: await res.json() };
}

async function verify(s, token) {
    const r = await post(s, '/v1/AccessTokens/Verify', { Token: token });
    assert.strictEqual(r.status, 200, JSON.stringify(r.json));
    return r.json;
}

/* A standard key of the instance's main account: {sid, secret}. */
async function standardKey(s) {
    const r = await post(s, '/v1/Keys', { AccountSid: s.init.account_sid, FriendlyName: 'compat' });
    assert.strictEqual(r.status, 201, JSON.stringify(r.json));
    return r.json;
}

function libraryToken(s, key, opts = {}, alg) {
    const t = new AccessToken(s.init.account_sid, key.sid, key.secret,
                              { identity: opts.identity || 'alice', ttl: opts.ttl, nbf: opts.nbf, region: opts.region });
    for (const g of opts.grants || []) {
        t.addGrant(g);
    }
    return t.toJwt(alg);
}

async function main() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-compat-tokens-'));
    let s;
    try {
        s = await startServer(dir);
        const key = await standardKey(s);

        await test('a minimal twilio AccessToken verifies', async () => {
            const v = await verify(s, libraryToken(s, key));
            assert.strictEqual(v.active, true, JSON.stringify(v));
            assert.deepStrictEqual(v.claims.grants, { identity: 'alice' });
        });

        await test('every grant class, nbf, ttl and region verify, and come back as the library wrote them', async () => {
            const { VoiceGrant, VideoGrant, ChatGrant, SyncGrant, TaskRouterGrant, PlaybackGrant } = AccessToken;
            const grants = [
                new VoiceGrant({ incomingAllow: true, outgoingApplicationSid: 'AP11111111111111111111111111111111',
                                 outgoingApplicationParams: { foo: 'bar' } }),
                new VideoGrant({ room: 'room-1' }),
                new ChatGrant({ serviceSid: 'IS33333333333333333333333333333333', endpointId: 'chat-ep' }),
                new SyncGrant({ serviceSid: 'IS66666666666666666666666666666666' }),
                new TaskRouterGrant({ workspaceSid: 'WS77777777777777777777777777777777', role: 'worker' }),
                new PlaybackGrant({ grant: { playbackUrl: 'https://example.invalid/pl' } }),
            ];
            const nbf = Math.floor(Date.now() / 1000) - 10;
            const token = libraryToken(s, key, { identity: 'bob@example.com', grants, ttl: 600, nbf, region: 'ie1' });
            const v = await verify(s, token);
            assert.strictEqual(v.active, true, JSON.stringify(v));
            assert.deepStrictEqual(v.claims, jwt.decode(token));
        });

        await test('HS512 from the library verifies once the key is allowed HS512, not before', async () => {
            const token = libraryToken(s, key, {}, 'HS512');
            let v = await verify(s, token);
            assert.deepStrictEqual([v.active, v.code], [false, 20101]);
            cliJson(['token', 'algorithms', '--key', key.sid, 'HS256,HS512', '--json', '--data', s.data]);
            v = await verify(s, token);
            assert.strictEqual(v.active, true, JSON.stringify(v));
            assert.strictEqual((await verify(s, libraryToken(s, key, {}, 'HS384'))).code, 20101);
        });

        await test('the library signing with a wrong secret or a 25-hour ttl is refused with its code', async () => {
            const wrong = new AccessToken(s.init.account_sid, key.sid, 'x'.repeat(32), { identity: 'a' }).toJwt();
            assert.strictEqual((await verify(s, wrong)).code, 20107);
            assert.strictEqual((await verify(s, libraryToken(s, key, { ttl: 90000 }))).code, 20157);
        });

        await test('tokens Gatehouse mints verify with jsonwebtoken and jose', async () => {
            const r = await post(s, '/v1/AccessTokens', { Identity: 'carol', Ttl: '900',
                                                          Grants: JSON.stringify({ video: { room: 'r2' } }) },
                                 basic(key.sid, key.secret));
            assert.strictEqual(r.status, 201, JSON.stringify(r.json));
            const decoded = jwt.verify(r.json.token, key.secret, { algorithms: ['HS256'] });
            assert.deepStrictEqual(decoded.grants, { identity: 'carol', video: { room: 'r2' } });
            assert.deepStrictEqual([decoded.iss, decoded.sub, decoded.exp - decoded.iat], [key.sid, s.init.account_sid, 900]);
            const header = jwt.decode(r.json.token, { complete: true }).header;
            assert.deepStrictEqual(header, { alg: 'HS256', typ: 'JWT', cty: 'twilio-fpa;v=1' });
            const { payload } = await jose.jwtVerify(r.json.token, new TextEncoder().encode(key.secret));
            assert.strictEqual(payload.jti, r.json.jti);
            /* HS512 (the key allows it now), checked by both libraries. */
            const r512 = await post(s, '/v1/AccessTokens', { Identity: 'dave', Algorithm: 'HS512' }, basic(key.sid, key.secret));
            assert.strictEqual(r512.status, 201, JSON.stringify(r512.json));
            jwt.verify(r512.json.token, key.secret, { algorithms: ['HS512'] });
            await jose.jwtVerify(r512.json.token, new TextEncoder().encode(key.secret), { algorithms: ['HS512'] });
            assert.throws(() => jwt.verify(r.json.token, 'another secret', { algorithms: ['HS256'] }));
        });

        await test('`gatehouse token mint` tokens verify with jsonwebtoken', async () => {
            const env = { ...process.env, GATEHOUSE_KEY_SECRET: key.secret };
            const out = cliJson(['token', 'mint', '--account', s.init.account_sid, '--key', key.sid, '--identity', 'erin',
                                 '--grants', JSON.stringify({ chat: { service_sid: 'IS33333333333333333333333333333333' } }),
                                 '--ttl', '120', '--json'], env);
            const decoded = jwt.verify(out.token, key.secret, { algorithms: ['HS256'] });
            assert.strictEqual(decoded.grants.identity, 'erin');
            assert.strictEqual(decoded.jti, out.jti);
            assert.strictEqual((await verify(s, out.token)).active, true);
        });
    } catch (e) {
        failed++;
        console.log(`not ok ${++n} - tokens: set-up`);
        console.log(`# ${String(e && e.stack || e).split('\n').join('\n# ')}`);
    } finally {
        if (s) {
            s.proc.kill('SIGTERM');
            await new Promise((resolve) => s.proc.on('close', resolve));
        }
        fs.rmSync(dir, { recursive: true, force: true });
    }
    console.log(`1..${n}`);
    process.exit(failed === 0 ? 0 : 1);
}

main();
