'use strict';
/*
 * otplib-rate.js -- bench/totp's node side: otplib's TOTP check (window 1, SHA-1, 6 digits,
 * 30 s) over the inputs driver.c wrote, "<kind>\t<secret hex>\t<now>\t<code>" a line.
 *
 * Usage: node otplib-rate.js INPUTS MIN_SECONDS
 * Each input gets an otplib `totp` instance made before timing, with its time as the epoch and
 * the secret in hex (otplib's encoding option), so what is timed is checkDelta(code, secret)
 * alone: the generous reading of otplib, with no base32 decoding (the `authenticator` preset
 * would decode the secret at every call) and no options object built per check.  Every input
 * is checked once first: now, prev and next must match at deltas 0, -1 and +1, wrong must not.
 * Then, for the mix and each kind alone, the inputs are checked again and again until
 * MIN_SECONDS have passed: checks per second, as key=value lines.
 */
const fs = require('fs');
const { totp } = require('otplib');
const version = require('otplib/package.json').version;

const [file, minArg] = process.argv.slice(2);
const minSeconds = Number(minArg || 1);
const kinds = ['now', 'prev', 'next', 'wrong'];
const wantDelta = { now: 0, prev: -1, next: 1, wrong: null };

const base = totp.clone({ algorithm: 'sha1', digits: 6, step: 30, window: 1, encoding: 'hex' });
const inputs = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.length > 0).map((l) => {
    const [kind, secret, now, code] = l.split('\t');
    if (!(kind in wantDelta) || !/^[0-9a-f]{40}$/.test(secret) || !/^[0-9]{6}$/.test(code)) {
        throw new Error(`malformed input line: ${l}`);
    }
    return { kind, secret, code, otp: base.clone({ epoch: Number(now) * 1000 }) };
});

let disagree = 0;
for (const [i, x] of inputs.entries()) {
    const delta = x.otp.checkDelta(x.code, x.secret);
    if (delta !== wantDelta[x.kind]) {
        process.stderr.write(`otplib: input ${i + 1} (${x.kind}): delta ${delta}\n`);
        disagree++;
    }
}
if (disagree > 0) {
    process.stderr.write(`otplib: ${disagree} inputs not as their kind says\n`);
    process.exit(1);
}

let sink = 0;
function rate(subset) {
    let count = 0;
    const t0 = process.hrtime.bigint();
    let seconds = 0;
    do {
        for (const x of subset) {
            sink += x.otp.checkDelta(x.code, x.secret) === null ? 0 : 1;
        }
        count += subset.length;
        seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    } while (seconds < minSeconds);
    return count / seconds;
}

const out = [`otplib_version=${version}`, `node_version=${process.version}`];
out.push(`otplib_mixed_rate=${rate(inputs).toFixed(0)}`);
for (const k of kinds) {
    out.push(`otplib_${k}_rate=${rate(inputs.filter((x) => x.kind === k)).toFixed(0)}`);
}
process.stdout.write(out.join('\n') + '\n');
process.stderr.write(`otplib: ${sink} acceptances counted\n`);
