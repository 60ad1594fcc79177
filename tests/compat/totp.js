'use strict';
/*
 * totp.js -- the otplib side of the TOTP cross-check (tests/unit/totp_interop_test.c).
 *
 * There is no command or HTTP route for TOTP yet, so the C library cannot be driven from here;
 * instead the C test drives otplib through this script, and nothing expected is written down
 * by either side: the same secrets, parameters and times go to both implementations and the C
 * test compares what they say.
 *
 *   node totp.js CASES.json   (run by totp_interop_test) reads the cases the C test wrote --
 *       each a key URI made by gh_totp_uri, the issuer, label, secret and parameters it was made
 *       from, and times -- and prints, as JSON: the URI taken apart (WHATWG URL for the parts,
 *       otplib's own base32 decoder, authenticator.decode, for the secret); otplib's keyuri()
 *       for the same inputs, taken apart the same way; and otplib's authenticator code at each
 *       time, computed from what was parsed out of Gatehouse's URI (so the URI round-trips:
 *       gh_totp_uri -> parse -> otplib -> a code gh_totp_verify must accept).  otplib 12 has no
 *       key-URI parser of its own; its keyuri() is the format it writes and expects.
 *   node totp.js              (run by tests/compat/run.sh, where otplib is always installed)
 *       runs the C test, next to $GATEHOUSE_BIN in the build tree, with
 *       GATEHOUSE_TOTP_INTEROP_REQUIRE=1 (a missing otplib or oathtool fails instead of
 *       skipping), and passes its TAP through.  The unit suites run the same test but skip the
 *       otplib half when tests/compat/node_modules is not installed yet.
 *
 * otplib 12.0.1 quirk, kept out of the cases: for SHA-256 and SHA-512 its TOTP pads a secret
 * shorter than the digest by repeating it, comparing the digest size with the length of the
 * secret's text in its encoding (hex, for the authenticator): so a SHA-512 factor with a secret
 * under 32 bytes gets codes that RFC 6238, oathtool, authenticator apps and Gatehouse (the key
 * as given, RFC 2104) do not.  The cases use secrets of at least 32 bytes for SHA-512.
 */
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');

function parseKeyUri(text) {
    const u = new URL(text);
    const label = u.pathname.replace(/^\/+/, '');
    const colon = label.indexOf(':'); /* literal; a ':' inside issuer or label is %3A */
    const q = u.searchParams;
    return {
        scheme: u.protocol,
        type: u.host,
        label_issuer: colon >= 0 ? decodeURIComponent(label.slice(0, colon)) : null,
        label: decodeURIComponent(colon >= 0 ? label.slice(colon + 1) : label),
        secret: q.get('secret'),
        issuer: q.get('issuer'),
        algorithm: q.get('algorithm'),
        digits: Number(q.get('digits')),
        period: Number(q.get('period')),
        query_names: [...q.keys()].sort(),
    };
}

function otplibSide(file) {
    const { authenticator } = require('otplib');
    const version = require('otplib/package.json').version;
    const input = JSON.parse(fs.readFileSync(file, 'utf8'));
    const cases = input.cases.map((c) => {
        const parsed = parseKeyUri(c.uri);
        const opts = {
            algorithm: String(parsed.algorithm).toLowerCase(),
            digits: parsed.digits,
            step: parsed.period,
        };
        const theirs = authenticator.clone(opts).keyuri(c.label, c.issuer, c.secret_b32);
        return {
            parsed: { ...parsed, secret_hex: authenticator.decode(parsed.secret) },
            keyuri: theirs,
            keyuri_parsed: parseKeyUri(theirs),
            codes: c.times.map((t) =>
                authenticator.clone({ ...opts, epoch: t * 1000 }).generate(parsed.secret)),
        };
    });
    process.stdout.write(JSON.stringify({ otplib_version: version, cases }) + '\n');
}

function runCTest() {
    const root = path.resolve(__dirname, '../..');
    const bin = path.resolve(root, process.env.GATEHOUSE_BIN || 'build-dev/cli/gatehouse');
    const test = path.resolve(path.dirname(bin), '../tests/unit/totp_interop_test');
    if (!fs.existsSync(test)) {
        console.log(`not ok 1 - totp interop: ${test} is not built (meson builds it with the tests)`);
        return 1;
    }
    const r = spawnSync(test, [], {
        stdio: ['ignore', 'inherit', 'inherit'],
        env: { ...process.env, GATEHOUSE_TOTP_INTEROP_REQUIRE: '1', CMOCKA_MESSAGE_OUTPUT: 'TAP' },
    });
    if (r.error) {
        console.log(`not ok 1 - totp interop: ${r.error.message}`);
        return 1;
    }
    return r.status === 0 ? 0 : 1;
}

if (process.argv.length > 2) {
    otplibSide(process.argv[2]);
} else {
    process.exitCode = runCTest();
}
