'use strict';
/*
 * webhook.js -- X-Twilio-Signature both ways between the official library (twilio@6.3.1,
 * lib/webhooks/webhooks.js) and `gatehouse webhook sign|verify`:
 *   - the library's signature (getExpectedTwilioSignature) validates with `gatehouse webhook
 *     verify`, and a tampered one does not;
 *   - `gatehouse webhook sign`'s signature validates with the library's validateRequest;
 *   - for a signature made over a port variant of the URL (without the port, with the default
 *     port, with another port), gatehouse and validateRequest give the same verdict;
 * over named cases (the reference vector, a port, repeated names, UTF-8 and the sort order,
 * a JSON body with bodySHA256, a SharedKey HMAC-SHA256) and seeded random requests, with the
 * parameters given as --param or as a form body on standard input.  The key goes through
 * $GATEHOUSE_WEBHOOK_KEY, as the command requires.  Prints TAP; exits 1 when a case fails.
 */
const assert = require('assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');
const twilio = require('twilio');

const root = path.resolve(__dirname, '../..');
const bin = path.resolve(root, process.env.GATEHOUSE_BIN || 'build-dev/cli/gatehouse');
const { getExpectedTwilioSignature, getExpectedBodyHash, validateRequest,
        validateRequestWithBody } = twilio;
const RANDOM_CASES = 150;
const SEED = 0x5eed1234;

/* ---- a seeded generator (mulberry32), so a failure can be replayed ---- */

function rng(seed) {
    let a = seed >>> 0;
    return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

/* ---- the gatehouse command ---- */

function gatehouse(args, key, input) {
    const r = spawnSync(bin, ['webhook', ...args], {
        input: input === undefined ? '' : input,
        encoding: 'utf8',
        env: { ...process.env, GATEHOUSE_WEBHOOK_KEY: key },
    });
    if (r.error) {
        throw r.error;
    }
    return r;
}

/* The command's parameter arguments and standard input for params ({name: value | [values]}). */
function inputs(params, viaForm) {
    const pairs = [];
    for (const [name, value] of Object.entries(params)) {
        for (const v of Array.isArray(value) ? value : [value]) {
            pairs.push([name, v]);
        }
    }
    if (viaForm) {
        return { args: ['--form-stdin'], input: new URLSearchParams(pairs).toString() };
    }
    return { args: pairs.flatMap(([n, v]) => ['--param', `${n}=${v}`]), input: '' };
}

function algArgs(alg) {
    return alg === 'HMAC_SHA256' ? ['--algorithm', 'sha256'] : [];
}

/* gatehouse webhook verify: true (exit 0), false (exit 1), or an exception. */
function ghVerify(key, url, params, sig, alg, viaForm) {
    const io = inputs(params, viaForm);
    const r = gatehouse(['verify', '--url', url, '--signature', sig, ...algArgs(alg), ...io.args],
                        key, io.input);
    assert.ok(r.status === 0 || r.status === 1, `verify exit ${r.status}: ${r.stderr}`);
    return r.status === 0;
}

function ghSign(key, url, params, alg, viaForm) {
    const io = inputs(params, viaForm);
    const r = gatehouse(['sign', '--url', url, '--json', ...algArgs(alg), ...io.args], key,
                        io.input);
    assert.strictEqual(r.status, 0, `sign exit ${r.status}: ${r.stderr}`);
    const out = JSON.parse(r.stdout);
    assert.strictEqual(out.url, url);
    return out.signature;
}

/* Flips one Base64 character of a signature. */
function tamper(sig) {
    return (sig[0] === 'A' ? 'B' : 'A') + sig.slice(1);
}

/* Both directions for one request, and a tampered signature refused. */
function bothWays(c, viaForm) {
    const libSig = getExpectedTwilioSignature(c.key, c.url, c.params, c.alg);
    assert.ok(ghVerify(c.key, c.url, c.params, libSig, c.alg, viaForm),
              `gatehouse refuses the library's signature ${libSig}`);
    assert.ok(!ghVerify(c.key, c.url, c.params, tamper(libSig), c.alg, viaForm),
              'gatehouse accepts a tampered signature');
    const ghSig = ghSign(c.key, c.url, c.params, c.alg, viaForm);
    assert.strictEqual(ghSig, libSig, 'gatehouse signs differently from the library');
    assert.ok(validateRequest(c.key, ghSig, c.url, c.params, c.alg),
              'the library refuses gatehouse\'s signature');
}

/* ---- URL port variants, as webhooks.js's splitUrl sees a URL ---- */

function split(url) {
    const m = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)/i.exec(url);
    const authority = m[2];
    const at = authority.lastIndexOf('@');
    const hostPort = authority.slice(at + 1);
    const colon = hostPort.indexOf(':', hostPort.lastIndexOf(']') + 1);
    return {
        before: m[1] + authority.slice(0, at + 1) + (colon === -1 ? hostPort : hostPort.slice(0, colon)),
        https: m[1].toLowerCase() === 'https://',
        rest: url.slice(m[0].length),
    };
}

function withPort(url, port) {
    const s = split(url);
    return s.before + (port === null ? '' : `:${port}`) + s.rest;
}

/* For signatures over the URL's port variants: gatehouse's verdict is the library's. */
function portVerdictsAgree(c, viaForm) {
    const s = split(c.url);
    const variants = [null, s.https ? 443 : 80, s.https ? 80 : 443, 8443];
    const verdicts = [];
    for (const port of variants) {
        const signedUrl = withPort(c.url, port);
        const sig = getExpectedTwilioSignature(c.key, signedUrl, c.params, c.alg);
        const lib = validateRequest(c.key, sig, c.url, c.params, c.alg);
        const gh = ghVerify(c.key, c.url, c.params, sig, c.alg, viaForm);
        assert.strictEqual(gh, lib, `signed over ${signedUrl}: gatehouse ${gh}, library ${lib}`);
        verdicts.push(lib);
    }
    return verdicts;
}

/* ---- the named cases ---- */

const TOKEN = '12345678901234567890abcdefabcdef';

const named = [
    ['the reference vector (token 12345)', () => {
        const c = { key: '12345', url: 'https://mycompany.com/myapp.php?foo=1&bar=2', params: {
            CallSid: 'CA1234567890ABCDE', Caller: '+14158675309', Digits: '1234',
            From: '+14158675309', To: '+18005551212' } };
        assert.strictEqual(getExpectedTwilioSignature(c.key, c.url, c.params),
                           'RSOYDt4T1cUTdK1PDd93/VVr8B8=');
        bothWays(c, true);
        bothWays(c, false);
    }],
    ['a port: :8443 and its port-less twin; a port-less URL and :443', () => {
        const c = { key: TOKEN, url: 'https://example.com:8443/hook?x=1',
                    params: { AccountSid: 'AC' + 'a'.repeat(32), Status: 'ok' } };
        bothWays(c, true);
        const v = portVerdictsAgree(c, true);
        assert.deepStrictEqual(v, [true, false, false, true]);
        const plain = { ...c, url: 'https://example.com/hook?x=1' };
        const v2 = portVerdictsAgree(plain, false);
        assert.deepStrictEqual(v2, [true, true, false, false]);
        const http = { ...c, url: 'http://user:pw@[::1]/voice' };
        assert.deepStrictEqual(portVerdictsAgree(http, true), [true, true, false, false]);
    }],
    ['repeated names: each distinct value once, sorted', () => {
        const c = { key: TOKEN, url: 'https://example.com/sms', params: {
            MediaUrl: ['https://b.example/2', 'https://a.example/1', 'https://a.example/1', ''],
            Body: 'x', body: 'y', B: ['2', '1', '2'] } };
        bothWays(c, true);
        bothWays(c, false);
    }],
    ['UTF-8 names and values, sorted as JavaScript sorts (UTF-16 code units)', () => {
        const c = { key: TOKEN, url: 'https://example.com/sms?q=\u00e9t\u00e9', params: {
            Body: 'H\u00e9llo w\u00f6rld \u2713 \u{1F600} + & = % ?',
            '\uE000': 'private use', '\u{1F600}': 'astral', '\u00e9': 'e acute', Z: 'z',
            To: '+1 555 0100' } };
        bothWays(c, true);
        bothWays(c, false);
    }],
    ['a JSON body: bodySHA256 both ways, and a tampered body refused', () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-webhook-'));
        try {
            const body = JSON.stringify({ event: 'message.delivered', text: 'caf\u00e9 \u2713',
                                          sid: 'SM' + 'd'.repeat(32), n: 1 });
            const file = path.join(dir, 'body.json');
            fs.writeFileSync(file, body);
            const base = 'https://example.com/events?tenant=7';
            const url = `${base}&bodySHA256=${getExpectedBodyHash(body)}`;
            const libSig = getExpectedTwilioSignature(TOKEN, url, {});
            let r = gatehouse(['verify', '--url', url, '--signature', libSig, '--body-file', file],
                              TOKEN);
            assert.strictEqual(r.status, 0, `verify: ${r.stdout} ${r.stderr}`);
            fs.writeFileSync(path.join(dir, 'tampered.json'), body.replace('"n":1', '"n":2'));
            r = gatehouse(['verify', '--url', url, '--signature', libSig, '--body-file',
                           path.join(dir, 'tampered.json')], TOKEN);
            assert.strictEqual(r.status, 1, `tampered body: ${r.stdout} ${r.stderr}`);
            r = gatehouse(['sign', '--url', base, '--body-file', file, '--json'], TOKEN);
            assert.strictEqual(r.status, 0, r.stderr);
            const out = JSON.parse(r.stdout);
            assert.strictEqual(out.url, url);
            assert.strictEqual(out.body_sha256, getExpectedBodyHash(body));
            assert.strictEqual(out.signature, libSig);
            assert.ok(validateRequestWithBody(TOKEN, out.signature, out.url, body));
            assert.ok(!validateRequestWithBody(TOKEN, out.signature, out.url, body + ' '));
            /* Standard input as the body, in plain text: the URL, then the signature. */
            r = spawnSync(bin, ['webhook', 'sign', '--url', base, '--body-file', '-'],
                          { input: body, encoding: 'utf8',
                            env: { ...process.env, GATEHOUSE_WEBHOOK_KEY: TOKEN } });
            assert.strictEqual(r.stdout, `${url}\n${libSig}\n`, r.stderr);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    }],
    ['a SharedKey: HMAC-SHA256 with the secret', () => {
        const c = { key: 'sharedkey-secret-example', alg: 'HMAC_SHA256',
                    url: 'https://mycompany.com/myapp.php?foo=1&bar=2',
                    params: { CallSid: 'CA1234567890ABCDE', From: '+12349013030' } };
        assert.strictEqual(twilio.getSignatureAlgorithm(
            'key=webhooks_sharedkey_example,algorithm=HMAC_SHA256'), 'HMAC_SHA256');
        assert.strictEqual(getExpectedTwilioSignature(c.key, c.url, c.params, c.alg),
                           '5XUkde+T5cLz83g27TunELP/OqpiOpJ21eODKvf32s0=');
        bothWays(c, true);
        const sha1 = getExpectedTwilioSignature(c.key, c.url, c.params);
        assert.ok(!ghVerify(c.key, c.url, c.params, sha1, c.alg, true),
                  'an HMAC-SHA1 signature passes as HMAC-SHA256');
    }],
    ['the wrong key, a changed parameter, an empty signature', () => {
        const c = { key: TOKEN, url: 'https://example.com/voice', params: { Digits: '1234' } };
        const sig = getExpectedTwilioSignature(c.key, c.url, c.params);
        assert.ok(!ghVerify(TOKEN.replace('f', 'e'), c.url, c.params, sig, undefined, true));
        assert.ok(!ghVerify(c.key, c.url, { Digits: '1235' }, sig, undefined, true));
        assert.ok(!ghVerify(c.key, c.url, { ...c.params, Extra: '' }, sig, undefined, false));
        assert.ok(!ghVerify(c.key, c.url, c.params, '', undefined, true));
        assert.ok(!ghVerify(c.key, c.url, c.params, sig.slice(0, -1), undefined, true));
    }],
];

/* ---- seeded random requests ---- */

const NAME_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';
const VALUE_PIECES = ['a', 'Z', '0', '9', ' ', '+', '&', '=', '%', '?', '/', ':', '#', '.', '~',
                      '"', "'", '\n', '\t', '\u00e9', '\u00fc', '\u2713', '\u20ac', '\uE000',
                      '\uFFFD', '\u{1F600}', '\u{10348}', '\u4e2d', 'CA', '+1555'];
const PATH_PIECES = ['hook', 'sms', 'voice', 'a-b', 'x_y', '1', '%20', 'caf%C3%A9', '~u'];
const QUERY_PIECES = ['a', 'b', '1', '=', '&', '%2B', '+', '-', '.', '_', '~', 'x=y', '%26'];

function pick(r, list) {
    return list[Math.floor(r() * list.length)];
}

function text(r, pieces, max) {
    let s = '';
    const n = Math.floor(r() * (max + 1));
    for (let i = 0; i < n; i++) {
        s += pick(r, pieces);
    }
    return s;
}

function randomCase(r) {
    const https = r() < 0.7;
    const port = r() < 0.3 ? `:${pick(r, [443, 80, 8080, 8443, 3000])}` : '';
    const user = r() < 0.1 ? 'user:pw@' : '';
    const host = pick(r, ['example.com', 'hooks.example.org', 'a-b.example.net', '127.0.0.1', '[::1]']);
    let url = `${https ? 'https' : 'http'}://${user}${host}${port}`;
    const segments = Math.floor(r() * 4);
    for (let i = 0; i < segments; i++) {
        url += `/${text(r, PATH_PIECES, 2)}`;
    }
    if (segments === 0 && r() < 0.5) {
        url += '/';
    }
    if (r() < 0.6) {
        url += `?${text(r, QUERY_PIECES, 8)}`;
    }
    const params = {};
    const n = Math.floor(r() * 12);
    for (let i = 0; i < n; i++) {
        const name = text(r, NAME_CHARS.split(''), 6) || 'N';
        const value = text(r, VALUE_PIECES, 10);
        if (params[name] === undefined) {
            params[name] = value;
        } else {
            params[name] = [].concat(params[name], value, r() < 0.5 ? value : []);
        }
    }
    const key = r() < 0.5 ? TOKEN : Array.from({ length: 1 + Math.floor(r() * 40) },
                                              () => pick(r, NAME_CHARS.split(''))).join('');
    return { key, url, params, alg: r() < 0.3 ? 'HMAC_SHA256' : undefined };
}

/* ---- TAP ---- */

let n = 0;
let failed = 0;
function report(ok, name, err) {
    n++;
    console.log(`${ok ? 'ok' : 'not ok'} ${n} - webhook: ${name}`);
    if (!ok) {
        failed++;
        console.log(`# ${String(err && err.stack || err).split('\n').join('\n# ')}`);
    }
}

function main() {
    console.log(`1..${named.length + 2}`);
    for (const [name, run] of named) {
        try {
            run();
            report(true, name);
        } catch (e) {
            report(false, name, e);
        }
    }
    const r = rng(SEED);
    const cases = Array.from({ length: RANDOM_CASES }, () => randomCase(r));
    let current;
    try {
        cases.forEach((c, i) => {
            current = c;
            bothWays(c, i % 2 === 0);
        });
        report(true, `${RANDOM_CASES} random requests (seed 0x${SEED.toString(16)}): signed by either, validated by the other`);
    } catch (e) {
        report(false, 'random requests both ways', `${e.stack}\ncase: ${JSON.stringify(current)}`);
    }
    let accepted = 0;
    try {
        cases.slice(0, 60).forEach((c, i) => {
            current = c;
            accepted += portVerdictsAgree(c, i % 2 === 1).filter(Boolean).length;
        });
        report(true, `port variants of 60 random requests: the same verdict as validateRequest (${accepted} of 240 accepted)`);
    } catch (e) {
        report(false, 'port variants of random requests', `${e.stack}\ncase: ${JSON.stringify(current)}`);
    }
    process.exit(failed === 0 ? 0 : 1);
}

main();
