'use strict';
/*
 * logging -- the request log on stderr (one line per request: time, method, path without the
 * query string, status, duration, credential SID) and the canaries: no secret ever appears in
 * the server's output, the audit list, or a response where it does not belong.
 */
const fs = require('fs');
const path = require('path');
const { assert, ok, error, unauthorized } = require('./lib/check');

const LINE = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z) ([A-Z]+) (\S+) (\d{3}) (\d+(?:\.\d+)?)ms (\S+)$/;
const ACCOUNTS = '/2010-04-01/Accounts.json';

function parse(line) {
    const m = LINE.exec(line);
    assert.ok(m, `log line does not match "<ISO time> METHOD PATH STATUS DURATIONms SID": ${JSON.stringify(line)}`);
    return { time: m[1], method: m[2], path: m[3], status: Number(m[4]), ms: Number(m[5]), sid: m[6] };
}

/*
 * Sends the requests one by one, waiting for each one's log line before the next (lines are
 * written after the response, by whichever thread served it, so only this keeps them in
 * request order); returns the lines, exactly one per request.
 */
async function logged(c, requests) {
    await c.g.settleLog();
    const from = c.g.logLines.length;
    const results = [];
    const lines = [];
    for (const r of requests) {
        const before = c.g.logLines.length;
        results.push(await r());
        await c.g.settleLog();
        const fresh = c.g.logLines.slice(before);
        assert.strictEqual(fresh.length, 1, `one request, ${fresh.length} log lines:\n${fresh.join('\n')}`);
        lines.push(parse(fresh[0]));
    }
    return { lines, results, from };
}

module.exports = (t) => {
    t.test('one line per request: ISO time, method, path without query, status, duration, credential SID', { fresh: true }, async (c) => {
        const sub = await c.createSub('logged-sub');
        const key = await c.createKey2010(c.root.sid);
        const std = await c.createKeyV1(c.root.sid, {});
        const t0 = Date.now();
        const expect = [
            ['GET', ACCOUNTS, 200, c.root.sid, () => c.get(`${ACCOUNTS}?PageSize=2&FriendlyName=secret-filter`)],
            ['POST', ACCOUNTS, 201, c.root.sid, () => c.post(ACCOUNTS, { FriendlyName: 'via-log' })],
            ['GET', `/2010-04-01/Accounts/${sub.sid}.json`, 200, sub.sid, () => c.get(`/2010-04-01/Accounts/${sub.sid}.json`, { auth: sub })],
            ['GET', `/2010-04-01/Accounts/${c.root.sid}/Keys.json`, 200, c.mainKey.sid,
             () => c.get(`/2010-04-01/Accounts/${c.root.sid}/Keys.json`, { auth: c.mainKey })],
            ['GET', '/v1/Keys', 200, c.root.sid, () => c.get('/v1/Keys', { query: { AccountSid: c.root.sid } })],
            ['DELETE', `/2010-04-01/Accounts/${c.root.sid}/Keys/${key.sid}.json`, 204, c.root.sid,
             () => c.del(`/2010-04-01/Accounts/${c.root.sid}/Keys/${key.sid}.json`)],
            ['GET', ACCOUNTS, 403, std.sid, () => c.get(ACCOUNTS, { auth: std })],
            ['GET', '/v1/Health', 200, '-', () => c.get('/v1/Health', { auth: null })],
            ['GET', ACCOUNTS, 401, '-', () => c.get(ACCOUNTS, { auth: null })],
            ['GET', ACCOUNTS, 401, '-', () => c.get(ACCOUNTS, { auth: { user: c.root.sid, pass: 'nope' } })],
            ['GET', '/nowhere', 404, '-', () => c.get('/nowhere?q=1')],
            ['PATCH', '/v1/Health', 405, '-', () => c.req('PATCH', '/v1/Health', { auth: null })],
            ['POST', ACCOUNTS, 400, null, () => c.req('POST', ACCOUNTS, { body: 'FriendlyName=%ZZ', contentType: 'application/x-www-form-urlencoded' })],
            ['POST', ACCOUNTS, 415, null, () => c.req('POST', ACCOUNTS, { body: '{}', contentType: 'application/json' })],
            ['POST', ACCOUNTS, 413, null, () => c.req('POST', ACCOUNTS, { body: 'a'.repeat(70000), contentType: 'application/x-www-form-urlencoded' })],
            ['GET', ACCOUNTS, 431, null, () => c.get(ACCOUNTS, { headers: { 'X-Pad': 'h'.repeat(17000) } })],
        ];
        const { lines, results, from } = await logged(c, expect.map((e) => e[4]));
        const t1 = Date.now();
        expect.forEach(([method, p, status, sid], i) => {
            const l = lines[i];
            assert.strictEqual(results[i].status, status, `request ${i} (${method} ${p}) answered ${results[i].status}`);
            assert.strictEqual(l.method, method, `line ${i}`);
            assert.strictEqual(l.path, p, `line ${i} path`);
            assert.strictEqual(l.status, status, `line ${i} status`);
            if (sid !== null) {
                assert.strictEqual(l.sid, sid, `line ${i} credential SID`);
            } else {
                assert.match(l.sid, /^(-|AC[0-9a-f]{32}|SK[0-9a-f]{32})$/, `line ${i} credential SID`);
            }
            assert.ok(l.ms >= 0 && l.ms < 60000, `line ${i} duration ${l.ms}`);
            const when = Date.parse(l.time);
            assert.ok(when >= t0 - 1000 && when <= t1 + 1000, `line ${i} time ${l.time} outside the test window`);
        });
        /* nothing else was logged: the next line is the next request */
        ok(await c.get('/v1/Health', { auth: null }));
        await c.g.waitForLogCount(expect.length + 1, { from });
        const all = c.g.logLines.slice(from);
        assert.strictEqual(all.length, expect.length + 1, `extra log lines:\n${all.join('\n')}`);
        assert.strictEqual(parse(all[all.length - 1]).path, '/v1/Health');
    });

    t.test('exactly one log line per request, also under concurrency', { fresh: true }, async (c) => {
        await c.g.settleLog();
        const from = c.g.logLines.length;
        const n = 40;
        const res = await Promise.all([...Array(n)].map((_, i) =>
            (i % 3 === 0 ? c.get(ACCOUNTS, { auth: null }) : i % 3 === 1 ? c.get('/v1/Health', { auth: null })
                : c.post(ACCOUNTS, { FriendlyName: `conc-${i}` }))));
        await c.g.waitForLogCount(n, { from });
        /* a last marker request proves no late extra line is pending before it */
        const marker = `/v1/Health`;
        ok(await c.get(marker, { auth: null }));
        await c.g.waitForLogCount(n + 1, { from });
        const lines = c.g.logLines.slice(from).map(parse);
        assert.strictEqual(lines.length, n + 1, `${lines.length} lines for ${n + 1} requests`);
        const count = (st) => lines.filter((l) => l.status === st).length;
        assert.strictEqual(count(401), res.filter((r) => r.status === 401).length);
        assert.strictEqual(count(201), res.filter((r) => r.status === 201).length);
        assert.strictEqual(count(200), res.filter((r) => r.status === 200).length + 1);
    });

    t.test('request paths cannot forge log lines (%0A/%0D stay encoded, one line per request)', { fresh: true }, async (c) => {
        const forged = `/2010-04-01/Accounts/%0A2026-01-01T00:00:00.000Z%20GET%20/forged%20200%201ms%20${c.root.sid}%0D.json`;
        const { lines } = await logged(c, [() => c.get(forged), () => c.get('/v1/Health', { auth: null })]);
        assert.strictEqual(lines[0].status, 404);
        assert.ok(!lines[0].path.includes('\n') && !lines[0].path.includes('\r'));
        assert.strictEqual(lines[1].path, '/v1/Health', 'the next line is the next request');
        assert.ok(!c.g.logLines.some((l) => l.includes('GET /forged 200')), 'a forged line appeared');
    });

    t.test('an over-long request target is logged as one line with status 414', { fresh: true }, async (c) => {
        const { lines } = await logged(c, [() => c.get(`${ACCOUNTS}?Pad=${'q'.repeat(9000)}`)]);
        assert.strictEqual(lines[0].status, 414);
        assert.ok(lines[0].path === ACCOUNTS || lines[0].path === '-', `path logged as ${lines[0].path.slice(0, 80)}`);
        assert.ok(!lines[0].path.includes('qqqq'), 'the query string was logged');
        if (lines[0].path === '-') {
            c.diag('a 414 is logged with path "-"');
        }
    });

    t.test('audit list: well-formed events, seq consecutive from 1, time non-decreasing, chain verifies', { fresh: true }, async (c) => {
        const t0 = Date.now();
        const sub = await c.createSub('audited');
        ok(await c.post(`/2010-04-01/Accounts/${sub.sid}.json`, { FriendlyName: 'audited-2' }));
        const k = await c.createKey2010(sub.sid);
        ok(await c.post(`/2010-04-01/Accounts/${sub.sid}/Keys/${k.sid}.json`, { FriendlyName: 'k2' }));
        assert.strictEqual((await c.del(`/2010-04-01/Accounts/${sub.sid}/Keys/${k.sid}.json`)).status, 204);
        ok(await c.post('/v1/AuthTokens/Secondary', {}), 201);
        assert.strictEqual((await c.del('/v1/AuthTokens/Secondary')).status, 204);
        unauthorized(await c.get(ACCOUNTS, { auth: { user: sub.sid, pass: 'bad' } }));
        const ev = await c.audit();
        ev.forEach((e, i) => {
            assert.deepStrictEqual(Object.keys(e).sort(), ['action', 'actor', 'detail', 'outcome', 'remote_addr', 'seq',
                                                           'target', 'time_ms', 'user_agent']);
            assert.strictEqual(e.seq, i + 1, 'seq is consecutive from 1');
            assert.ok(Number.isInteger(e.time_ms));
            if (i > 0) {
                assert.ok(e.time_ms >= ev[i - 1].time_ms, `time goes back at seq ${e.seq}`);
            }
            assert.ok(['success', 'failure'].includes(e.outcome), e.outcome);
        });
        /* the init-time events are the operator's; the API events carry the request origin */
        assert.strictEqual(ev[0].actor, 'operator');
        const api = ev.filter((e) => e.time_ms >= t0 - 1000 && e.actor !== 'operator');
        assert.deepStrictEqual(api.map((e) => e.action),
                               ['account.create', 'account.update', 'key.create', 'key.update', 'key.delete',
                                'auth_token.secondary.create', 'auth_token.secondary.delete', 'auth.failure']);
        api.forEach((e) => {
            assert.strictEqual(e.remote_addr, '127.0.0.1');
            assert.strictEqual(e.user_agent, c.ua);
        });
        assert.deepStrictEqual(api.map((e) => e.target), [sub.sid, sub.sid, k.sid, k.sid, k.sid, c.root.sid, c.root.sid, sub.sid]);
        assert.deepStrictEqual(api.map((e) => e.outcome), [...Array(7).fill('success'), 'failure']);
        const after = await c.audit(ev[3].seq);
        assert.deepStrictEqual(after.map((e) => e.seq), ev.slice(4).map((e) => e.seq), '--after SEQ');
        const v = await c.g.auditVerify();
        assert.strictEqual(v.code, 0, `audit verify: ${v.stdout}${v.stderr}`);
    });

    t.test('audit: a long User-Agent with control-like content is kept or cut, never breaks the JSON lines', { fresh: true }, async (c) => {
        const ua = `evil-agent "quoted" \\ backslash {"json":1} ${'u'.repeat(3000)}`;
        const mark = await c.auditMark();
        ok(await c.post(ACCOUNTS, { FriendlyName: 'ua-test' }, { ua }), 201);
        const ev = await c.audit(mark); /* parses every line as JSON */
        assert.strictEqual(ev.length, 1);
        assert.ok(ua.startsWith(ev[0].user_agent), `user_agent is a prefix of the sent one: ${ev[0].user_agent.slice(0, 60)}`);
        assert.ok(ev[0].user_agent.length >= 40, 'user_agent kept');
        const v = await c.g.auditVerify();
        assert.strictEqual(v.code, 0);
    });

    t.test('canaries: no secret appears in server stdout/stderr, the audit list, or the data folder', { fresh: true, timeout: 60000 }, async (c) => {
        const canaries = new Map();
        const plant = (what, value) => { canaries.set(what, value); };
        plant('main auth token', c.root.token);
        plant('main key secret', c.mainKey.secret);
        const sub = await c.createSub('canary-sub');
        plant('subaccount auth token', sub.token);
        plant('2010 key secret', (await c.createKey2010(c.root.sid, { friendlyName: 'canary key' })).secret);
        plant('signing key secret', (await c.createKey2010(c.root.sid, { family: 'SigningKeys' })).secret);
        plant('v1 standard key secret', (await c.createKeyV1(c.root.sid, {})).secret);
        const rk = await c.createKeyV1(c.root.sid, { KeyType: 'restricted', Policy: JSON.stringify({ allow: ['/twilio/messaging/messages/read'] }) });
        plant('restricted key secret', rk.secret);
        const subSec = ok(await c.post('/v1/AuthTokens/Secondary', {}, { auth: sub }), 201);
        plant('secondary token (deleted later)', subSec.secondary_auth_token);
        const sec = ok(await c.post('/v1/AuthTokens/Secondary', {}), 201);
        plant('secondary token (promoted)', sec.secondary_auth_token);
        /* exercise every credential, successful and failed */
        const failedPassword = 'CanaryPassw0rd-7f3e91c2d4';
        plant('password of a failed Basic auth', failedPassword);
        plant('password of a failed Basic auth for a key', `${failedPassword}-key`);
        plant('password of a failed Basic auth for an unknown SID', `${failedPassword}-ghost`);
        plant('malformed header payload', `${failedPassword}-nocolon`);
        unauthorized(await c.get(ACCOUNTS, { auth: { user: c.root.sid, pass: failedPassword } }));
        unauthorized(await c.get(ACCOUNTS, { auth: { user: c.mainKey.sid, pass: `${failedPassword}-key` } }));
        unauthorized(await c.get(ACCOUNTS, { auth: { user: `AC${'9'.repeat(32)}`, pass: `${failedPassword}-ghost` } }));
        unauthorized(await c.get(ACCOUNTS, { auth: `Basic ${Buffer.from(`${failedPassword}-nocolon`).toString('base64')}` }));
        ok(await c.get(ACCOUNTS, { auth: { user: c.root.sid, pass: sec.secondary_auth_token } }));
        error(await c.get(ACCOUNTS, { auth: rk }), 403, 70051);
        ok(await c.get(`/2010-04-01/Accounts/${c.root.sid}/Keys.json`, { auth: c.mainKey }));
        /* a secret in a query string must not reach the log either */
        ok(await c.get(`${ACCOUNTS}?Leak=${c.root.token}`));
        assert.strictEqual((await c.del('/v1/AuthTokens/Secondary', { auth: sub })).status, 204);
        const p = ok(await c.post('/v1/AuthTokens/Promote', {}, { auth: c.mainKey }), 200);
        plant('promoted primary', p.auth_token);
        /* the request log must have caught up with every request before looking */
        const from = c.g.logLines.length;
        ok(await c.get('/v1/Health', { auth: null, query: { marker: 'canary-end' } }));
        await c.g.waitForLog((l) => / \/v1\/Health 200 /.test(l), { from });

        const audit = await c.audit();
        const verify = await c.g.auditVerify();
        assert.strictEqual(verify.code, 0, `audit verify: ${verify.stdout}${verify.stderr}`);
        await c.g.stop(); /* flush everything; the stop itself must not print secrets either */
        const places = {
            'server stderr': c.g.stderr,
            'server stdout': c.g.stdout,
            'audit list output': audit.raw,
            'audit verify output': verify.stdout + verify.stderr,
        };
        for (const f of fs.readdirSync(c.data)) {
            places[`data folder file ${f}`] = fs.readFileSync(path.join(c.data, f)).toString('latin1');
        }
        /* a store outside the data folder (PostgreSQL): its dump and its server log */
        Object.assign(places, await c.g.storeAtRest());
        const leaks = [];
        for (const [where, text] of Object.entries(places)) {
            for (const [what, value] of canaries) {
                /* hex: how a dump shows bytes (bytea) */
                const forms = [value, Buffer.from(value).toString('base64'),
                               Buffer.from(`${c.root.sid}:${value}`).toString('base64'),
                               Buffer.from(value).toString('hex')];
                if (forms.some((f) => text.includes(f))) {
                    leaks.push(`${what} in ${where}`);
                }
            }
        }
        assert.deepStrictEqual(leaks, [], 'secrets leaked');
        assert.ok(audit.some((e) => e.action === 'auth.failure'), 'the failures were audited (so the check above saw them)');
    });

    t.test('canaries: secrets appear only in the response that creates them', { fresh: true }, async (c) => {
        const k = await c.createKey2010(c.root.sid);
        const v1 = await c.createKeyV1(c.root.sid, {});
        const sec = ok(await c.post('/v1/AuthTokens/Secondary', {}), 201);
        const bodies = [];
        for (const r of [
            () => c.get(`/2010-04-01/Accounts/${c.root.sid}/Keys.json`),
            () => c.get(`/2010-04-01/Accounts/${c.root.sid}/Keys/${k.sid}.json`),
            () => c.post(`/2010-04-01/Accounts/${c.root.sid}/Keys/${k.sid}.json`, { FriendlyName: 'renamed' }),
            () => c.get('/v1/Keys', { query: { AccountSid: c.root.sid } }),
            () => c.get(`/v1/Keys/${v1.sid}`),
            () => c.get(ACCOUNTS),
            () => c.post('/v1/AuthTokens/Secondary', {}), /* 409 */
            () => c.get(ACCOUNTS, { auth: { user: c.root.sid, pass: 'wrong' } }),
        ]) {
            const res = await r();
            bodies.push(res.text + JSON.stringify([...res.headers]));
        }
        for (const [what, secret] of [['2010 key secret', k.secret], ['v1 key secret', v1.secret],
                                       ['secondary token', sec.secondary_auth_token]]) {
            assert.ok(!bodies.some((b) => b.includes(secret)), `${what} shown again after creation`);
        }
    });
};
