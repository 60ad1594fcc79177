#!/usr/bin/env node
// gap.js -- the timing gap between login refusals: does an unknown e-mail answer faster (or
// slower) than a wrong passphrase?  Plain node >= 18 (global fetch), no npm packages.
//
// Sends one login at a time (POST /v1/Sessions, form body) to an idle server, in rounds of three
// kinds, each request from its own X-Forwarded-For address (so the per-address throttle never
// counts twice; the server must trust 127.0.0.1 as a proxy):
//   correct  BENCH_EMAIL with BENCH_PASSPHRASE                       -> must be 201
//   unknown  nobody-<i>@example.com with BENCH_PASSPHRASE             -> must be 401
//   wrong    BENCH_EMAIL with BENCH_PASSPHRASE, last character changed -> must be 401
// The order of the kinds rotates from round to round.  Every round has a correct login of the
// same user, which resets its failure count, so the per-user throttle (5 failures in 15 min)
// never locks it: the "wrong" kind is a real verification against the user's stored hash, not
// the locked path (and a correct login answering 401 would show a lock, and fails the run).
//
// Environment: BENCH_URL (http://127.0.0.1:PORT), BENCH_EMAIL, BENCH_PASSPHRASE (required);
// BENCH_GAP_N (requests per kind, default 200), BENCH_GAP_WARMUP (rounds not recorded, default 5),
// BENCH_SEED (bootstrap PRNG seed, default 20261128).
//
// Prints key=value lines on stdout (times in ms, from sending the request to the end of the
// response body), progress on stderr; exits 1 on any unexpected status or network error.
'use strict';

const major = Number(process.versions.node.split('.')[0]);
if (!(major >= 18) || typeof fetch !== 'function') {
    process.stderr.write(`gap.js: node >= 18 with global fetch needed, not ${process.version}\n`);
    process.exit(1);
}

function need(name) {
    const v = process.env[name];
    if (v === undefined || v === '') {
        process.stderr.write(`gap.js: environment variable ${name} is not set\n`);
        process.exit(1);
    }
    return v;
}

function count(name, dflt, min) {
    const text = process.env[name];
    if (text === undefined || text === '') return dflt;
    if (!/^[0-9]+$/.test(text) || Number(text) < min) {
        process.stderr.write(`gap.js: ${name} must be a whole number >= ${min}, not '${text}'\n`);
        process.exit(1);
    }
    return Number(text);
}

const base = need('BENCH_URL').replace(/\/+$/, '');
const email = need('BENCH_EMAIL');
const pass = need('BENCH_PASSPHRASE');
const n = count('BENCH_GAP_N', 200, 1);
const warmup = count('BENCH_GAP_WARMUP', 5, 0);
const seed = count('BENCH_SEED', 20261128, 0);

// Same length as the right one, so only the verdict differs, not the work before it.
const wrongPass = pass.slice(0, -1) + (pass.endsWith('x') ? 'y' : 'x');

// 10.128.0.0 - 10.255.255.255: apart from the throughput run's 10.<thread>.x.y addresses.
let addrCounter = 0;
function nextAddress() {
    const i = addrCounter++;
    return `10.${128 + ((i >> 16) & 127)}.${(i >> 8) & 255}.${i & 255}`;
}

let unknownCounter = 0;

async function login(kind) {
    let user = email;
    let phrase = pass;
    if (kind === 'unknown') {
        user = `nobody-${unknownCounter++}@example.com`;
    } else if (kind === 'wrong') {
        phrase = wrongPass;
    }
    const body = new URLSearchParams({ Email: user, Passphrase: phrase }).toString();
    const t0 = process.hrtime.bigint();
    const res = await fetch(`${base}/v1/Sessions`, {
        method: 'POST',
        headers: {
            'Content-Type': 'application/x-www-form-urlencoded',
            Accept: 'application/json',
            'X-Forwarded-For': nextAddress(),
        },
        body,
    });
    const text = await res.text();
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    const want = kind === 'correct' ? 201 : 401;
    if (res.status !== want) {
        throw new Error(`${kind} login answered ${res.status}, not ${want}: ${text.slice(0, 200)}`);
    }
    return ms;
}

const kinds = ['correct', 'unknown', 'wrong'];

function quantile(sorted, q) { // linear interpolation between closest ranks
    if (sorted.length === 1) return sorted[0];
    const pos = (sorted.length - 1) * q;
    const lo = Math.floor(pos);
    const hi = Math.ceil(pos);
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

const median = (xs) => quantile([...xs].sort((a, b) => a - b), 0.5);
const mean = (xs) => xs.reduce((s, x) => s + x, 0) / xs.length;

function mulberry32(a) {
    return () => {
        a = (a + 0x6d2b79f5) | 0;
        let t = Math.imul(a ^ (a >>> 15), 1 | a);
        t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

// 95% percentile-bootstrap interval of median(a) - median(b).
function bootstrapGap(a, b, rounds) {
    const rand = mulberry32(seed);
    const resample = (xs) => {
        const out = new Array(xs.length);
        for (let i = 0; i < xs.length; i++) out[i] = xs[Math.floor(rand() * xs.length)];
        return out;
    };
    const diffs = [];
    for (let r = 0; r < rounds; r++) diffs.push(median(resample(a)) - median(resample(b)));
    diffs.sort((x, y) => x - y);
    return [quantile(diffs, 0.025), quantile(diffs, 0.975)];
}

async function main() {
    const times = { correct: [], unknown: [], wrong: [] };
    const total = warmup + n;
    const started = Date.now();
    for (let r = 0; r < total; r++) {
        for (let k = 0; k < kinds.length; k++) {
            const kind = kinds[(r + k) % kinds.length];
            const ms = await login(kind);
            if (r >= warmup) times[kind].push(ms);
        }
        const done = r + 1;
        if (done === warmup || (done > warmup && (done - warmup) % 50 === 0) || done === total) {
            process.stderr.write(`gap.js: ${done}/${total} rounds (${warmup} warm-up), ` +
                `${((Date.now() - started) / 1000).toFixed(1)} s\n`);
        }
    }

    const out = [];
    const put = (k, v) => out.push(`${k}=${v}`);
    put('gap_n', n);
    put('gap_warmup_rounds', warmup);
    const med = {};
    for (const kind of kinds) {
        const sorted = [...times[kind]].sort((a, b) => a - b);
        med[kind] = quantile(sorted, 0.5);
        put(`${kind}_median_ms`, med[kind].toFixed(3));
        put(`${kind}_mean_ms`, mean(sorted).toFixed(3));
        put(`${kind}_p10_ms`, quantile(sorted, 0.1).toFixed(3));
        put(`${kind}_p90_ms`, quantile(sorted, 0.9).toFixed(3));
    }
    const gap = med.unknown - med.wrong;
    const [lo, hi] = bootstrapGap(times.unknown, times.wrong, 2000);
    put('gap_unknown_vs_wrong_ms', gap.toFixed(3));
    put('gap_pct', (med.wrong > 0 ? (100 * gap) / med.wrong : 0).toFixed(2));
    put('gap_ci95_low_ms', lo.toFixed(3));
    put('gap_ci95_high_ms', hi.toFixed(3));
    put('gap_mean_diff_ms', (mean(times.unknown) - mean(times.wrong)).toFixed(3));
    put('node_version', process.versions.node);
    process.stdout.write(out.join('\n') + '\n');
}

main().catch((err) => {
    process.stderr.write(`gap.js: ${err.cause ? `${err.message}: ${err.cause.message}` : err.message}\n`);
    process.exit(1);
});
