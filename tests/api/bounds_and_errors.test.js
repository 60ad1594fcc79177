'use strict';
/*
 * bounds_and_errors -- request limits (413 body, 414 URI, 431 headers, parameter count),
 * content types (415), routing (404, 405 + Allow), malformed form encoding (400), and that
 * no refused request changes anything.
 */
const { assert, ok, error, account } = require('./lib/check');

const ACCOUNTS = '/2010-04-01/Accounts.json';
const KiB = 1024;
const FORM = 'application/x-www-form-urlencoded';

/* A form body of exactly n bytes: FriendlyName=<name>&Pad=aaaa... */
function formOfSize(n, name) {
    const head = `FriendlyName=${name}&Pad=`;
    assert.ok(n > head.length);
    return head + 'a'.repeat(n - head.length);
}

/* Everything the refused requests could have changed. */
async function snapshot(c) {
    const accounts = ok(await c.get(ACCOUNTS, { query: { PageSize: 1000 } })).accounts;
    const keys = ok(await c.get(`/2010-04-01/Accounts/${c.root.sid}/Keys.json`, { query: { PageSize: 1000 } })).keys;
    const events = (await c.audit()).filter((e) => e.action !== 'auth.failure');
    return JSON.stringify({ accounts, keys, events: events.map((e) => [e.seq, e.action, e.target]) });
}

module.exports = (t) => {
    t.test('body of exactly 64 KiB accepted; 64 KiB + 1 -> 413 JSON error, nothing created', async (c) => {
        account(ok(await c.req('POST', ACCOUNTS, { body: formOfSize(64 * KiB, 'at-limit'), contentType: FORM }), 201),
                { friendlyName: 'at-limit' });
        const before = await snapshot(c);
        error(await c.req('POST', ACCOUNTS, { body: formOfSize(64 * KiB + 1, 'over-limit'), contentType: FORM }), 413);
        error(await c.req('POST', ACCOUNTS, { body: formOfSize(200 * KiB, 'way-over'), contentType: FORM }), 413);
        /* far beyond the limit the server may close the connection instead of reading it all */
        try {
            error(await c.req('POST', ACCOUNTS, { body: formOfSize(4096 * KiB, 'huge'), contentType: FORM }), 413);
        } catch (e) {
            assert.ok(e instanceof TypeError, `4 MiB body: ${e.message}`); /* fetch failed: connection closed */
        }
        assert.strictEqual(await snapshot(c), before, 'a 413 request changed state');
        ok(await c.get('/v1/Health', { auth: null }), 200, 'server healthy after 413');
    });

    t.test('chunked upload (no Content-Length): small accepted, over 64 KiB -> 413', async (c) => {
        const chunked = (text) => {
            const buf = Buffer.from(text);
            return new ReadableStream({
                start(ctrl) {
                    for (let i = 0; i < buf.length; i += 8 * KiB) {
                        ctrl.enqueue(buf.subarray(i, i + 8 * KiB));
                    }
                    ctrl.close();
                },
            });
        };
        const send = async (text) => {
            const r = await fetch(c.url + ACCOUNTS, {
                method: 'POST', duplex: 'half', body: chunked(text),
                headers: { Authorization: `Basic ${Buffer.from(`${c.root.sid}:${c.root.token}`).toString('base64')}`,
                           'Content-Type': FORM, 'User-Agent': c.ua },
            });
            const body = await r.text();
            return { status: r.status, headers: r.headers, text: body, json: body ? JSON.parse(body) : undefined,
                     method: 'POST', target: `${ACCOUNTS} (chunked ${text.length} bytes)` };
        };
        account(ok(await send('FriendlyName=chunked-small'), 201), { friendlyName: 'chunked-small' });
        const before = await snapshot(c);
        error(await send(formOfSize(64 * KiB + 1, 'chunked-big')), 413);
        assert.strictEqual(await snapshot(c), before);
    });

    t.test('request target over 8 KiB -> 414 JSON error; a long one under the limit is served', async (c) => {
        ok(await c.get(`${ACCOUNTS}?Pad=${'b'.repeat(7 * KiB)}`), 200, '7 KiB target');
        error(await c.get(`${ACCOUNTS}?Pad=${'b'.repeat(8 * KiB + 1)}`), 414, undefined, 'query over 8 KiB');
        error(await c.get(`/2010-04-01/Accounts/${'A'.repeat(9 * KiB)}.json`), 414, undefined, 'path over 8 KiB');
        const before = await snapshot(c);
        error(await c.post(`${ACCOUNTS}?Pad=${'c'.repeat(16 * KiB)}`, { FriendlyName: 'long-uri' }), 414);
        assert.strictEqual(await snapshot(c), before);
    });

    t.test('request headers over 16 KiB -> 431 JSON error; 12 KiB of headers is served', async (c) => {
        ok(await c.get(ACCOUNTS, { headers: { 'X-Pad': 'd'.repeat(12 * KiB) } }), 200, '12 KiB header');
        error(await c.get(ACCOUNTS, { headers: { 'X-Pad': 'd'.repeat(17 * KiB) } }), 431, undefined, 'one big header');
        const many = {};
        for (let i = 0; i < 40; i++) {
            many[`X-Pad-${i}`] = 'e'.repeat(512);
        }
        error(await c.get(ACCOUNTS, { headers: many }), 431, undefined, 'many headers, 20 KiB in all');
        const before = await snapshot(c);
        error(await c.post(ACCOUNTS, { FriendlyName: 'big-headers' }, { headers: { 'X-Pad': 'f'.repeat(20 * KiB) } }), 431);
        assert.strictEqual(await snapshot(c), before);
    });

    t.test('POST with a body and a wrong or missing Content-Type -> 415, nothing created', async (c) => {
        const before = await snapshot(c);
        const cases = {
            'application/json': ['application/json', JSON.stringify({ FriendlyName: 'json' })],
            'text/plain': ['text/plain', 'FriendlyName=text'],
            'multipart/form-data': ['multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="FriendlyName"\r\n\r\nmp\r\n--x--\r\n'],
            'no Content-Type': [null, 'FriendlyName=none'],
            'form type as a prefix of another': ['application/x-www-form-urlencodedx', 'FriendlyName=prefix'],
        };
        for (const [what, [ct, body]] of Object.entries(cases)) {
            error(await c.req('POST', ACCOUNTS, { body, contentType: ct }), 415, undefined, what);
        }
        error(await c.req('POST', `/2010-04-01/Accounts/${c.root.sid}/Keys.json`,
                          { body: '{}', contentType: 'application/json' }), 415, undefined, 'keys, JSON');
        error(await c.req('POST', '/v1/Keys', { body: '{}', contentType: 'application/json' }), 415, undefined, 'v1 keys, JSON');
        assert.strictEqual(await snapshot(c), before);
    });

    t.test('form Content-Type with parameters or in another case is accepted', async (c) => {
        account(ok(await c.req('POST', ACCOUNTS, { body: 'FriendlyName=charset', contentType: `${FORM}; charset=utf-8` }), 201),
                { friendlyName: 'charset' });
        account(ok(await c.req('POST', ACCOUNTS, { body: 'FriendlyName=upper', contentType: 'Application/X-WWW-Form-URLencoded' }), 201),
                { friendlyName: 'upper' });
    });

    t.test('unknown paths -> 404 20404 JSON', async (c) => {
        const paths = ['/', '/2010-04-01', '/2010-04-01/Nope.json', '/2010-04-01/Accounts', '/2010-04-01/accounts.json',
                       '/v1/keys', '/v2/Keys', `/v1/Keys/${c.mainKey.sid}/Extra`, `/2010-04-01/Accounts/${c.root.sid}/Calls.json`,
                       '/v1/Health/', `/2010-04-01/Accounts/${c.root.sid}.xml`, '/v1/AuthTokens', '/favicon.ico'];
        for (const p of paths) {
            error(await c.get(p), 404, 20404, p);
        }
        error(await c.post('/2010-04-01/Nope.json', { FriendlyName: 'x' }), 404, 20404, 'POST unknown');
    });

    t.test('percent-encoded path tricks (%00, %2F, %2E, //) name no resource -> 404', async (c) => {
        const paths = ['/v1/Health%00', '/v1/Health%00.json', '/2010-04-01/Accounts.json%00',
                       `/2010-04-01/Accounts%2F${c.root.sid}.json`, `/2010-04-01/Accounts/${c.root.sid}%2Ejson`,
                       '/v1//Health', `/2010-04-01/Accounts/${c.root.sid}/Keys/${c.mainKey.sid}%00.json`,
                       `/v1/Keys/${c.mainKey.sid}%2F..`, `/2010-04-01/Accounts/${c.root.sid}%00.json`];
        for (const p of paths) {
            error(await c.get(p), 404, 20404, p);
        }
        error(await c.del(`/v1/Keys/${c.mainKey.sid}%00`), 404, 20404);
        ok(await c.get(`/v1/Keys/${c.mainKey.sid}`), 200, 'the main key is still there');
    });

    t.test('wrong method on a known path -> 405 with an Allow header listing the methods', { fresh: true }, async (c) => {
        const allowSet = (res) => (res.headers.get('allow') || '').split(',').map((s) => s.trim()).filter(Boolean).sort();
        const cases = [
            ['DELETE', ACCOUNTS, ['GET', 'POST']],
            ['PUT', ACCOUNTS, ['GET', 'POST']],
            ['DELETE', `/2010-04-01/Accounts/${c.root.sid}.json`, ['GET', 'POST']],
            ['PATCH', `/2010-04-01/Accounts/${c.root.sid}.json`, ['GET', 'POST']],
            ['DELETE', `/2010-04-01/Accounts/${c.root.sid}/Keys.json`, ['GET', 'POST']],
            ['PUT', `/2010-04-01/Accounts/${c.root.sid}/Keys/${c.mainKey.sid}.json`, ['DELETE', 'GET', 'POST']],
            ['DELETE', '/v1/Keys', ['GET', 'POST']],
            ['PUT', `/v1/Keys/${c.mainKey.sid}`, ['DELETE', 'GET', 'POST']],
            ['GET', '/v1/AuthTokens/Secondary', ['DELETE', 'POST']],
            ['GET', '/v1/AuthTokens/Promote', ['POST']],
            ['POST', '/v1/Health', ['GET']],
        ];
        for (const [m, p, allow] of cases) {
            const res = await c.req(m, p, { form: m === 'GET' || m === 'DELETE' ? undefined : {} });
            error(res, 405, undefined, `${m} ${p}`);
            assert.deepStrictEqual(allowSet(res), allow, `Allow for ${m} ${p}: ${res.headers.get('allow')}`);
        }
        ok(await c.get(`/2010-04-01/Accounts/${c.root.sid}/Keys/${c.mainKey.sid}.json`), 200, 'main key survived');
    });

    t.test('malformed form encoding in the body -> 400, nothing created', async (c) => {
        const before = await snapshot(c);
        const bodies = {
            'invalid escape %ZZ': 'FriendlyName=%ZZ',
            'lone percent': 'FriendlyName=abc%',
            'truncated escape %4': 'FriendlyName=%4',
            'invalid UTF-8 %FF': 'FriendlyName=%FF',
            'truncated UTF-8 sequence': 'FriendlyName=%C3',
            'overlong UTF-8 encoding': 'FriendlyName=%C0%AF',
            'UTF-16 surrogate in UTF-8': 'FriendlyName=%ED%A0%80',
            'code point above U+10FFFF': 'FriendlyName=%F4%90%80%80',
            'bad escape in the name': 'Friendly%ZZName=x',
        };
        const failures = [];
        for (const [what, body] of Object.entries(bodies)) {
            const res = await c.req('POST', ACCOUNTS, { body, contentType: FORM });
            try {
                error(res, 400, undefined, what);
            } catch (e) {
                failures.push(`${what} (${body}) -> ${res.status} ${res.text.slice(0, 150)}`);
            }
        }
        const raw = await c.req('POST', ACCOUNTS, { body: Buffer.from([0x46, 0x72, 0x69, 0x65, 0x6e, 0x64, 0x6c, 0x79, 0x4e, 0x61, 0x6d, 0x65, 0x3d, 0xff, 0xfe]), contentType: FORM });
        if (raw.status !== 400) {
            failures.push(`raw 0xFF 0xFE bytes in the body -> ${raw.status} ${raw.text.slice(0, 150)}`);
        }
        assert.deepStrictEqual(failures, [], 'malformed bodies not refused');
        assert.strictEqual(await snapshot(c), before);
    });

    t.test('malformed encoding in the query string -> 400', async (c) => {
        for (const q of ['FriendlyName=%ZZ', 'FriendlyName=%FF', 'Status=%', 'PageSize=%3', 'FriendlyName=%C3%28']) {
            error(await c.get(`${ACCOUNTS}?${q}`), 400, undefined, q);
        }
    });

    t.test('an embedded NUL (%00) is refused or kept exactly, never truncates', async (c) => {
        const res = await c.req('POST', ACCOUNTS, { body: 'FriendlyName=ab%00cd', contentType: FORM });
        if (res.status === 201) {
            assert.strictEqual(res.json.friendly_name, 'ab\u0000cd', `stored as ${JSON.stringify(res.json.friendly_name)}`);
        } else {
            error(res, 400);
        }
        const k = await c.req('POST', `/2010-04-01/Accounts/${c.root.sid}/Keys.json`, { body: 'FriendlyName=k%00ey', contentType: FORM });
        if (k.status === 201) {
            assert.strictEqual(k.json.friendly_name, 'k\u0000ey', `stored as ${JSON.stringify(k.json.friendly_name)}`);
        } else {
            error(k, 400);
        }
    });

    t.test('64 parameters accepted; 65 or a huge number -> 400, nothing created', async (c) => {
        const params = (n) => [['FriendlyName', `params-${n}`], ...[...Array(n - 1)].map((_, i) => [`P${i}`, 'v'])];
        account(ok(await c.post(ACCOUNTS, params(64)), 201), { friendlyName: 'params-64' });
        const before = await snapshot(c);
        error(await c.post(ACCOUNTS, params(65)), 400, undefined, '65 parameters');
        error(await c.post(ACCOUNTS, params(5000)), 400, undefined, '5000 parameters');
        error(await c.req('POST', ACCOUNTS, { body: `FriendlyName=bare&${[...Array(3000)].map((_, i) => `N${i}`).join('&')}`,
                                              contentType: FORM }), 400, undefined, '3000 names without values');
        /* empty pairs ("&&") are not parameters */
        account(ok(await c.req('POST', ACCOUNTS, { body: `FriendlyName=amp${'&'.repeat(3000)}`, contentType: FORM }), 201),
                { friendlyName: 'amp' });
        error(await c.get(ACCOUNTS, { query: params(65) }), 400, undefined, '65 query parameters');
        const after = JSON.parse(await snapshot(c));
        const b = JSON.parse(before);
        assert.strictEqual(after.accounts.length, b.accounts.length + 1, 'only the "amp" account was added');
    });

    t.test('query and body parameters together count against the limit', async (c) => {
        const before = await snapshot(c);
        const q = [...Array(40)].map((_, i) => `Q${i}=1`).join('&');
        const form = [['FriendlyName', 'split-params'], ...[...Array(30)].map((_, i) => [`B${i}`, '1'])];
        const res = await c.post(`${ACCOUNTS}?${q}`, form);
        error(res, 400, undefined, '40 query + 31 body parameters');
        assert.strictEqual(await snapshot(c), before);
    });

    t.test('an error response on a keep-alive connection does not disturb the next request', async (c) => {
        error(await c.req('POST', ACCOUNTS, { body: 'FriendlyName=%ZZ', contentType: FORM }), 400);
        error(await c.req('POST', ACCOUNTS, { body: formOfSize(64 * KiB + 10, 'x'), contentType: FORM }), 413);
        error(await c.get(ACCOUNTS, { headers: { 'X-Pad': 'g'.repeat(17 * KiB) } }), 431);
        account(ok(await c.post(ACCOUNTS, { FriendlyName: 'after-errors' }), 201), { friendlyName: 'after-errors' });
        ok(await c.get('/v1/Health', { auth: null }));
    });

    t.test('a refused request of every kind changed nothing, and the audit chain verifies', { fresh: true }, async (c) => {
        const sub = await c.createSub('stable-sub');
        const before = await snapshot(c);
        const attempts = [
            () => c.post(ACCOUNTS, { FriendlyName: 'x'.repeat(65) }),
            () => c.post(ACCOUNTS, [['FriendlyName', 'a'], ['FriendlyName', 'b']]),
            () => c.post(`/2010-04-01/Accounts/${sub.sid}.json`, { Status: 'frozen' }),
            () => c.post(`/2010-04-01/Accounts/${sub.sid}.json`, { FriendlyName: 'hijack' }, { auth: { user: sub.sid, pass: 'bad' } }),
            () => c.post(ACCOUNTS, {}, { auth: sub }),
            () => c.req('POST', ACCOUNTS, { body: 'FriendlyName=%FF', contentType: FORM }),
            () => c.req('POST', ACCOUNTS, { body: 'FriendlyName=j', contentType: 'application/json' }),
            () => c.req('POST', ACCOUNTS, { body: formOfSize(70 * KiB, 'big'), contentType: FORM }),
            () => c.post('/v1/Keys', { AccountSid: c.root.sid, KeyType: 'restricted', Policy: '{"allow":[]}' }),
            () => c.post('/v1/Keys', { AccountSid: sub.sid }),
            () => c.req('DELETE', ACCOUNTS),
            () => c.get(`${ACCOUNTS}?PageToken=PAjunk&Page=1`),
        ];
        for (const a of attempts) {
            const res = await a();
            assert.ok(res.status >= 400, `expected a refusal: ${res.method} ${res.target} -> ${res.status}`);
        }
        assert.strictEqual(await snapshot(c), before, 'state changed');
        assert.strictEqual(ok(await c.get(`/2010-04-01/Accounts/${sub.sid}.json`)).friendly_name, 'stable-sub');
        const v = await c.g.auditVerify();
        assert.strictEqual(v.code, 0, `audit verify: ${v.stdout}${v.stderr}`);
    });
};
