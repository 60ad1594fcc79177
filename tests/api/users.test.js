'use strict';
/*
 * users -- human users, passphrases and sessions over HTTP: the owner made by init logs in
 * (POST /v1/Sessions) and uses its bearer token; users are created by the main account or its
 * owner; every login refusal is the same 401; failures lock the user and, in bulk, the address
 * (429 + Retry-After); sessions list, log out and revoke the others; a passphrase change keeps a
 * history and ends the other sessions; the public passphrase check explains its verdict.
 */
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const { assert, RE, ok, error, unauthorized, findEvents, auditOne, where } = require('./lib/check');

const SESSION_TOKEN = /^SE[0-9a-f]{32}\.[0-9a-f]{64}$/;
const US = /^US[0-9a-f]{32}$/;
const SE = /^SE[0-9a-f]{32}$/;
const GOOD = 'quiet otter juggles seven lanterns';
const BETTER = 'amber violin drifts past the lighthouse';

const bearer = (token) => `Bearer ${token}`;

async function login(c, email, passphrase) {
    return c.post('/v1/Sessions', { Email: email, Passphrase: passphrase }, { auth: null });
}

/* Logs in; returns {sid, token, auth, json}. */
async function session(c, email, passphrase) {
    const s = ok(await login(c, email, passphrase), 201, `login as ${email}`);
    assert.match(s.token, SESSION_TOKEN);
    assert.strictEqual(s.token.slice(0, 34), s.sid);
    return { sid: s.sid, token: s.token, auth: bearer(s.token), json: s };
}

let seq = 0;
/* A new user on the main account (as the main account's auth token); returns its JSON + email. */
async function createUser(c, role = 'developer', passphrase = GOOD) {
    const email = `user${++seq}-${process.pid}@example.com`;
    const u = ok(await c.post('/v1/Users', { Email: email, Name: `User ${seq}`, Passphrase: passphrase,
                                             Role: role }), 201, 'POST /v1/Users');
    return { ...u, passphrase };
}

/* A 400 refusal of a passphrase: Twilio's error keys plus details (the policy's report). */
function refused(res, reason) {
    assert.strictEqual(res.status, 400, `expected 400, got ${where(res)}`);
    const b = res.json;
    assert.deepStrictEqual(Object.keys(b).sort(), ['code', 'details', 'message', 'more_info', 'status']);
    assert.strictEqual(b.code, 20001);
    const r = report(b.details);
    assert.strictEqual(r.verdict, 'reject');
    assert.ok(r.reasons.includes(reason), `reasons ${JSON.stringify(r.reasons)} lack ${reason}`);
    return r;
}

/* The policy's report: the same body as `gatehouse passphrase explain --json`. */
function report(r) {
    assert.deepStrictEqual(Object.keys(r), ['verdict', 'reasons', 'reason_messages', 'message', 'length',
                                            'min_length', 'pool', 'pool_size', 'keyspace', 'keyspace_log10',
                                            'guesses_log10', 'estimator', 'breach_checked', 'crack_times']);
    assert.strictEqual(typeof r.breach_checked, 'boolean');
    assert.ok(['accept', 'reject'].includes(r.verdict));
    assert.strictEqual(r.reasons.length, r.reason_messages.length);
    assert.strictEqual(r.verdict === 'accept', r.reasons.length === 0);
    assert.ok(r.message.length > 0);
    assert.strictEqual(typeof r.pool_size, 'number');
    assert.ok(['zxcvbn', 'fallback', 'none'].includes(r.estimator));
    if (r.estimator === 'none') {
        assert.strictEqual(r.crack_times, null, 'no estimate, no crack times');
        return r;
    }
    assert.match(r.keyspace, /^\d+\^\d+ = /);
    for (const k of ['online', 'offline_argon2id', 'offline_fast_hash']) {
        assert.strictEqual(typeof r.crack_times[`${k}_s`], 'number');
        assert.ok(r.crack_times[k].length > 0);
    }
    return r;
}

module.exports = (t) => {
    t.test('the owner made by init logs in and reads itself with its bearer token', async (c) => {
        const owner = c.g.owner;
        assert.match(owner.sid, US);
        assert.ok(owner.passphrase.split(' ').length >= 6, 'a generated diceware passphrase');
        const mark = await c.auditMark();
        const s = await session(c, owner.email.toUpperCase(), owner.passphrase); /* case-insensitive */
        assert.strictEqual(s.json.user_sid, owner.sid);
        for (const k of ['date_created', 'date_last_seen', 'expires', 'idle_expires']) {
            assert.match(s.json[k], RE.ISO8601, k);
        }
        assert.strictEqual(s.json.status, 'active');
        const hours = (Date.parse(s.json.expires) - Date.parse(s.json.date_created)) / 3600e3;
        const minutes = (Date.parse(s.json.idle_expires) - Date.parse(s.json.date_created)) / 60e3;
        assert.ok(hours === 12 && minutes === 30, `lifetime ${hours} h, idle ${minutes} min`);
        const u = ok(await c.get(`/v1/Users/${owner.sid}`, { auth: s.auth }));
        assert.strictEqual(u.sid, owner.sid);
        assert.strictEqual(u.email, owner.email);
        assert.strictEqual(u.must_change_passphrase, false);
        assert.ok(!('passphrase' in u) && !JSON.stringify(u).includes('argon2'), 'no hash comes back');
        const list = ok(await c.get('/v1/Sessions', { auth: s.auth }));
        const me = list.sessions.find((x) => x.sid === s.sid);
        assert.ok(me && me.current === true && !('token' in me), JSON.stringify(list));
        const ev = await c.audit(mark);
        auditOne(ev, { action: 'login', actor: owner.sid, target: s.sid, outcome: 'success' }, { ua: c.ua });
        assert.ok(!ev.raw.includes(owner.passphrase) && !ev.raw.includes(s.token.slice(35)),
                  'no passphrase or token in the audit log');
    });

    t.test('every login refusal is the same 401, and a missing field is a 400', async (c) => {
        const u = await createUser(c);
        const causes = {
            'wrong passphrase': [u.email, 'not the passphrase at all'],
            'unknown e-mail': ['nobody-here@example.com', GOOD],
            'not an e-mail': ['not an address', GOOD],
            'control character': [u.email, 'bad\u0001text'],
            'empty passphrase': [u.email, ''],
        };
        let first = null;
        for (const [cause, [email, pass]] of Object.entries(causes)) {
            const res = await login(c, email, pass);
            unauthorized(res, cause);
            first = first || res.text;
            assert.strictEqual(res.text, first, `${cause}: same body`);
        }
        error(await c.post('/v1/Sessions', { Email: u.email }, { auth: null }), 400, 20001, 'no passphrase');
        error(await c.post('/v1/Sessions', { Passphrase: GOOD }, { auth: null }), 400, 20001, 'no e-mail');
        error(await c.post('/v1/Sessions', { Email: u.email, Passphrase: 'x'.repeat(1100) }, { auth: null }),
              401, 20003, 'an oversized passphrase is refused like any other');
    });

    t.test('POST /v1/Users creates a user; a refused passphrase says why; e-mails are unique', async (c) => {
        const mark = await c.auditMark();
        const u = await createUser(c, 'administrator');
        assert.match(u.sid, US);
        assert.strictEqual(u.role, 'administrator');
        assert.strictEqual(u.account_sid, c.root.sid);
        assert.match(u.date_created, RE.ISO8601);
        auditOne(await c.audit(mark), { action: 'user.create', target: u.sid, actor: c.root.sid });
        error(await c.post('/v1/Users', { Email: u.email.toUpperCase(), Name: 'Again', Passphrase: GOOD,
                                         Role: 'developer' }), 409, 20409, 'the same e-mail, other case');
        const weak = refused(await c.post('/v1/Users', { Email: 'weak@example.com', Name: 'Weak',
                                                          Passphrase: 'P@ssw0rd!2024', Role: 'developer' }),
                             'guessable');
        report(weak);
        assert.ok(weak.keyspace_log10 > weak.guesses_log10,
                  'the keyspace overstates a predictable passphrase');
        refused(await c.post('/v1/Users', { Email: 'short@example.com', Name: 'Short', Passphrase: 'tiny',
                                           Role: 'developer' }), 'too_short');
        refused(await c.post('/v1/Users', { Email: 'ctx@example.com', Name: 'Margarethe',
                                           Passphrase: 'margarethe margarethe margarethe', Role: 'developer' }),
                'context');
        error(await c.post('/v1/Users', { Email: 'x@example.com', Name: 'X', Passphrase: GOOD, Role: 'king' }),
              400, 20001, 'an unknown role');
        error(await c.post('/v1/Users', { Email: 'x@example.com', Name: 'X', Passphrase: GOOD }),
              400, 20001, 'no role');
        error(await c.post('/v1/Users', { Email: 'no-at-sign', Name: 'X', Passphrase: GOOD, Role: 'support' }),
              400, 20001, 'not an e-mail');
    });

    t.test('who may create users: holders of member.manage on the account, with roles they hold', async (c) => {
        const dev = await createUser(c, 'developer');
        const devSession = await session(c, dev.email, dev.passphrase);
        const form = { Email: `by-dev-${process.pid}@example.com`, Name: 'N', Passphrase: GOOD, Role: 'support' };
        error(await c.post('/v1/Users', form, { auth: devSession.auth }), 400, 20001,
              'a session names the account it acts on');
        error(await c.post('/v1/Users', { ...form, AccountSid: c.root.sid }, { auth: devSession.auth }), 403, 20403,
              'a developer');
        const std = await c.createKeyV1(c.root.sid, {});
        error(await c.post('/v1/Users', form, { auth: std }), 403, 20403, 'a standard key');
        const sub = await c.createSub('tenant');
        error(await c.post('/v1/Users', form, { auth: sub }), 404, 20404, "a subaccount's token on its parent");
        const owner = await session(c, c.g.owner.email, c.g.owner.passphrase);
        error(await c.post('/v1/Users', { ...form, AccountSid: c.root.sid, Role: 'owner' }, { auth: owner.auth }),
              409, 20409, 'a second owner');
        ok(await c.post('/v1/Users', { ...form, AccountSid: c.root.sid }, { auth: owner.auth }), 201, 'the owner');
        /* A session acts on accounts through its role there; credentials never reach session routes. */
        error(await c.get('/2010-04-01/Accounts.json', { auth: owner.auth }), 400, 20001, 'no AccountSid');
        ok(await c.get(`/2010-04-01/Accounts.json?AccountSid=${c.root.sid}`, { auth: owner.auth }));
        error(await c.get('/v1/Sessions'), 403, 20403, 'an auth token on Sessions');
        error(await c.get(`/v1/Users/${c.g.owner.sid}`, { auth: devSession.auth }), 404, 20404,
              "another user's record");
    });

    t.test('log out one session, then every other one', async (c) => {
        const u = await createUser(c);
        const a = await session(c, u.email, u.passphrase);
        const b = await session(c, u.email, u.passphrase);
        const d = await session(c, u.email, u.passphrase);
        const list = ok(await c.get('/v1/Sessions', { auth: a.auth }));
        assert.deepStrictEqual(list.sessions.map((s) => s.sid), [a.sid, b.sid, d.sid]);
        for (const s of list.sessions) {
            assert.match(s.sid, SE);
            assert.strictEqual(s.user_sid, u.sid);
        }
        assert.strictEqual((await c.del(`/v1/Sessions/${b.sid}`, { auth: a.auth })).status, 204);
        unauthorized(await c.get('/v1/Sessions', { auth: b.auth }), 'a logged-out session');
        error(await c.del(`/v1/Sessions/${b.sid}`, { auth: a.auth }), 404, 20404, 'twice');
        const other = await createUser(c);
        const o = await session(c, other.email, other.passphrase);
        error(await c.del(`/v1/Sessions/${d.sid}`, { auth: o.auth }), 404, 20404, "another user's session");
        const gone = ok(await c.del('/v1/Sessions', { auth: a.auth }));
        assert.deepStrictEqual(gone, { revoked: 1 });
        unauthorized(await c.get('/v1/Sessions', { auth: d.auth }));
        ok(await c.get('/v1/Sessions', { auth: a.auth }));
        ok(await c.get('/v1/Sessions', { auth: o.auth }), 200, "another user's session is untouched");
        assert.strictEqual((await c.del(`/v1/Sessions/${a.sid}`, { auth: a.auth })).status, 204, 'log out');
        unauthorized(await c.get('/v1/Sessions', { auth: a.auth }));
    });

    t.test('a passphrase change needs the current one, refuses reuse and ends the other sessions', async (c) => {
        const u = await createUser(c);
        const a = await session(c, u.email, u.passphrase);
        const b = await session(c, u.email, u.passphrase);
        const url = `/v1/Users/${u.sid}/Passphrase`;
        unauthorized(await c.post(url, { CurrentPassphrase: 'not it at all', NewPassphrase: BETTER },
                                  { auth: a.auth }), 'a wrong current passphrase');
        refused(await c.post(url, { CurrentPassphrase: GOOD, NewPassphrase: GOOD }, { auth: a.auth }), 'reused');
        error(await c.post(url, { CurrentPassphrase: GOOD }, { auth: a.auth }), 400, 20001, 'no new passphrase');
        const mark = await c.auditMark();
        const changed = ok(await c.post(url, { CurrentPassphrase: GOOD, NewPassphrase: BETTER }, { auth: a.auth }));
        assert.strictEqual(changed.sid, u.sid);
        const ev = await c.audit(mark);
        auditOne(ev, { action: 'user.passphrase.change', target: u.sid, detail: '1 other sessions revoked' });
        assert.ok(!ev.raw.includes(BETTER) && !ev.raw.includes(GOOD));
        ok(await c.get('/v1/Sessions', { auth: a.auth }), 200, 'the caller stays logged in');
        unauthorized(await c.get('/v1/Sessions', { auth: b.auth }), 'the other session ended');
        unauthorized(await login(c, u.email, GOOD), 'the old passphrase');
        await session(c, u.email, BETTER);
        refused(await c.post(url, { CurrentPassphrase: BETTER, NewPassphrase: GOOD }, { auth: a.auth }), 'reused');
        error(await c.post(`/v1/Users/${c.g.owner.sid}/Passphrase`,
                           { CurrentPassphrase: BETTER, NewPassphrase: GOOD + ' again' }, { auth: a.auth }),
              404, 20404, "another user's passphrase");
    });

    t.test('five wrong passphrases lock the user: the right one is refused too, and the lock is audited', { fresh: true }, async (c) => {
        const u = await createUser(c);
        const mark = await c.auditMark();
        for (let i = 0; i < 5; i++) {
            unauthorized(await login(c, u.email, `wrong guess number ${i}`));
        }
        unauthorized(await login(c, u.email, u.passphrase), 'locked');
        const ev = await c.audit(mark);
        auditOne(ev, { action: 'user.lock', target: u.sid, detail: 'locked for 60 s' });
        assert.strictEqual(findEvents(ev, { action: 'login', outcome: 'failure', detail: 'wrong_passphrase' }).length, 5);
        auditOne(ev, { action: 'login', outcome: 'failure', detail: 'locked' });
        /* Another user is not held up. */
        const other = await createUser(c);
        await session(c, other.email, other.passphrase);
    });

    t.test('100 failed logins from one address in 15 minutes: 429 with Retry-After for that address', { fresh: true }, async (c) => {
        for (let i = 0; i < 100; i++) {
            unauthorized(await login(c, `spray${i}@example.com`, 'Winter2026!Winter'), `failure ${i}`);
        }
        const res = await login(c, c.g.owner.email, c.g.owner.passphrase);
        error(res, 429, 20429, 'the 101st attempt');
        const retry = Number(res.headers.get('retry-after'));
        assert.ok(retry > 800 && retry <= 900, `Retry-After ${res.headers.get('retry-after')}`);
        /* Credentials and sessions made before are unaffected. */
        ok(await c.get(`/2010-04-01/Accounts/${c.root.sid}.json`));
    });

    t.test('a login flood past the hashing pool gets 429 with Retry-After, never an error', { fresh: true }, async (c) => {
        /* One hashing slot, eight request threads: concurrent logins must find the slot busy. */
        fs.appendFileSync(path.join(c.g.data, 'gatehouse.conf'), 'pwhash_concurrency = 1\nthreads = 8\n');
        await c.g.restart();
        const u = await createUser(c);
        let busy = 0;
        for (let round = 0; round < 5 && busy === 0; round++) {
            const all = await Promise.all([...Array(32)].map(() => login(c, u.email, u.passphrase)));
            for (const res of all) {
                assert.ok(res.status === 201 || res.status === 429, `a flooded login: ${where(res)}`);
                if (res.status === 429) {
                    error(res, 429, 20429);
                    assert.strictEqual(res.headers.get('retry-after'), '1');
                    busy++;
                }
            }
        }
        assert.ok(busy > 0, 'no login found the only hashing slot busy');
        await session(c, u.email, u.passphrase); /* and afterwards, logins work */
    });

    t.test('POST /v1/Passphrases/Check explains both strength figures and stores nothing', async (c) => {
        const weak = report(ok(await c.post('/v1/Passphrases/Check', { Passphrase: 'P@ssw0rd!' }, { auth: null })));
        assert.strictEqual(weak.verdict, 'reject');
        assert.ok(weak.reasons.includes('too_short') && weak.reasons.includes('guessable'), JSON.stringify(weak));
        assert.strictEqual(weak.length, 9);
        assert.strictEqual(weak.pool_size, 95);
        assert.match(weak.keyspace, /^95\^9 = 6\.302 × 10\^17$/);
        assert.strictEqual(weak.estimator, 'zxcvbn');
        assert.ok(weak.guesses_log10 < 8, JSON.stringify(weak));
        const strong = report(ok(await c.post('/v1/Passphrases/Check', { Passphrase: BETTER }, { auth: null })));
        assert.strictEqual(strong.verdict, 'accept');
        assert.deepStrictEqual(strong.reasons, []);
        const named = report(ok(await c.post('/v1/Passphrases/Check',
                                             { Passphrase: 'rosalind.fairweather.1990', Email: 'rosalind.fairweather@example.com' },
                                             { auth: null })));
        assert.ok(named.reasons.includes('context'), JSON.stringify(named.reasons));
        error(await c.post('/v1/Passphrases/Check', {}, { auth: null }), 400, 20001, 'no passphrase');
        /* The CLI explains with the very same body. */
        for (const p of ['P@ssw0rd!', BETTER, 'Ünïcödé pässphräse wïth 🦊 and ‮ text']) {
            const api = ok(await c.post('/v1/Passphrases/Check', { Passphrase: p }, { auth: null }));
            const r = spawnSync(c.g.bin, ['passphrase', 'explain', '--json'], { input: `${p}\n`, encoding: 'utf8' });
            assert.strictEqual(r.status, api.verdict === 'accept' ? 0 : 1, r.stderr);
            assert.deepStrictEqual(JSON.parse(r.stdout), api, `explain --json = API for ${JSON.stringify(p)}`);
        }
        /* Past 1024 bytes: refused as too long without being read; 1 MiB never gets past the door. */
        const long = report(ok(await c.post('/v1/Passphrases/Check', { Passphrase: 'a'.repeat(40000) }, { auth: null })));
        assert.deepStrictEqual([long.verdict, long.reasons, long.estimator], ['reject', ['too_long'], 'none']);
        try {
            error(await c.post('/v1/Passphrases/Check', { Passphrase: 'a'.repeat(1 << 20) }, { auth: null }), 413, 20413);
        } catch (e) {
            assert.ok(e instanceof TypeError, `1 MiB body: ${e.message}`); /* the server closed the connection */
        }
        ok(await c.get('/v1/Health', { auth: null }), 200, 'healthy after a 1 MiB passphrase');
        const cli = spawnSync(c.g.bin, ['passphrase', 'explain', '--json'], { input: 'b'.repeat(1 << 20), encoding: 'utf8' });
        assert.strictEqual(cli.status, 1, cli.stderr);
        assert.deepStrictEqual(JSON.parse(cli.stdout).reasons, ['too_long']);
    });

    t.test('the passphrase check allows 60 a minute per address, then 429 with Retry-After', { fresh: true }, async (c) => {
        for (let i = 0; i < 60; i++) {
            ok(await c.post('/v1/Passphrases/Check', { Passphrase: `candidate ${i}` }, { auth: null }));
        }
        const res = await c.post('/v1/Passphrases/Check', { Passphrase: 'one more' }, { auth: null });
        error(res, 429, 20429);
        const retry = Number(res.headers.get('retry-after'));
        assert.ok(retry >= 1 && retry <= 60, `Retry-After ${res.headers.get('retry-after')}`);
    });

    t.test('gatehouse user create reads the passphrase from standard input', async (c) => {
        const email = `cli-${process.pid}@example.com`;
        const args = ['user', 'create', '--email', email, '--name', 'Cli User', '--role', 'support', '--json',
                      ...c.g.dataArgs()];
        const r = spawnSync(c.g.bin, args, { input: `${GOOD}\n`, encoding: 'utf8', timeout: 60000 });
        assert.strictEqual(r.status, 0, r.stderr);
        const u = JSON.parse(r.stdout);
        assert.match(u.sid, US);
        assert.strictEqual(u.role, 'support');
        await session(c, email, GOOD);
        const weak = spawnSync(c.g.bin, [...args.slice(0, 3), `weak-${email}`, ...args.slice(4)],
                               { input: 'password123\n', encoding: 'utf8', timeout: 60000 });
        assert.strictEqual(weak.status, 1);
        assert.match(weak.stderr, /^gatehouse: user create: the passphrase was refused: .+\n$/);
        assert.ok(!weak.stderr.includes('password123'), 'the refusal does not echo the passphrase');
    });
};
