'use strict';
/*
 * check.js -- assertions on responses and audit events.  Each failure message names the
 * request and quotes the response, so a TAP "not ok" is enough to file a bug.
 */
const assert = require('assert');
const { short } = require('./client');

const RE = {
    AC: /^AC[0-9a-f]{32}$/,
    SK: /^SK[0-9a-f]{32}$/,
    TOKEN: /^[0-9a-f]{32}$/,
    SECRET: /^[A-Za-z0-9]{32}$/,
    /* RFC 2822 in GMT as Twilio renders it: "Fri, 27 Nov 2026 22:14:01 +0000" */
    RFC2822: /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} \+0000$/,
    /* ISO 8601 UTC without fractional seconds: "2026-11-27T22:14:01Z" */
    ISO8601: /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/,
};

/* A well-formed SID that names nothing (deterministic; n varies it). */
function fakeSid(prefix, n = 0) {
    return prefix + [...Array(32)].map((_, i) => '0123456789abcdef'[(i * 7 + 3 + n) % 16]).join('');
}

function where(res) {
    return `${res.method} ${short(res.target, 160)} -> ${res.status} ${short(res.text, 300)}`;
}

function status(res, expected, what) {
    if (res.status !== expected) {
        throw new assert.AssertionError({
            message: `${what ? what + ': ' : ''}expected HTTP ${expected}, got ${where(res)}`,
        });
    }
    return res;
}

/* HTTP status + JSON body; returns the parsed body. */
function ok(res, expected = 200, what) {
    status(res, expected, what);
    const ct = res.headers.get('content-type') || '';
    assert.ok(/^application\/json\b/.test(ct),
              `${what ? what + ': ' : ''}Content-Type is ${JSON.stringify(ct)}, not application/json: ${where(res)}`);
    assert.ok(res.json !== undefined, `body is not JSON: ${where(res)}`);
    return res.json;
}

/* A Twilio error body {code, message, more_info, status} with the given HTTP status and code. */
function error(res, httpStatus, code, what) {
    const pre = what ? `${what}: ` : '';
    if (res.status !== httpStatus || !res.json || (code !== undefined && res.json.code !== code)) {
        throw new assert.AssertionError({
            message: `${pre}expected HTTP ${httpStatus}` +
                     (code !== undefined ? ` code ${code}` : '') + `, got ${where(res)}`,
        });
    }
    const ct = res.headers.get('content-type') || '';
    assert.ok(/^application\/json\b/.test(ct), `${pre}error Content-Type ${JSON.stringify(ct)}: ${where(res)}`);
    const b = res.json;
    assert.deepStrictEqual(Object.keys(b).sort(), ['code', 'message', 'more_info', 'status'],
                           `${pre}error body keys: ${where(res)}`);
    assert.strictEqual(typeof b.code, 'number', `${pre}code is a number`);
    assert.strictEqual(b.status, httpStatus, `${pre}body status matches HTTP status: ${where(res)}`);
    assert.strictEqual(typeof b.message, 'string');
    assert.ok(b.message.length > 0, `${pre}message is not empty`);
    assert.strictEqual(b.more_info, `https://www.twilio.com/docs/errors/${b.code}`,
                       `${pre}more_info: ${where(res)}`);
    return b;
}

/* The exact 401 every authentication failure must produce. */
function unauthorized(res, what) {
    const b = error(res, 401, 20003, what);
    assert.strictEqual(b.message, 'Authenticate', `${what || ''} 401 message`);
    assert.ok(res.headers.get('www-authenticate'),
              `${what ? what + ': ' : ''}401 without WWW-Authenticate: ${where(res)}`);
    assert.match(res.headers.get('www-authenticate'), /^Basic realm="[^"]*"$/);
    return b;
}

function keys(obj, expected, what) {
    assert.deepStrictEqual(Object.keys(obj).sort(), [...expected].sort(),
                           `${what || 'object'} keys: ${short(JSON.stringify(obj), 400)}`);
}

/* A 2010 Account JSON. */
function account(a, { sid, owner, friendlyName, status: st } = {}) {
    keys(a, ['auth_token', 'date_created', 'date_updated', 'friendly_name', 'owner_account_sid',
             'sid', 'status', 'subresource_uris', 'type', 'uri'], 'account');
    assert.match(a.sid, RE.AC);
    assert.match(a.owner_account_sid, RE.AC);
    assert.match(a.auth_token, RE.TOKEN);
    assert.match(a.date_created, RE.RFC2822);
    assert.match(a.date_updated, RE.RFC2822);
    assert.ok(['active', 'suspended', 'closed'].includes(a.status), `status ${a.status}`);
    assert.ok(['Trial', 'Full'].includes(a.type), `type ${a.type}`);
    assert.strictEqual(a.uri, `/2010-04-01/Accounts/${a.sid}.json`);
    assert.strictEqual(typeof a.friendly_name, 'string');
    assert.strictEqual(a.subresource_uris.keys, `/2010-04-01/Accounts/${a.sid}/Keys.json`);
    assert.strictEqual(a.subresource_uris.signing_keys,
                       `/2010-04-01/Accounts/${a.sid}/SigningKeys.json`);
    if (sid !== undefined) {
        assert.strictEqual(a.sid, sid);
    }
    if (owner !== undefined) {
        assert.strictEqual(a.owner_account_sid, owner);
    }
    if (friendlyName !== undefined) {
        assert.strictEqual(a.friendly_name, friendlyName);
    }
    if (st !== undefined) {
        assert.strictEqual(a.status, st);
    }
    return a;
}

/* A 2010 key item; withSecret for the create response. */
function key2010(k, { withSecret = false, friendlyName } = {}) {
    const expected = ['sid', 'friendly_name', 'date_created', 'date_updated'];
    if (withSecret) {
        expected.push('secret');
    }
    keys(k, expected, 'key');
    assert.match(k.sid, RE.SK);
    assert.match(k.date_created, RE.RFC2822);
    assert.match(k.date_updated, RE.RFC2822);
    if (withSecret) {
        assert.match(k.secret, RE.SECRET);
    }
    if (friendlyName !== undefined) {
        assert.strictEqual(k.friendly_name, friendlyName);
    }
    return k;
}

/* A 2010 list envelope: exactly the list key plus the paging keys. */
function page2010(body, listKey) {
    keys(body, [listKey, 'first_page_uri', 'uri', 'next_page_uri', 'previous_page_uri', 'page',
                'page_size', 'start', 'end'], `${listKey} envelope`);
    assert.ok(Array.isArray(body[listKey]), `${listKey} is an array`);
    return body[listKey];
}

/* Audit: the events matching every field of want (exact values or RegExps). */
function findEvents(events, want) {
    return events.filter((e) => Object.entries(want).every(([k, v]) =>
        (v instanceof RegExp ? v.test(String(e[k])) : e[k] === v)));
}

function fmtEvents(events) {
    return events.map((e) => JSON.stringify(e)).join('\n    ');
}

/* Exactly one event matching want; checks the common request fields too. */
function auditOne(events, want, { ua } = {}) {
    const found = findEvents(events, want);
    assert.strictEqual(found.length, 1,
                       `expected one audit event ${JSON.stringify(want, (k, v) => (v instanceof RegExp ? String(v) : v))}, ` +
                       `found ${found.length} in:\n    ${fmtEvents(events)}`);
    const e = found[0];
    keys(e, ['seq', 'time_ms', 'actor', 'action', 'target', 'remote_addr', 'user_agent',
             'outcome', 'detail'], 'audit event');
    assert.strictEqual(e.remote_addr, '127.0.0.1', `remote_addr of ${JSON.stringify(e)}`);
    if (ua !== undefined) {
        assert.strictEqual(e.user_agent, ua, `user_agent of ${JSON.stringify(e)}`);
    }
    return e;
}

function noEvents(events, want) {
    const found = findEvents(events, want);
    assert.strictEqual(found.length, 0, `expected no audit event like ${JSON.stringify(want)}, ` +
                       `found:\n    ${fmtEvents(found)}`);
}

module.exports = { assert, RE, fakeSid, status, ok, error, unauthorized, keys, account, key2010, page2010,
                   findEvents, auditOne, noEvents, where };
