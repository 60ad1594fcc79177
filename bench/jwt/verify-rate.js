'use strict';
// verify-rate.js -- bench/jwt's reference side: times jsonwebtoken and jose (npm, pinned in
// package-lock.json) verifying the same tokens as driver.c, with the same key's secret.
//
// Usage: BENCH_KEY_SECRET=... [BENCH_KEY_SID=SK...] [BENCH_ACCOUNT_SID=AC...]
//        node verify-rate.js TOKENS MIN_SECONDS
//
// Four ways, one after the other, each single-threaded like driver.c:
//   jsonwebtoken            jwt.verify(token, secret, {algorithms: ['HS256']}), secret the key's
//                           secret as a string: how its README shows it, and what the ratio uses.
//                           At every call jsonwebtoken 9 first tries crypto.createPublicKey
//                           (secret) (OpenSSL probes the string for every key format, and it
//                           throws), then makes a KeyObject with crypto.createSecretKey: that is
//                           most of its time.
//   jsonwebtoken_keyobject  the same with a KeyObject made once (crypto.createSecretKey).
//   jose                    await jose.jwtVerify(token, key, {algorithms: ['HS256']}), key =
//                           new TextEncoder().encode(secret), as jose's README shows it (jose
//                           then makes a KeyObject at every call too).
//   jose_keyobject          the same with a KeyObject made once.
// jose's jwtVerify is async: each call is awaited before the next starts, one verification in
// flight at a time, as driver.c does.  Both libraries check exp and nbf by default.
//
// First every token is verified once each way and must be valid (with BENCH_KEY_SID and
// BENCH_ACCOUNT_SID set, its iss and sub must be those), and a token with one signature
// character changed must be refused each way; then each way runs for about half a second
// (JIT warm-up), then verifies the whole file again and again until MIN_SECONDS have passed (at
// least once): a refused token throws, which ends the script (exit 1).
// Prints "<way>_rate=", "<way>_checks=", "<way>_seconds=" for each way, then
// "jsonwebtoken_version=", "jose_version=".
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const jwt = require('jsonwebtoken');
const jose = require('jose');

const [tokensPath, minArg] = process.argv.slice(2);
const secret = process.env.BENCH_KEY_SECRET;
if (!tokensPath || !secret) {
    process.stderr.write('usage: BENCH_KEY_SECRET=... node verify-rate.js TOKENS MIN_SECONDS\n');
    process.exit(2);
}
const minSeconds = Number(minArg || 0);
const keySid = process.env.BENCH_KEY_SID || '';
const accountSid = process.env.BENCH_ACCOUNT_SID || '';
const tokens = fs.readFileSync(tokensPath, 'utf8').split('\n').map((l) => l.replace(/\r$/, ''))
    .filter((l) => l !== '');
if (tokens.length === 0) {
    throw new Error('the token file holds no token');
}

const jwtOptions = { algorithms: ['HS256'] };
const joseOptions = { algorithms: ['HS256'] };
const secretBytes = new TextEncoder().encode(secret);
const secretKeyObject = crypto.createSecretKey(Buffer.from(secret, 'utf8'));

// Each way: verify(token) returns the payload (a promise of it for jose) or throws.
const ways = [
    { name: 'jsonwebtoken', sync: true, verify: (t) => jwt.verify(t, secret, jwtOptions) },
    {
        name: 'jsonwebtoken_keyobject',
        sync: true,
        verify: (t) => jwt.verify(t, secretKeyObject, jwtOptions),
    },
    {
        name: 'jose',
        sync: false,
        verify: async (t) => (await jose.jwtVerify(t, secretBytes, joseOptions)).payload,
    },
    {
        name: 'jose_keyobject',
        sync: false,
        verify: async (t) => (await jose.jwtVerify(t, secretKeyObject, joseOptions)).payload,
    },
];

function forge(t) {
    const at = t.length - 10; // in the middle of the signature
    return t.slice(0, at) + (t[at] === 'A' ? 'B' : 'A') + t.slice(at + 1);
}

async function validate(way) {
    for (const [i, t] of tokens.entries()) {
        const p = await way.verify(t);
        if ((keySid && p.iss !== keySid) || (accountSid && p.sub !== accountSid) ||
            !p.grants || typeof p.grants.identity !== 'string' || p.grants.identity === '') {
            throw new Error(`${way.name}: token ${i + 1} has another issuer or subject, or no identity`);
        }
    }
    let refused = false;
    try {
        await way.verify(forge(tokens[0]));
    } catch (e) {
        refused = /signature/i.test(`${e.code || ''} ${e.message}`);
        if (!refused) {
            throw new Error(`${way.name}: a forged token failed for another reason: ${e.message}`);
        }
    }
    if (!refused) {
        throw new Error(`${way.name}: accepted a token with a forged signature`);
    }
}

const seconds = (start) => Number(process.hrtime.bigint() - start) / 1e9;

// Whole passes over the file until limit seconds (at least one); returns [checks, seconds].
async function run(way, limit) {
    let checks = 0;
    let elapsed = 0;
    const start = process.hrtime.bigint();
    do {
        if (way.sync) {
            for (const t of tokens) {
                way.verify(t);
            }
        } else {
            for (const t of tokens) {
                await way.verify(t);
            }
        }
        checks += tokens.length;
        elapsed = seconds(start);
    } while (elapsed < limit);
    return [checks, elapsed];
}

function version(name) {
    let dir = path.dirname(require.resolve(name));
    for (;;) {
        const p = path.join(dir, 'package.json');
        if (fs.existsSync(p)) {
            const pkg = JSON.parse(fs.readFileSync(p, 'utf8'));
            if (pkg.name === name) {
                return pkg.version;
            }
        }
        const up = path.dirname(dir);
        if (up === dir) {
            return 'unknown';
        }
        dir = up;
    }
}

async function main() {
    let out = '';
    for (const way of ways) {
        await validate(way);
        await run(way, 0.5);
        const [checks, elapsed] = await run(way, minSeconds);
        out += `${way.name}_rate=${(checks / elapsed).toFixed(1)}\n${way.name}_checks=${checks}\n` +
            `${way.name}_seconds=${elapsed.toFixed(3)}\n`;
        process.stderr.write(`bench: ${way.name}: ${(checks / elapsed).toFixed(0)} verifications/s\n`);
    }
    out += `jsonwebtoken_version=${version('jsonwebtoken')}\njose_version=${version('jose')}\n`;
    process.stdout.write(out);
}

main().catch((e) => {
    process.stderr.write(`verify-rate.js: ${e.stack || e}\n`);
    process.exit(1);
});
