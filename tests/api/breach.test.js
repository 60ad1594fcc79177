'use strict';
/*
 * breach -- the breached-passphrase index through the real server and CLI: `gatehouse breach
 * import` builds it in the data folder and a running server uses it at once; a breached
 * passphrase is refused (reason `breached`) wherever a passphrase is set or checked; a login
 * whose passphrase appears in a later import succeeds but its session can only change the
 * passphrase (audited); breach.required makes a missing or damaged index refuse passphrases
 * (503) instead of skipping the check; `breach check` answers 0/1/2; an import killed halfway
 * leaves the previous index working.
 */
const { spawn, spawnSync } = require('child_process');
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const { assert, ok, error, auditOne } = require('./lib/check');

const LEAKED = 'lavender submarine whistles quietly';   /* strong by zxcvbn, "leaked" by us */
const LATER = 'copper kettles hum beneath the orchard'; /* leaks after a user chose it */
const FRESH = 'seventeen paper lanterns drift upriver';
const SAFE = 'nobody has ever leaked this sentence';

const bearer = (token) => `Bearer ${token}`;
const sha1 = (s) => crypto.createHash('sha1').update(s, 'utf8').digest('hex').toUpperCase();

/* Writes a Pwned Passwords file of the passphrases (plus filler lines) and imports it. */
function importPwned(g, passphrases, extra = []) {
    const file = path.join(g.dir, `pwned-${Date.now()}-${Math.random()}.txt`);
    const lines = [...passphrases.map((p, i) => `${sha1(p)}:${i + 1}`), ...extra];
    fs.writeFileSync(file, `${lines.join('\r\n')}\r\n`);
    const r = spawnSync(g.bin, ['breach', 'import', '--json', '--data', g.data, file], { encoding: 'utf8' });
    assert.strictEqual(r.status, 0, `breach import: ${r.stderr}`);
    return JSON.parse(r.stdout);
}

function check(g, passphrase, args = []) {
    return spawnSync(g.bin, ['breach', 'check', '--data', g.data, ...args], { input: `${passphrase}\n`,
                                                                               encoding: 'utf8' });
}

let seq = 0;
function newUser(c, passphrase) {
    const email = `breach${++seq}-${process.pid}@example.com`;
    return c.post('/v1/Users', { Email: email, Name: `Breach ${seq}`, Passphrase: passphrase, Role: 'developer' })
        .then((res) => ({ res, email }));
}

/* Rewrites the config file (keeping the test floor for Argon2id) and restarts the server. */
async function reconfigure(g, extra) {
    await g.stop();
    fs.writeFileSync(path.join(g.data, 'gatehouse.conf'),
                     `pwhash_memory_mib = 19\npwhash_passes = 2\n${extra}`, { mode: 0o600 });
    await g.start();
}

module.exports = (t) => {
    t.test('an imported index refuses its passphrases at once, in every place a passphrase is set', { fresh: true }, async (c) => {
        const g = c.g;
        assert.match(g.stderr, /warning: no breached-passphrase index at .*breach\.idx/);
        let r = ok(await c.post('/v1/Passphrases/Check', { Passphrase: LEAKED }, { auth: null }));
        assert.deepStrictEqual([r.verdict, r.breach_checked], ['accept', false], 'no index: not checked');

        const res = importPwned(g, [LEAKED, 'password'], ['not a hash line']);
        assert.deepStrictEqual([res.lines, res.records, res.bad, res.entries], [3, 2, 1, 2]);
        assert.ok(res.fp_rate <= 1e-4, `fp_rate ${res.fp_rate}`);

        /* The running server reads the new file at its next lookup. */
        r = ok(await c.post('/v1/Passphrases/Check', { Passphrase: LEAKED }, { auth: null }));
        assert.deepStrictEqual([r.verdict, r.reasons, r.breach_checked], ['reject', ['breached'], true]);
        assert.match(r.message, /breach/);
        r = ok(await c.post('/v1/Passphrases/Check', { Passphrase: SAFE }, { auth: null }));
        assert.deepStrictEqual([r.verdict, r.breach_checked], ['accept', true]);

        const { res: refused } = await newUser(c, LEAKED);
        assert.strictEqual(refused.status, 400);
        assert.ok(refused.json.details.reasons.includes('breached'), JSON.stringify(refused.json));
        /* Changing to a breached passphrase is refused too. */
        const { res: made, email } = await newUser(c, FRESH);
        const u = ok(made, 201);
        const s = ok(await c.post('/v1/Sessions', { Email: email, Passphrase: FRESH }, { auth: null }), 201);
        assert.deepStrictEqual([s.status, s.must_change_passphrase], ['active', false]);
        const change = await c.post(`/v1/Users/${u.sid}/Passphrase`, { CurrentPassphrase: FRESH, NewPassphrase: LEAKED },
                                    { auth: bearer(s.token) });
        assert.strictEqual(change.status, 400, JSON.stringify(change.json));
        assert.ok(change.json.details.reasons.includes('breached'));
        /* The CLI answers from the same file. */
        assert.strictEqual(check(g, LEAKED).status, 1);
        assert.strictEqual(check(g, SAFE).status, 0);
        assert.deepStrictEqual(JSON.parse(check(g, 'password', ['--json']).stdout), { breached: true });
    });

    t.test('a login whose passphrase leaked since is let in to change it, and nothing else', { fresh: true }, async (c) => {
        const g = c.g;
        const { res, email } = await newUser(c, LATER);
        const u = ok(res, 201);
        importPwned(g, [LATER]);
        const mark = await g.auditMark();
        const s = ok(await c.post('/v1/Sessions', { Email: email, Passphrase: LATER }, { auth: null }), 201);
        assert.deepStrictEqual([s.status, s.must_change_passphrase], ['passphrase_change_required', true]);
        const auth = { auth: bearer(s.token) };
        const denied = error(await c.get(`/v1/Users/${u.sid}`, auth), 403, 20403);
        assert.match(denied.message, /Change your passphrase first/);
        /* Its own sessions stay visible (and can be ended). */
        const mine = ok(await c.get('/v1/Sessions', auth));
        assert.strictEqual(mine.sessions[0].status, 'passphrase_change_required');
        ok(await c.post(`/v1/Users/${u.sid}/Passphrase`, { CurrentPassphrase: LATER, NewPassphrase: FRESH }, auth));
        const me = ok(await c.get(`/v1/Users/${u.sid}`, auth));
        assert.strictEqual(me.must_change_passphrase, false);
        /* The next login with the new passphrase is a full session. */
        const next = ok(await c.post('/v1/Sessions', { Email: email, Passphrase: FRESH }, { auth: null }), 201);
        assert.deepStrictEqual([next.status, next.must_change_passphrase], ['active', false]);
        auditOne(await g.audit(mark), { action: 'user.passphrase_breached', target: u.sid });
    });

    t.test('breach.required: no index, or a damaged one, refuses passphrases with 503 instead of skipping', { fresh: true }, async (c) => {
        const g = c.g;
        await reconfigure(g, 'breach.required = true\n');
        assert.match(g.stderr, /error: no breached-passphrase index at .* breach\.required is set/);
        let { res } = await newUser(c, FRESH);
        const b = error(res, 503, 20503);
        assert.match(b.message, /breached-passphrase index is unavailable/);
        error(await c.post('/v1/Passphrases/Check', { Passphrase: FRESH }, { auth: null }), 503, 20503);
        /* A damaged file is no better than none. */
        fs.writeFileSync(path.join(g.data, 'breach.idx'), 'GHBREACH but not an index at all');
        ({ res } = await newUser(c, FRESH));
        error(res, 503, 20503);
        /* An import brings it back, without a restart. */
        importPwned(g, [LEAKED]);
        ({ res } = await newUser(c, FRESH));
        ok(res, 201);
        ({ res } = await newUser(c, LEAKED));
        assert.strictEqual(res.status, 400);
        /* Not required: a damaged index is a warning at start and no check. */
        fs.writeFileSync(path.join(g.data, 'breach.idx'), 'garbage');
        await reconfigure(g, 'breach.index = ' + path.join(g.data, 'breach.idx') + '\nbreach.required = no\n');
        assert.match(g.stderr, /warning: the breached-passphrase index is unusable/);
        const r = ok(await c.post('/v1/Passphrases/Check', { Passphrase: LEAKED }, { auth: null }));
        assert.deepStrictEqual([r.verdict, r.breach_checked], ['accept', false]);
    });

    t.test('breach check: exit 0 not found, 1 found, 2 on error; never reads argv', { fresh: true }, async (c) => {
        const g = c.g;
        let r = check(g, SAFE);
        assert.strictEqual(r.status, 2);
        assert.match(r.stderr, /^gatehouse: breach: no index at .*breach\.idx \(build one: gatehouse breach import\)\n$/);
        importPwned(g, [LEAKED]);
        r = check(g, LEAKED, ['--json']);
        assert.deepStrictEqual([r.status, JSON.parse(r.stdout)], [1, { breached: true }]);
        r = check(g, SAFE, ['--json']);
        assert.deepStrictEqual([r.status, JSON.parse(r.stdout)], [0, { breached: false }]);
        r = spawnSync(g.bin, ['breach', 'check', '--data', g.data, LEAKED], { input: '', encoding: 'utf8' });
        assert.strictEqual(r.status, 2);
        assert.ok(!r.stderr.includes(LEAKED));
        fs.writeFileSync(path.join(g.data, 'other.idx'), 'x'.repeat(200));
        r = check(g, SAFE, ['--index', path.join(g.data, 'other.idx')]);
        assert.strictEqual(r.status, 2);
        assert.match(r.stderr, /not a usable index/);
        const info = JSON.parse(spawnSync(g.bin, ['breach', 'info', '--verify', '--json', '--data', g.data],
                                          { encoding: 'utf8' }).stdout);
        assert.deepStrictEqual([info.entries, info.verified, info.fingerprint_bits], [1, true, 16]);
    });

    t.test('an import killed halfway, or stopped with SIGINT, leaves the previous index working', { fresh: true }, async (c) => {
        const g = c.g;
        importPwned(g, [LEAKED]);
        const before = fs.readdirSync(g.data).sort();
        for (const signal of ['SIGKILL', 'SIGINT']) {
            const p = spawn(g.bin, ['breach', 'import', '--data', g.data, '-'], { stdio: ['pipe', 'pipe', 'pipe'] });
            let stderr = '';
            p.stderr.on('data', (d) => { stderr += d; });
            /* Half a corpus: 200,000 lines written, the rest never comes. */
            const lines = [];
            for (let i = 0; i < 200000; i++) {
                lines.push(`${crypto.createHash('sha1').update(`gen ${i}`).digest('hex')}:${i}`);
            }
            await new Promise((resolve) => p.stdin.write(`${lines.join('\n')}\n`, resolve));
            const exited = new Promise((resolve) => p.on('close', (code, sig) => resolve({ code, sig })));
            p.kill(signal);
            const { code, sig } = await exited;
            if (signal === 'SIGKILL') {
                assert.strictEqual(sig, 'SIGKILL');
            } else {
                assert.strictEqual(code, 1, stderr);
                assert.match(stderr, /breach import: stopped; .*breach\.idx is unchanged/);
            }
            assert.strictEqual(check(g, LEAKED).status, 1, `after ${signal}: the old index still answers`);
            assert.strictEqual(check(g, 'gen 5').status, 0);
            assert.deepStrictEqual(fs.readdirSync(g.data).sort(), before, `after ${signal}: no file left behind`);
        }
        const { res } = await newUser(c, LEAKED);
        assert.strictEqual(res.status, 400);
    });

    t.test('breach import reports bad lines by file and line, and refuses a file in the wrong format', { fresh: true }, async (c) => {
        const g = c.g;
        const file = path.join(g.dir, 'mixed.txt');
        const good = Array.from({ length: 20 }, (_, i) => `${sha1(`p${i}`).toLowerCase()}:${i + 1}`);
        fs.writeFileSync(file, [...good.slice(0, 10), 'zz', '', `${sha1('x')};3`, ...good.slice(10)].join('\n'));
        let r = spawnSync(g.bin, ['breach', 'import', '--data', g.data, file], { encoding: 'utf8' });
        assert.strictEqual(r.status, 0, r.stderr);
        assert.match(r.stderr, /mixed\.txt:11: not a 40-digit SHA-1\n/);
        assert.match(r.stderr, /mixed\.txt:12: empty line\n/);
        assert.match(r.stderr, /mixed\.txt:13: expected ':' and a count after the SHA-1\n/);
        assert.match(r.stdout, /lines: +23 read, 20 good, 3 bad/);
        /* A plain list given as Pwned Passwords: refused, the index stays. */
        const plain = path.join(g.dir, 'plain.txt');
        fs.writeFileSync(plain, 'password\nletmein\n123456\n');
        r = spawnSync(g.bin, ['breach', 'import', '--data', g.data, plain], { encoding: 'utf8' });
        assert.strictEqual(r.status, 1);
        assert.match(r.stderr, /no good line in 3; .* is unchanged \(--plain for one passphrase per line\)/);
        assert.strictEqual(check(g, 'p3').status, 1);
        r = spawnSync(g.bin, ['breach', 'import', '--plain', '--data', g.data, plain], { encoding: 'utf8' });
        assert.strictEqual(r.status, 0, r.stderr);
        assert.strictEqual(check(g, 'letmein').status, 1);
        assert.strictEqual(check(g, 'p3').status, 0, 'an import replaces the index, it does not add to it');
    });
};
