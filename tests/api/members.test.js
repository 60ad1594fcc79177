'use strict';
/*
 * members -- roles and least privilege (issue 7) beyond the matrix of authz.test.js: the
 * Members API (add by UserSid or Email with a Role, list, fetch, change, remove; audited with
 * the role before and after), who may change roles (member.manage, and never beyond the
 * permissions the actor holds: no escalation), the owner role (never granted, changed or removed
 * through Members; it moves only by an offer the offered user's own session accepts), keys that
 * can never hold a permission their creator lacks, reach across accounts (404: existence does
 * not leak), the account a session acts on, who sees auth tokens, and docs/ROLES.md being the
 * generated `gatehouse roles --markdown`.
 */
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const { assert, RE, fakeSid, ok, error, keys, findEvents, auditOne, noEvents, where } = require('./lib/check');

const ROOT = path.resolve(__dirname, '..', '..');
const PASS = 'quiet otter juggles seven lanterns';
const ROLES = ['owner', 'administrator', 'developer', 'billing_manager', 'support'];
const MEMBER_KEYS = ['account_sid', 'user_sid', 'email', 'name', 'role', 'date_created', 'date_updated', 'url'];
const OWNERSHIP_KEYS = ['account_sid', 'owner_sid', 'status', 'offered_to_sid', 'offered_by_sid', 'date_offered',
                        'date_expires', 'url'];
const ESCALATION = /permission you do not hold/;
const bearer = (token) => `Bearer ${token}`;
const policy = (...names) => JSON.stringify({ allow: names.map((n) => `/gatehouse/${n.replace(/\./g, '/')}`) });
const members = (acct) => `/v1/Accounts/${acct}/Members`;
const member = (acct, user) => `/v1/Accounts/${acct}/Members/${user}`;
const transfer = (acct) => `/v1/Accounts/${acct}/OwnershipTransfer`;

let seq = 0;

/* A new user with a role on acct (default: the main account), made by the main auth token. */
async function newUser(c, role, acct, label = role) {
    const email = `members-${label}-${process.pid}-${++seq}@example.com`;
    const form = { Email: email, Name: `Member ${label}`, Passphrase: PASS, Role: role };
    if (acct) {
        form.AccountSid = acct;
    }
    const u = ok(await c.post('/v1/Users', form, { auth: c.g.root }), 201, `create ${label}`);
    return { sid: u.sid, email, pass: PASS, label };
}

/* Logs user in; returns {sid, token, auth}. */
async function login(c, user) {
    const s = ok(await c.post('/v1/Sessions', { Email: user.email, Passphrase: user.pass || user.passphrase },
                              { auth: null }), 201, `login as ${user.email}`);
    assert.strictEqual(s.status, 'active');
    return { sid: s.sid, token: s.token, auth: bearer(s.token) };
}

const ownerOf = (c) => ({ sid: c.g.owner.sid, email: c.g.owner.email, pass: c.g.owner.passphrase, label: 'owner' });

/* A Member JSON of the v1 shape. */
function memberJson(c, m, { account, user, role }) {
    keys(m, MEMBER_KEYS, 'member');
    assert.strictEqual(m.account_sid, account);
    assert.strictEqual(m.user_sid, user.sid);
    assert.strictEqual(m.email, user.email);
    assert.strictEqual(typeof m.name, 'string');
    assert.strictEqual(m.role, role);
    assert.match(m.date_created, RE.ISO8601);
    assert.match(m.date_updated, RE.ISO8601);
    assert.strictEqual(m.url, `${c.url}/v1/Accounts/${account}/Members/${user.sid}`);
    return m;
}

/* The audit detail of a change of role: "account AC…: role X -> Y" and, for a session, "by US…". */
function roleDetail(account, before, after, byUser) {
    const esc = (s) => s.replace(/[()]/g, '\\$&');
    return new RegExp(`^account ${account}: role ${esc(before)} -> ${esc(after)}${byUser ? ` by ${byUser}` : ''}\\s*$`);
}

async function roleOf(c, account, userSid) {
    const res = await c.get(member(account, userSid), { auth: c.g.root });
    return res.status === 200 ? res.json.role : null;
}

async function allMembers(c, account, auth = c.g.root) {
    const body = ok(await c.get(members(account), { query: { PageSize: 1000 }, auth }));
    keys(body, ['members', 'meta'], 'member list');
    return body.members;
}

function markdownDiff(a, b) {
    const x = a.split('\n');
    const y = b.split('\n');
    for (let i = 0; i < Math.max(x.length, y.length); i++) {
        if (x[i] !== y[i]) {
            return `first difference at line ${i + 1}:\n  roles --markdown: ${JSON.stringify(x[i])}\n` +
                   `  docs/ROLES.md:    ${JSON.stringify(y[i])}`;
        }
    }
    return 'they differ in bytes only (line endings or a trailing newline)';
}

module.exports = (t) => {
    t.test('docs/ROLES.md is `gatehouse roles --markdown`, byte for byte, and names every role and permission', async (c) => {
        const r = spawnSync(c.g.bin, ['roles', '--markdown'], { timeout: 15000 });
        assert.strictEqual(r.status, 0, `gatehouse roles --markdown exited ${r.status}: ${r.stderr}`);
        const file = path.join(ROOT, 'docs', 'ROLES.md');
        assert.ok(fs.existsSync(file), 'docs/ROLES.md does not exist: generate it with `gatehouse roles --markdown`');
        const doc = fs.readFileSync(file);
        assert.ok(r.stdout.equals(doc), `docs/ROLES.md is not the output of \`gatehouse roles --markdown\`: ` +
                  markdownDiff(r.stdout.toString('utf8'), doc.toString('utf8')));
        const table = JSON.parse(spawnSync(c.g.bin, ['roles', '--json'], { encoding: 'utf8' }).stdout);
        const md = doc.toString('utf8');
        for (const p of table.permissions) {
            assert.ok(md.includes(`\`${p.name}\``), `ROLES.md names ${p.name}`);
        }
        for (const role of ROLES) {
            assert.ok(md.includes(role), `ROLES.md names the role ${role}`);
        }
        assert.deepStrictEqual(table.roles.map((x) => x.name), ROLES, 'the five roles, strongest first');
    });

    t.test('add by UserSid and by Email, list, fetch, remove: the Member JSON; every change audited with the roles', async (c) => {
        const sub = await c.createSub('members-crud');
        const a = await newUser(c, 'developer', undefined, 'a');
        const b = await newUser(c, 'support', undefined, 'b');
        const owner = await login(c, ownerOf(c));
        const mark = await c.auditMark();
        const ma = memberJson(c, ok(await c.post(members(sub.sid), { UserSid: a.sid, Role: 'developer' },
                                                 { auth: owner.auth }), 201, 'add by UserSid'),
                              { account: sub.sid, user: a, role: 'developer' });
        memberJson(c, ok(await c.post(members(sub.sid), { Email: b.email.toUpperCase(), Role: 'billing_manager' },
                                      { auth: owner.auth }), 201, 'add by Email (any case)'),
                   { account: sub.sid, user: b, role: 'billing_manager' });
        let ev = await c.audit(mark);
        auditOne(ev, { action: 'member.add', target: a.sid, actor: owner.sid, outcome: 'success',
                       detail: roleDetail(sub.sid, '(none)', 'developer', c.g.owner.sid) }, { ua: c.ua });
        auditOne(ev, { action: 'member.add', target: b.sid, detail: roleDetail(sub.sid, '(none)', 'billing_manager',
                                                                                 c.g.owner.sid) });

        const body = ok(await c.get(members(sub.sid), { auth: owner.auth }));
        keys(body, ['members', 'meta'], 'member list');
        keys(body.meta, ['page', 'page_size', 'first_page_url', 'previous_page_url', 'url', 'next_page_url', 'key'], 'meta');
        assert.strictEqual(body.meta.key, 'members');
        assert.ok(body.meta.url.startsWith(`${c.url}/v1/Accounts/${sub.sid}/Members`), body.meta.url);
        assert.deepStrictEqual(body.members.map((m) => m.user_sid).sort(), [a.sid, b.sid].sort());
        body.members.forEach((m) => keys(m, MEMBER_KEYS, 'listed member'));
        /* paging: one at a time, each member once */
        const first = ok(await c.get(members(sub.sid), { query: { PageSize: 1 }, auth: owner.auth }));
        assert.strictEqual(first.members.length, 1);
        assert.ok(first.meta.next_page_url, 'a next page');
        const second = ok(await c.get(first.meta.next_page_url.replace(c.url, ''), { auth: owner.auth }));
        assert.deepStrictEqual([...first.members, ...second.members].map((m) => m.user_sid).sort(), [a.sid, b.sid].sort());

        assert.deepStrictEqual(ok(await c.get(member(sub.sid, a.sid), { auth: owner.auth })), ma, 'fetch = add');
        error(await c.post(members(sub.sid), { UserSid: a.sid, Role: 'support' }, { auth: owner.auth }), 409, 20409,
              'already a member');

        const mark2 = await c.auditMark();
        const res = await c.del(member(sub.sid, b.sid), { auth: owner.auth });
        assert.strictEqual(res.status, 204, where(res));
        assert.strictEqual(res.text, '');
        error(await c.get(member(sub.sid, b.sid), { auth: owner.auth }), 404, 20404, 'removed');
        error(await c.del(member(sub.sid, b.sid), { auth: owner.auth }), 404, 20404, 'removed twice');
        ev = await c.audit(mark2);
        auditOne(ev, { action: 'member.remove', target: b.sid, actor: owner.sid,
                       detail: roleDetail(sub.sid, 'billing_manager', '(none)', c.g.owner.sid) });
        /* A credential's change is audited with the credential as the actor (no "by"). */
        const mark3 = await c.auditMark();
        ok(await c.post(members(sub.sid), { UserSid: b.sid, Role: 'support' }), 201, 'the auth token adds');
        auditOne(await c.audit(mark3), { action: 'member.add', target: b.sid, actor: c.root.sid,
                                         detail: roleDetail(sub.sid, '(none)', 'support') });
        /* Removing a member of a subaccount leaves its other memberships alone. */
        assert.strictEqual(await roleOf(c, c.root.sid, b.sid), 'support');
    });

    t.test('change a member\'s role: 200 with the new role, audited "role X -> Y by US…"; the same role changes nothing', async (c) => {
        const a = await newUser(c, 'developer', undefined, 'changed');
        const owner = await login(c, ownerOf(c));
        const mark = await c.auditMark();
        ok(await c.post(member(c.root.sid, a.sid), { Role: 'developer' }, { auth: owner.auth }), 200, 'the same role');
        noEvents(await c.audit(mark), { action: 'member.update' });
        const m = memberJson(c, ok(await c.post(member(c.root.sid, a.sid), { Role: 'support' }, { auth: owner.auth }), 200,
                                   'developer -> support'), { account: c.root.sid, user: a, role: 'support' });
        assert.ok(Date.parse(m.date_updated) >= Date.parse(m.date_created));
        assert.strictEqual(await roleOf(c, c.root.sid, a.sid), 'support');
        auditOne(await c.audit(mark), { action: 'member.update', target: a.sid, actor: owner.sid,
                                        detail: roleDetail(c.root.sid, 'developer', 'support', c.g.owner.sid) });
        /* the new role is the one the user's session acts with */
        const s = await login(c, a);
        error(await c.get('/v1/Keys', { query: { AccountSid: c.root.sid }, auth: s.auth }), 403, 20403, 'support reads no keys');
        ok(await c.post(member(c.root.sid, a.sid), { Role: 'developer' }, { auth: owner.auth }), 200, 'support -> developer');
        ok(await c.get('/v1/Keys', { query: { AccountSid: c.root.sid }, auth: s.auth }), 200, 'developer reads keys again');
    });

    t.test('Members parameters: Role required and known; UserSid or Email, not both; unknown users and members 404', async (c) => {
        const sub = await c.createSub('members-params');
        const u = await newUser(c, 'support', undefined, 'params');
        const mark = await c.auditMark();
        error(await c.post(members(sub.sid), { UserSid: u.sid }), 400, 20001, 'no Role');
        error(await c.post(members(sub.sid), { UserSid: u.sid, Role: 'king' }), 400, 20001, 'an unknown role');
        error(await c.post(members(sub.sid), { UserSid: u.sid, Role: 'Support' }), 400, 20001, 'roles are lower case');
        error(await c.post(members(sub.sid), { Role: 'support' }), 400, 20001, 'neither UserSid nor Email');
        error(await c.post(members(sub.sid), { UserSid: u.sid, Email: u.email, Role: 'support' }), 400, 20001, 'both');
        error(await c.post(members(sub.sid), [['UserSid', u.sid], ['UserSid', u.sid], ['Role', 'support']]), 400, 20001,
              'UserSid repeated');
        error(await c.post(members(sub.sid), { UserSid: fakeSid('US', 1), Role: 'support' }), 404, 20404, 'no such user');
        error(await c.post(members(sub.sid), { Email: 'nobody-at-all@example.com', Role: 'support' }), 404, 20404,
              'no user with that e-mail');
        error(await c.post(members(fakeSid('AC', 3)), { UserSid: u.sid, Role: 'support' }), 404, 20404, 'no such account');
        error(await c.get(member(sub.sid, u.sid)), 404, 20404, 'not a member');
        error(await c.post(member(sub.sid, u.sid), { Role: 'developer' }), 404, 20404, 'change a non-member');
        error(await c.del(member(sub.sid, u.sid)), 404, 20404, 'remove a non-member');
        error(await c.post(member(c.root.sid, u.sid), { Role: 'chief' }), 400, 20001, 'change to an unknown role');
        error(await c.post(member(c.root.sid, u.sid), {}), 400, 20001, 'change without a Role');
        error(await c.get(member(sub.sid, 'USnope')), 404, 20404, 'a malformed SID');
        noEvents(await c.audit(mark), { outcome: 'success', action: /^member\./ });
    });

    t.test('only member.manage holders add, change or remove; member.read holders list', async (c) => {
        const sub = await c.createSub('members-who');
        const victim = await newUser(c, 'support', sub.sid, 'victim');
        const free = await newUser(c, 'support', undefined, 'free');
        const form = { UserSid: free.sid, Role: 'support' };
        const mark = await c.auditMark();
        for (const role of ['developer', 'billing_manager', 'support']) {
            const u = await newUser(c, role, undefined, `no-manage-${role}`);
            ok(await c.post(members(sub.sid), { UserSid: u.sid, Role: role }), 201); /* a role on the subaccount too */
            const s = await login(c, u);
            error(await c.get(members(sub.sid), { auth: s.auth }), 403, 20403, `${role} lists`);
            error(await c.get(member(sub.sid, victim.sid), { auth: s.auth }), 403, 20403, `${role} fetches`);
            error(await c.post(members(sub.sid), form, { auth: s.auth }), 403, 20403, `${role} adds`);
            error(await c.post(member(sub.sid, victim.sid), { Role: 'support' }, { auth: s.auth }), 403, 20403,
                  `${role} changes`);
            error(await c.del(member(sub.sid, victim.sid), { auth: s.auth }), 403, 20403, `${role} removes`);
            error(await c.post('/v1/Users', { Email: `by-${role}-${process.pid}@example.com`, Name: 'N', Passphrase: PASS,
                                             Role: 'support', AccountSid: sub.sid }, { auth: s.auth }), 403, 20403,
                  `${role} creates a user`);
        }
        const std = await c.createKeyV1(c.root.sid, {});
        error(await c.post(members(c.root.sid), form, { auth: std }), 403, 20403, 'a standard key');
        const reader = await c.createKeyV1(c.root.sid, { KeyType: 'restricted', Policy: policy('member.read') });
        ok(await c.get(members(c.root.sid), { auth: reader }), 200, 'a restricted key with member.read lists');
        error(await c.post(members(c.root.sid), form, { auth: reader }), 403, 70051, 'but does not add');
        error(await c.del(member(c.root.sid, free.sid), { auth: reader }), 403, 70051, 'nor remove');
        noEvents(await c.audit(mark), { action: /^member\.(update|remove)$/ });
        assert.strictEqual(await roleOf(c, sub.sid, victim.sid), 'support', 'untouched');
        const admin = await login(c, await newUser(c, 'administrator', undefined, 'manager'));
        ok(await c.post(members(sub.sid), form, { auth: admin.auth }), 201, 'the main account\'s administrator adds');
    });

    t.test('escalation: a developer cannot grant administrator; an administrator grants administrator but never owner', async (c) => {
        const owner = await login(c, ownerOf(c));
        const dev = await login(c, await newUser(c, 'developer', undefined, 'esc-dev'));
        const admin = await login(c, await newUser(c, 'administrator', undefined, 'esc-admin'));
        const x = await newUser(c, 'support', undefined, 'esc-x');
        const sub = await c.createSub('escalation');
        const mark = await c.auditMark();
        error(await c.post(members(c.root.sid), { UserSid: x.sid, Role: 'administrator' }, { auth: dev.auth }), 403, 20403,
              'a developer grants administrator');
        error(await c.post(member(c.root.sid, x.sid), { Role: 'administrator' }, { auth: dev.auth }), 403, 20403,
              'a developer promotes a member to administrator');
        for (const [who, auth] of [['an administrator', admin.auth], ['the owner', owner.auth], ['the auth token', c.g.root],
                                   ['the main key', c.g.mainKey]]) {
            error(await c.post(members(sub.sid), { UserSid: x.sid, Role: 'owner' }, { auth }), 409, 20409,
                  `${who} adds an owner`);
            error(await c.post(member(c.root.sid, x.sid), { Role: 'owner' }, { auth }), 409, 20409,
                  `${who} makes a member owner`);
            error(await c.post('/v1/Users', { Email: `owner-${seq++}-${process.pid}@example.com`, Name: 'N', Passphrase: PASS,
                                             Role: 'owner', AccountSid: c.root.sid }, { auth }), 409, 20409,
                  `${who} creates an owner`);
        }
        for (const [who, auth] of [['an administrator', admin.auth], ['the auth token', c.g.root],
                                   ['the main key', c.g.mainKey], ['the owner itself', owner.auth]]) {
            error(await c.del(member(c.root.sid, c.g.owner.sid), { auth }), 409, 20409, `${who} removes the owner`);
            error(await c.post(member(c.root.sid, c.g.owner.sid), { Role: 'administrator' }, { auth }), 409, 20409,
                  `${who} changes the owner's role`);
        }
        noEvents(await c.audit(mark), { outcome: 'success', action: /^member\./ });
        assert.strictEqual(await roleOf(c, c.root.sid, c.g.owner.sid), 'owner', 'the owner stays');
        const owners = (await allMembers(c, c.root.sid)).filter((m) => m.role === 'owner');
        assert.deepStrictEqual(owners.map((m) => m.user_sid), [c.g.owner.sid], 'exactly one owner');
        /* An administrator holds every administrator permission: it grants that role. */
        const granted = ok(await c.post(members(sub.sid), { UserSid: x.sid, Role: 'administrator' }, { auth: admin.auth }),
                           201, 'an administrator grants administrator');
        assert.strictEqual(granted.role, 'administrator');
        ok(await c.post('/v1/Users', { Email: `admin-made-${process.pid}@example.com`, Name: 'Made', Passphrase: PASS,
                                       Role: 'administrator', AccountSid: c.root.sid }, { auth: admin.auth }), 201,
           'an administrator creates an administrator');
        const res = await c.del(member(sub.sid, x.sid), { auth: admin.auth });
        assert.strictEqual(res.status, 204, `an administrator removes an administrator: ${where(res)}`);
        assert.strictEqual(await roleOf(c, sub.sid, x.sid), null);
    });

    t.test('escalation: a restricted key with member.manage grants, changes and removes only roles within its Policy', async (c) => {
        const M = c.root.sid;
        const key = await c.createKeyV1(M, { KeyType: 'restricted', Policy: policy('member.manage', 'account.read', 'audit.read') });
        const a = await newUser(c, 'support', (await c.createSub('restricted-manager')).sid, 'rk-a'); /* not on M */
        const dev = await newUser(c, 'developer', undefined, 'rk-dev');
        const mark = await c.auditMark();
        let res = await c.post(members(M), { UserSid: a.sid, Role: 'developer' }, { auth: key });
        const b = error(res, 403, 20403, 'grants developer (key.* and access_token.* it lacks)');
        assert.match(b.message, ESCALATION, 'the refusal says why');
        error(await c.post(members(M), { UserSid: a.sid, Role: 'administrator' }, { auth: key }), 403, 20403,
              'grants administrator');
        error(await c.post(member(M, dev.sid), { Role: 'support' }, { auth: key }), 403, 20403,
              'changes a developer (a role holding permissions it lacks)');
        error(await c.del(member(M, dev.sid), { auth: key }), 403, 20403, 'removes a developer');
        error(await c.post('/v1/Users', { Email: `rk-${process.pid}@example.com`, Name: 'N', Passphrase: PASS,
                                         Role: 'developer', AccountSid: M }, { auth: key }), 403, 20403,
              'creates a developer');
        noEvents(await c.audit(mark), { outcome: 'success', action: /^(member\.|user\.create)/ });
        assert.strictEqual(await roleOf(c, M, dev.sid), 'developer');
        ok(await c.post(members(M), { UserSid: a.sid, Role: 'support' }, { auth: key }), 201, 'grants support');
        res = await c.del(member(M, a.sid), { auth: key });
        assert.strictEqual(res.status, 204, `removes a support member: ${where(res)}`);
        ok(await c.post(members(M), { UserSid: a.sid, Role: 'support' }, { auth: key }), 201, 'grants support again');
        const mark2 = await c.auditMark();
        ok(await c.post(member(M, a.sid), { Role: 'billing_manager' }, { auth: key }), 200,
           'support -> billing_manager (account.read and audit.read both)');
        auditOne(await c.audit(mark2), { action: 'member.update', target: a.sid, actor: key.sid,
                                         detail: roleDetail(M, 'support', 'billing_manager') });
    });

    t.test('ownership: offered by the owner, replaced, withdrawn; accepted only by the offered user\'s own session; one owner after',
           { fresh: true }, async (c) => {
        const M = c.root.sid;
        const first = ownerOf(c);
        const a = await newUser(c, 'administrator', undefined, 'heir-a');
        const b = await newUser(c, 'developer', undefined, 'heir-b');
        const outsider = await newUser(c, 'support', (await c.createSub('elsewhere')).sid, 'outsider');
        const [so, sa, sb] = [await login(c, first), await login(c, a), await login(c, b)];
        const none = ok(await c.get(transfer(M), { auth: so.auth }));
        keys(none, OWNERSHIP_KEYS, 'ownership');
        assert.deepStrictEqual(none, { account_sid: M, owner_sid: first.sid, status: 'none', offered_to_sid: null,
                                       offered_by_sid: null, date_offered: null, date_expires: null,
                                       url: `${c.url}/v1/Accounts/${M}/OwnershipTransfer` });
        error(await c.post(transfer(M), { UserSid: b.sid }, { auth: sa.auth }), 403, 20403, 'an administrator offers');
        error(await c.post(transfer(M), {}, { auth: so.auth }), 400, 20001, 'no UserSid');
        let res = await c.post(transfer(M), { UserSid: outsider.sid }, { auth: so.auth });
        assert.ok(res.status >= 400 && res.status < 500, `an offer to a non-member: ${where(res)}`);
        res = await c.post(transfer(M), { UserSid: first.sid }, { auth: so.auth });
        assert.ok(res.status >= 400 && res.status < 500, `an offer to the owner itself: ${where(res)}`);
        const sub = await c.createSub('no owner here');
        error(await c.get(transfer(sub.sid), { auth: so.auth }), 404, 20404, 'a subaccount has no ownership');

        const mark = await c.auditMark();
        const offered = ok(await c.post(transfer(M), { UserSid: a.sid }, { auth: so.auth }), 201, 'offer to a');
        keys(offered, OWNERSHIP_KEYS, 'offer');
        assert.deepStrictEqual([offered.status, offered.owner_sid, offered.offered_to_sid, offered.offered_by_sid],
                               ['pending', first.sid, a.sid, first.sid]);
        assert.match(offered.date_offered, RE.ISO8601);
        assert.match(offered.date_expires, RE.ISO8601);
        assert.ok(Date.parse(offered.date_expires) > Date.parse(offered.date_offered));
        const replaced = ok(await c.post(transfer(M), { UserSid: b.sid }, { auth: so.auth }), 201, 'offer to b instead');
        assert.strictEqual(replaced.offered_to_sid, b.sid);
        assert.strictEqual(ok(await c.get(transfer(M), { auth: sa.auth })).offered_to_sid, b.sid, 'one offer: the last');
        error(await c.post(`${transfer(M)}/Accept`, {}, { auth: sa.auth }), 404, 20404, 'a, no longer offered, accepts');
        error(await c.post(`${transfer(M)}/Accept`, {}, { auth: so.auth }), 404, 20404, 'the owner accepts for b');
        error(await c.post(`${transfer(M)}/Accept`, {}), 403, 20403, 'the auth token accepts');
        error(await c.post(`${transfer(M)}/Accept`, {}, { auth: c.g.mainKey }), 403, 20403, 'the main key accepts');
        let resW = await c.del(transfer(M), { auth: so.auth });
        assert.strictEqual(resW.status, 204, `withdraw: ${where(resW)}`);
        assert.strictEqual(ok(await c.get(transfer(M), { auth: so.auth })).status, 'none');
        error(await c.post(`${transfer(M)}/Accept`, {}, { auth: sb.auth }), 404, 20404, 'b accepts a withdrawn offer');
        error(await c.del(transfer(M), { auth: so.auth }), 404, 20404, 'withdraw twice');
        let ev = await c.audit(mark);
        assert.strictEqual(findEvents(ev, { action: 'ownership.offer' }).length, 2, 'two offers audited');
        auditOne(ev, { action: 'ownership.offer', target: a.sid, actor: so.sid });
        auditOne(ev, { action: 'ownership.withdraw', actor: so.sid });
        noEvents(ev, { action: 'ownership.accept', outcome: 'success' });
        assert.strictEqual(await roleOf(c, M, first.sid), 'owner');

        /* Credentials never hold ownership.transfer: a former owner who saw the auth token cannot
         * take the ownership back with it.  The owner's own session offers; b accepts. */
        error(await c.post(transfer(M), { UserSid: b.sid }), 403, 20403, 'the auth token offers');
        const mark2 = await c.auditMark();
        const again = ok(await c.post(transfer(M), { UserSid: b.sid }, { auth: so.auth }), 201, 'the owner offers to b');
        assert.strictEqual(again.offered_by_sid, first.sid, 'offered by the owner of record');
        const done = ok(await c.post(`${transfer(M)}/Accept`, {}, { auth: sb.auth }), 200, 'b accepts');
        keys(done, OWNERSHIP_KEYS, 'accepted');
        assert.deepStrictEqual([done.owner_sid, done.status, done.offered_to_sid], [b.sid, 'none', null]);
        ev = await c.audit(mark2);
        auditOne(ev, { action: 'ownership.offer', target: b.sid, actor: so.sid });
        auditOne(ev, { action: 'ownership.accept', target: b.sid, actor: sb.sid, outcome: 'success' });
        const list = await allMembers(c, M);
        assert.deepStrictEqual(list.filter((m) => m.role === 'owner').map((m) => m.user_sid), [b.sid], 'exactly one owner');
        assert.strictEqual(list.find((m) => m.user_sid === first.sid).role, 'administrator', 'the old owner: administrator');
        assert.strictEqual(list.find((m) => m.user_sid === a.sid).role, 'administrator', 'a unchanged');
        error(await c.post(`${transfer(M)}/Accept`, {}, { auth: sb.auth }), 404, 20404, 'accept twice');

        /* The roles act at once: the old owner lost the owner's powers, the new owner has them. */
        error(await c.post(transfer(M), { UserSid: a.sid }, { auth: so.auth }), 403, 20403, 'the old owner offers');
        error(await c.del(member(M, b.sid), { auth: so.auth }), 409, 20409, 'the old owner removes the new owner');
        error(await c.post('/v1/AuthTokens/Secondary', { AccountSid: M }, { auth: so.auth }), 403, 20403,
              'the old owner rotates the auth token');
        assert.strictEqual(ok(await c.get(`/2010-04-01/Accounts/${M}.json`, { auth: so.auth })).auth_token, null,
                           'the old owner no longer sees the auth token');
        assert.strictEqual(ok(await c.get(`/2010-04-01/Accounts/${M}.json`, { auth: sb.auth })).auth_token, c.root.token,
                           'the new owner sees it');
        ok(await c.post(transfer(M), { UserSid: first.sid }, { auth: sb.auth }), 201, 'the new owner offers it back');
        resW = await c.del(transfer(M), { auth: sb.auth });
        assert.strictEqual(resW.status, 204, `and withdraws: ${where(resW)}`);
        /* An offer ends when its user leaves the account. */
        ok(await c.post(transfer(M), { UserSid: a.sid }, { auth: sb.auth }), 201, 'offered to a');
        assert.strictEqual((await c.del(member(M, a.sid), { auth: sb.auth })).status, 204, 'a leaves');
        assert.strictEqual(ok(await c.get(transfer(M), { auth: sb.auth })).status, 'none', 'the offer went with a');
    });

    t.test('keys: nobody changes or deletes a key holding a permission they lack', async (c) => {
        const M = c.root.sid;
        const dev = await login(c, await newUser(c, 'developer', undefined, 'key-guard'));
        const strong = await c.createKeyV1(M, { KeyType: 'restricted', Policy: policy('auth_token.rotate', 'key.read') });
        error(await c.post(`/v1/Keys/${strong.sid}?AccountSid=${M}`, { Policy: policy('key.read') }, { auth: dev.auth }),
              403, 20403, "a developer narrows an owner-made key's Policy");
        error(await c.post(`/v1/Keys/${strong.sid}?AccountSid=${M}`, { FriendlyName: 'mine now' }, { auth: dev.auth }),
              403, 20403, 'a developer renames it');
        error(await c.del(`/v1/Keys/${c.g.mainKey.sid}?AccountSid=${M}`, { auth: dev.auth }), 403, 20403,
              'a developer deletes the main key');
        const deleter = await c.createKeyV1(M, { KeyType: 'restricted', Policy: policy('key.delete') });
        error(await c.del(`/v1/Keys/${c.g.mainKey.sid}`, { auth: deleter }), 403, 20403,
              'a restricted key with key.delete deletes the main key');
        ok(await c.get(`/v1/Keys/${c.g.mainKey.sid}`), 200, 'the main key is still there');
        const weak = await c.createKeyV1(M, { KeyType: 'restricted', Policy: policy('key.read') });
        assert.strictEqual((await c.del(`/v1/Keys/${weak.sid}?AccountSid=${M}`, { auth: dev.auth })).status, 204,
                           'a developer deletes a key within its permissions');
    });

    t.test('subaccounts: people come from the main account; a suspended main account stops every session on its subaccounts; a suspended subaccount is only seen and reactivated', { fresh: true }, async (c) => {
        const M = c.root.sid;
        const s1 = await c.createSub('people-1');
        const s2 = await c.createSub('people-2');
        const s1Admin = await newUser(c, 'administrator', s1.sid, 's1-admin');
        const s2Dev = await newUser(c, 'developer', s2.sid, 's2-dev');
        const staff = await newUser(c, 'support', undefined, 'staff');
        const sa = await login(c, s1Admin);
        error(await c.post(members(s1.sid), { UserSid: s2Dev.sid, Role: 'support' }, { auth: sa.auth }), 404, 20404,
              "a sibling's member is not found");
        error(await c.post(members(s1.sid), { Email: s2Dev.email, Role: 'support' }, { auth: sa.auth }), 404, 20404,
              "a sibling's member by e-mail is not found");
        ok(await c.post(members(s1.sid), { UserSid: staff.sid, Role: 'support' }, { auth: sa.auth }), 201,
           'a member of the main account');
        const admin = await login(c, await newUser(c, 'administrator', undefined, 'main-admin'));
        const dev2 = await login(c, s2Dev);
        /* The parent's administrator suspends the subaccount: it still sees it and
         * reactivates it, and can do nothing else there; its own members are refused. */
        ok(await c.post(`/2010-04-01/Accounts/${s2.sid}.json`, { Status: 'suspended' }, { auth: admin.auth }), 200,
           "the parent's administrator suspends it");
        ok(await c.get(`/2010-04-01/Accounts/${s2.sid}.json`, { auth: admin.auth }), 200, 'and sees it');
        error(await c.post('/v1/Keys', { AccountSid: s2.sid }, { auth: admin.auth }), 403, 20403,
              'but makes no key in it');
        error(await c.post(members(s2.sid), { UserSid: staff.sid, Role: 'support' }, { auth: admin.auth }), 403, 20403,
              'nor adds members');
        error(await c.get(`/v1/Accounts/${s2.sid}/Events`, { auth: dev2.auth }), 403, 20403,
              "its own member is refused while it is suspended");
        ok(await c.post(`/2010-04-01/Accounts/${s2.sid}.json`, { Status: 'active' }, { auth: admin.auth }), 200,
           'reactivated');
        ok(await c.get(`/v1/Accounts/${s2.sid}/Events`, { auth: dev2.auth }), 200, 'its member acts again');
        /* The operator suspends the main account: no session acts on any subaccount. */
        const set = async (status) => {
            const r = await c.g.cli(['account', 'status', '--data', c.g.data, '--account', M, '--status', status]);
            assert.strictEqual(r.code, 0, `account status ${status}: ${r.stderr}`);
        };
        await set('suspended');
        error(await c.get(`/2010-04-01/Accounts/${s1.sid}.json`, { auth: admin.auth }), 403, 20403,
              "the parent's administrator on a subaccount of a suspended main account");
        error(await c.post('/v1/Keys', { AccountSid: s1.sid }, { auth: sa.auth }), 403, 20403,
              "a subaccount's own administrator");
        await set('active');
        ok(await c.get(`/2010-04-01/Accounts/${s1.sid}.json`, { auth: admin.auth }), 200, 'active again');
    });

    t.test('keys: never a permission their creator lacks; a restricted key cannot widen its own Policy', async (c) => {
        const M = c.root.sid;
        const dev = await login(c, await newUser(c, 'developer', undefined, 'key-dev'));
        const billing = await login(c, await newUser(c, 'billing_manager', undefined, 'key-billing'));
        const mark = await c.auditMark();
        const keysOf = { AccountSid: M, KeyType: 'restricted' };
        let b = error(await c.post('/v1/Keys', { ...keysOf, Policy: policy('member.manage') }, { auth: dev.auth }), 403, 20403,
                      'a developer makes a key with member.manage');
        assert.match(b.message, ESCALATION);
        error(await c.post('/v1/Keys', { ...keysOf, Policy: policy('key.read', 'auth_token.rotate') }, { auth: dev.auth }),
              403, 20403, 'a developer makes a key with auth_token.rotate');
        error(await c.post('/v1/Keys', { AccountSid: M }, { auth: billing.auth }), 403, 20403, 'billing_manager makes a key');
        error(await c.post('/v1/Keys', { ...keysOf, Policy: policy('access_token.mint') }), 400, 20001,
              'no key may list access_token.mint');
        error(await c.post('/v1/Keys', { ...keysOf, Policy: policy('user.self') }), 400, 20001, 'nor a self permission');
        error(await c.post('/v1/Keys', { ...keysOf, Policy: JSON.stringify({ allow: ['/gatehouse/key/frobnicate'] }) }),
              400, 20001, 'nor an unknown /gatehouse/ entry');
        noEvents(await c.audit(mark), { action: 'key.create' });
        ok(await c.post('/v1/Keys', { ...keysOf, Policy: policy('key.read') }, { auth: dev.auth }), 201,
           'a developer makes a key within its role');
        ok(await c.post('/v1/Keys', { AccountSid: M }, { auth: dev.auth }), 201, 'and a standard key (it mints)');

        /* A restricted key with key.create: no standard key (it lacks access_token.mint), only subsets. */
        const maker = await c.createKeyV1(M, { KeyType: 'restricted', Policy: policy('key.create', 'key.read') });
        b = error(await c.post('/v1/Keys', { AccountSid: M }, { auth: maker }), 403, 20403, 'a standard key from a restricted key');
        assert.match(b.message, ESCALATION);
        error(await c.post(`/2010-04-01/Accounts/${M}/Keys.json`, {}, { auth: maker }), 403, 20403, 'a 2010 key from it');
        error(await c.post(`/2010-04-01/Accounts/${M}/SigningKeys.json`, {}, { auth: maker }), 403, 20403, 'a signing key');
        error(await c.post('/v1/Keys', { ...keysOf, Policy: policy('key.read', 'member.read') }, { auth: maker }), 403, 20403,
              'a wider restricted key');
        const child = ok(await c.post('/v1/Keys', { ...keysOf, Policy: policy('key.read') }, { auth: maker }), 201,
                         'a narrower restricted key');
        assert.deepStrictEqual(child.policy, { allow: ['/gatehouse/key/read'] });

        /* A restricted key with key.update: its own Policy only within what it holds. */
        const self = await c.createKeyV1(M, { KeyType: 'restricted', Policy: policy('key.read', 'key.update') });
        const mark2 = await c.auditMark();
        b = error(await c.post(`/v1/Keys/${self.sid}`, { Policy: policy('key.read', 'key.update', 'member.manage') },
                               { auth: self }), 403, 20403, 'widen its own Policy');
        assert.match(b.message, ESCALATION);
        error(await c.post(`/v1/Keys/${self.sid}`, { Policy: policy('key.read', 'key.update', 'key.delete') }, { auth: self }),
              403, 20403, 'add key.delete to itself');
        error(await c.post(`/v1/Keys/${child.sid}`, { Policy: policy('member.read') }, { auth: self }), 403, 20403,
              'widen another key beyond itself');
        noEvents(await c.audit(mark2), { action: 'key.update' });
        assert.deepStrictEqual(ok(await c.get(`/v1/Keys/${self.sid}`)).policy,
                               JSON.parse(policy('key.read', 'key.update')), 'the Policy is unchanged');
        ok(await c.post(`/v1/Keys/${child.sid}`, { Policy: policy('key.update') }, { auth: self }), 200,
           'another key, within its own permissions');
        const narrowed = ok(await c.post(`/v1/Keys/${self.sid}`, { Policy: policy('key.read') }, { auth: self }), 200,
                            'narrow its own Policy');
        assert.deepStrictEqual(narrowed.policy, { allow: ['/gatehouse/key/read'] });
        error(await c.post(`/v1/Keys/${self.sid}`, { FriendlyName: 'x' }, { auth: self }), 403, 70051,
              'it no longer holds key.update');
        /* A developer session may not widen a key past its role either. */
        b = error(await c.post(`/v1/Keys/${child.sid}`, { AccountSid: M, Policy: policy('member.read') }, { auth: dev.auth }),
                  403, 20403, 'a developer gives a key member.read');
        assert.match(b.message, ESCALATION);
    });

    t.test('reach: a subaccount\'s credentials never reach the parent or a sibling; guessed SIDs are 404 like unknown ones', async (c) => {
        const M = c.root.sid;
        const s1 = await c.createSub('reach-1');
        const s2 = await c.createSub('reach-2');
        const r = await c.g.cli(['key', 'create', '--type', 'main', '--account', s1.sid, '--json', ...c.g.dataArgs()]);
        assert.strictEqual(r.code, 0, r.stderr);
        const subMain = JSON.parse(r.stdout);
        const subMainKey = { user: subMain.sid, pass: subMain.secret };
        const subReader = await c.createKeyV1(s1.sid, { KeyType: 'restricted', Policy: policy('key.read', 'member.read') }, s1);
        const sibling2010 = await c.createKey2010(s2.sid, { auth: s2 });
        const siblingV1 = await c.createKeyV1(s2.sid, {}, s2);
        const parentKey = await c.createKey2010(M, {});
        const s2member = await newUser(c, 'support', s2.sid, 'reach-member');
        const unknownBody = error(await c.get(`/2010-04-01/Accounts/${fakeSid('AC', 9)}/Keys.json`, { auth: s1 }), 404, 20404);
        const probes = [ /* [method, path, query, permission] */
            ['GET', `/2010-04-01/Accounts/${M}.json`, undefined, 'account.read'],
            ['GET', `/2010-04-01/Accounts/${M}/Keys.json`, undefined, 'key.read'],
            ['GET', `/2010-04-01/Accounts/${M}/Keys/${parentKey.sid}.json`, undefined, 'key.read'],
            ['DELETE', `/2010-04-01/Accounts/${M}/Keys/${parentKey.sid}.json`, undefined, 'key.delete'],
            ['GET', members(M), undefined, 'member.read'],
            ['GET', member(M, c.g.owner.sid), undefined, 'member.read'],
            ['GET', `/2010-04-01/Accounts/${s2.sid}/Keys/${sibling2010.sid}.json`, undefined, 'key.read'],
            ['GET', `/2010-04-01/Accounts/${s2.sid}/Keys.json`, undefined, 'key.read'],
            ['GET', members(s2.sid), undefined, 'member.read'],
            ['GET', member(s2.sid, s2member.sid), undefined, 'member.read'],
            ['GET', `/v1/Keys/${siblingV1.sid}`, { AccountSid: s1.sid }, 'key.read'],
            ['GET', '/v1/Keys', { AccountSid: s2.sid }, 'key.read'],
            ['GET', '/v1/Keys', { AccountSid: M }, 'key.read'],
        ];
        for (const [who, auth] of [['the subaccount\'s auth token', s1], ['the subaccount\'s main key', subMainKey],
                                   ['the subaccount\'s restricted key (key.read, member.read)', subReader]]) {
            for (const [method, p, query, perm] of probes) {
                const res = await c.req(method, p, { auth, query });
                if (auth === subReader && !['key.read', 'member.read'].includes(perm)) {
                    error(res, 403, 70051, `${who} lacks ${perm}: ${method} ${p}`);
                    continue;
                }
                const b = error(res, 404, 20404, `${who}: ${method} ${p}`);
                assert.deepStrictEqual(b, unknownBody, 'the same 404 as for an account that does not exist');
            }
            error(await c.post(members(M), { UserSid: s2member.sid, Role: 'support' }, { auth }),
                  auth === subReader ? 403 : 404, auth === subReader ? 70051 : 20404, `${who} adds to the parent`);
        }
        error(await c.post(`/2010-04-01/Accounts/${M}.json`, { FriendlyName: 'taken over' }, { auth: subMainKey }), 404, 20404,
              'renames the parent');
        error(await c.post('/v1/Users', { Email: `reach-${process.pid}@example.com`, Name: 'N', Passphrase: PASS,
                                         Role: 'support', AccountSid: M }, { auth: s1 }), 404, 20404, 'a user on the parent');
        ok(await c.get(`/2010-04-01/Accounts/${M}/Keys/${parentKey.sid}.json`), 200, 'the parent\'s key is still there');
        ok(await c.get(`/2010-04-01/Accounts/${s1.sid}/Keys.json`, { auth: subMainKey }), 200, 'its own keys');
    });

    t.test('sessions name the account they act on: AccountSid required (400), no role or no account (404)', async (c) => {
        const dev = await login(c, await newUser(c, 'developer', undefined, 'names'));
        const owner = await login(c, ownerOf(c));
        const sub = await c.createSub('names-sub');
        for (const auth of [dev.auth, owner.auth]) {
            error(await c.get('/v1/Keys', { auth }), 400, 20001, 'GET /v1/Keys without AccountSid');
            error(await c.post('/v1/Keys', {}, { auth }), 400, 20001, 'POST /v1/Keys without AccountSid');
            error(await c.del('/v1/AccessTokens/SK00000000000000000000000000000000-1', { auth }), 400, 20001,
                  'revoke without AccountSid');
            error(await c.get('/v1/Keys', { query: { AccountSid: fakeSid('AC', 5) }, auth }), 404, 20404, 'no such account');
            error(await c.get('/v1/Keys', { query: { AccountSid: 'ACnot-a-sid' }, auth }), 404, 20404, 'a malformed SID');
            error(await c.get(`/2010-04-01/Accounts/${fakeSid('AC', 6)}.json`, { auth }), 404, 20404, 'no such account (path)');
        }
        const b = await c.get('/v1/Keys', { auth: owner.auth });
        assert.match(b.json.message, /AccountSid/, 'the 400 names AccountSid');
        error(await c.get(`/2010-04-01/Accounts/${sub.sid}/Keys.json`, { auth: dev.auth }), 404, 20404,
              'a developer of the main account has no role on its subaccount');
        ok(await c.get(`/2010-04-01/Accounts/${sub.sid}/Keys.json`, { auth: owner.auth }), 200, 'the owner acts there');
    });

    t.test('the main account\'s owner and administrators act in its subaccounts; other roles need a role there', async (c) => {
        const sub = await c.createSub('inherit');
        const devUser = await newUser(c, 'developer', undefined, 'inh-dev');
        const dev = await login(c, devUser);
        const admin = await login(c, await newUser(c, 'administrator', undefined, 'inh-admin'));
        const support = await login(c, await newUser(c, 'support', undefined, 'inh-support'));
        const keysOf = `/2010-04-01/Accounts/${sub.sid}/Keys.json`;
        error(await c.get(keysOf, { auth: dev.auth }), 404, 20404, 'a developer before a role there');
        error(await c.get(`/2010-04-01/Accounts/${sub.sid}.json`, { auth: support.auth }), 404, 20404, 'support too');
        ok(await c.get(keysOf, { auth: admin.auth }), 200, 'the administrator inherits');
        const fresh = await newUser(c, 'support', undefined, 'inh-fresh');
        ok(await c.post(members(sub.sid), { UserSid: fresh.sid, Role: 'support' }, { auth: admin.auth }), 201,
           'the administrator manages the subaccount\'s members');
        error(await c.post('/v1/AuthTokens/Secondary', { AccountSid: sub.sid }, { auth: admin.auth }), 403, 20403,
              'but does not rotate its auth token');
        const acct = ok(await c.get(`/2010-04-01/Accounts/${sub.sid}.json`, { auth: admin.auth }));
        assert.strictEqual(acct.auth_token, null, 'nor see it');
        ok(await c.post(members(sub.sid), { UserSid: devUser.sid, Role: 'developer' }), 201, 'a role on the subaccount');
        ok(await c.get(keysOf, { auth: dev.auth }), 200, 'now the developer acts there');
        ok(await c.post(keysOf, {}, { auth: dev.auth }), 201, 'and creates a key');
        error(await c.get(members(sub.sid), { auth: dev.auth }), 403, 20403, 'within its role only');
        /* A subaccount's own role does not reach the parent. */
        const subOnly = await login(c, await newUser(c, 'administrator', sub.sid, 'inh-subonly'));
        error(await c.get(`/2010-04-01/Accounts/${c.root.sid}/Keys.json`, { auth: subOnly.auth }), 404, 20404,
              'a subaccount administrator on the parent');
        ok(await c.get(keysOf, { auth: subOnly.auth }), 200, 'on its subaccount');
    });

    t.test('Account JSON shows auth_token only to holders of auth_token.rotate', async (c) => {
        const M = c.root.sid;
        const one = `/2010-04-01/Accounts/${M}.json`;
        const sub = await c.createSub('tokens-shown');
        const owner = await login(c, ownerOf(c));
        for (const [who, auth] of [['the owner', owner.auth], ['the auth token', c.g.root], ['the main key', c.g.mainKey]]) {
            assert.strictEqual(ok(await c.get(one, { auth })).auth_token, c.root.token, `${who} sees it`);
            const list = ok(await c.get('/2010-04-01/Accounts.json', { query: { AccountSid: M }, auth }));
            assert.strictEqual(list.accounts.find((a) => a.sid === sub.sid).auth_token, sub.token, `${who} sees the sub's`);
        }
        const reader = await c.createKeyV1(M, { KeyType: 'restricted', Policy: policy('account.read') });
        const rotator = await c.createKeyV1(M, { KeyType: 'restricted', Policy: policy('account.read', 'auth_token.rotate') });
        assert.strictEqual(ok(await c.get(one, { auth: reader })).auth_token, null, 'a restricted key with account.read');
        assert.strictEqual(ok(await c.get(one, { auth: rotator })).auth_token, c.root.token,
                           'a restricted key with auth_token.rotate');
        for (const role of ['administrator', 'developer', 'billing_manager', 'support']) {
            const s = await login(c, await newUser(c, role, undefined, `shown-${role}`));
            assert.strictEqual(ok(await c.get(one, { auth: s.auth })).auth_token, null, `${role} sees null`);
            const list = ok(await c.get('/2010-04-01/Accounts.json', { query: { AccountSid: M }, auth: s.auth }));
            assert.ok(list.accounts.every((a) => a.auth_token === null), `${role}'s list shows no auth token`);
            assert.ok(!JSON.stringify(list).includes(c.root.token), `${role}'s list leaks the token`);
        }
        /* A subaccount made by an administrator's session: created, its token not shown. */
        const admin = await login(c, await newUser(c, 'administrator', undefined, 'shown-creator'));
        const made = ok(await c.post('/2010-04-01/Accounts.json', { FriendlyName: 'by admin', AccountSid: M },
                                     { auth: admin.auth }), 201);
        assert.strictEqual(made.auth_token, null);
        assert.match(ok(await c.get(`/2010-04-01/Accounts/${made.sid}.json`)).auth_token, RE.TOKEN, 'it has one');
    });
};
