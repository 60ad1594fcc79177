'use strict';
/*
 * authz -- the authorization matrix (issue 7, roles and least privilege).  The expectations
 * are computed from `gatehouse roles --json` (each route's permission, where it names its
 * account, whether a parent's credentials reach a subaccount there; each role's and each
 * credential's permissions), never written down by hand: for every route that needs a
 * permission, every kind of principal sends one real request and the answer must be the
 * computed one.
 *
 * Principals: a session of each role on the main account (owner, administrator, developer,
 * billing_manager, support); the main key, a standard key, a 2010 signing key, a restricted key
 * (Policy: key.read + member.read) and the auth token of the main account; a subaccount's auth
 * token on its own subaccount; the parent's auth token and main key on that subaccount; a
 * sibling subaccount's auth token on it; the main account's administrator on the subaccount
 * (inherited role) and its developer there (no role on the subaccount); a session pending its
 * second factor; no credentials.
 *
 * Verdicts.  No credentials: 401 20003.  Credentials on a self route: 403 (20403; a restricted
 * key 70051).  A credential lacking the permission: 403 20403 (restricted keys 70051); holding
 * it: allowed on its own account, on a subaccount of its own where the route says `parent`
 * (auth token and main key only), else 404 20404.  A session pending MFA: 403 20403 everywhere
 * but its own POST /v1/Sessions/{Sid}/Mfa.  A full session on an account route: no role on the
 * account it names (the owner and administrators of the main account inherit theirs in its
 * subaccounts) 404 20404; a role without the permission 403 20403; else allowed.  On a self
 * route, a full session is allowed on its own user (and session, offer), 404 on another's.
 *
 * Every allowed probe gets a real target (fresh where the request destroys it: a key to
 * delete, a member to remove, a secondary auth token to delete or promote, an offer to
 * withdraw or accept) and valid parameters, so an allow is exactly the route's success status;
 * a deny is exactly the computed error.  Each case is one route; it lists every principal whose
 * answer differs.  The state the probes change is put back (credentials re-read after a
 * promote; an accepted ownership transfer is transferred back and the roles restored).
 *
 * Not exercised, and why:
 *  - the public routes (POST /v1/Sessions, POST /v2/token, POST /v1/Passphrases/Check,
 *    GET /v1/Health, GET /v1/Health/Ready): they need no permission;
 *  - the parent's and the sibling's credentials on routes where a credential cannot name
 *    another account (2010 Accounts create and list, v1 AuthTokens: they act on the
 *    credential's own account whatever is sent, so the probe would repeat the auth token's);
 *  - sessions "on the subaccount" on self routes (the same sessions; self routes name no
 *    account);
 *  - the owner session accepting an ownership transfer offered to itself (the owner cannot be
 *    offered its own account: 409);
 *  - OwnershipTransfer on a subaccount: subaccounts have no owner, so a principal allowed there
 *    gets 404 as well; the probe checks that 404, which does not tell allow from deny.
 */
const { spawnSync } = require('child_process');
const path = require('path');
const { assert, RE, ok, error, unauthorized, where } = require('./lib/check');

const ROOT = path.resolve(__dirname, '..', '..');
const PASS = 'quiet otter juggles seven lanterns';
const NEW_PASS = 'amber violin drifts past the lighthouse';
const WRONG_PASS = 'not the passphrase of anyone at all';
const bearer = (token) => `Bearer ${token}`;

/* ---- the table, read once when the file loads (the cases are one per route) ---- */

function loadTable() {
    const bin = path.resolve(ROOT, process.env.GATEHOUSE_BIN || 'build-dev/cli/gatehouse');
    const r = spawnSync(bin, ['roles', '--json'], { encoding: 'utf8', timeout: 15000 });
    if (r.status !== 0) {
        throw new Error(`gatehouse roles --json exited ${r.status}: ${r.stderr || r.error}`);
    }
    return JSON.parse(r.stdout);
}

/* A TOTP code from oathtool for the secret at now + offset seconds (as mfa.test.js does). */
function totp(secret, offset = 0) {
    const at = new Date(Date.now() + offset * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
    const r = spawnSync('oathtool', ['--totp', '-b', '-N', at, secret], { encoding: 'utf8' });
    assert.strictEqual(r.status, 0, `oathtool: ${r.stderr}`);
    return r.stdout.trim();
}

/* Replaces each "{}" of a route path by the next capture. */
function fill(pattern, caps = []) {
    let i = 0;
    const out = pattern.replace(/\{\}/g, () => {
        if (i >= caps.length) {
            throw new Error(`no capture ${i} for ${pattern}`);
        }
        return caps[i++];
    });
    assert.strictEqual(i, caps.length, `${caps.length} captures for ${pattern}`);
    return out;
}

/* ---- the shared setup: accounts, keys, users, sessions (once per server) ---- */

const envs = new WeakMap();

function envOf(c, table) {
    if (!envs.has(c.g)) {
        envs.set(c.g, setup(c, table));
    }
    return envs.get(c.g);
}

async function setup(c, table) {
    const g = c.g;
    const main = g.root.sid;
    const env = {
        table, main, seq: 0, token: { [main]: g.root.token }, parentOf: { [main]: null },
        users: {}, keys: {}, memberOf: {}, pools: {}, roles: {},
    };
    env.next = () => ++env.seq;
    env.rootAuth = (acct) => ({ user: acct, pass: env.token[acct] });
    env.setToken = (acct, token) => {
        env.token[acct] = token;
        if (acct === main) {
            g.root.token = g.root.pass = token; /* the harness's default credential follows */
        }
    };
    env.perms = Object.fromEntries(table.permissions.map((p) => [p.name, p]));
    env.rolePerms = Object.fromEntries(table.roles.map((r) => [r.name, r.permissions]));
    env.credPerms = Object.fromEntries(table.credentials.map((x) => [x.name, x]));

    const sub1 = await c.createSub('authz sub1', env.rootAuth(main));
    const sub2 = await c.createSub('authz sub2', env.rootAuth(main));
    env.sub1 = sub1.sid;
    env.sub2 = sub2.sid;
    for (const s of [sub1, sub2]) {
        env.token[s.sid] = s.token;
        env.parentOf[s.sid] = main;
    }

    /* Principal keys of the main account. */
    env.mainKey = g.mainKey;
    env.std = await c.createKeyV1(main, { FriendlyName: 'authz standard' }, env.rootAuth(main));
    env.signing = await c.createKey2010(main, { family: 'SigningKeys', friendlyName: 'authz signing',
                                                auth: env.rootAuth(main) });
    env.restrictedPolicy = ['key.read', 'member.read'];
    env.restricted = await c.createKeyV1(main, {
        FriendlyName: 'authz restricted', KeyType: 'restricted',
        Policy: JSON.stringify({ allow: env.restrictedPolicy.map((n) => env.perms[n].policy) }),
    }, env.rootAuth(main));

    /* Targets in each account a probe may name. */
    for (const acct of [main, env.sub1]) {
        const auth = env.rootAuth(acct);
        const k = {
            k2010: await c.createKey2010(acct, { family: 'Keys', friendlyName: 'authz target', auth }),
            sig2010: await c.createKey2010(acct, { family: 'SigningKeys', friendlyName: 'authz target', auth }),
            v1: await c.createKeyV1(acct, { FriendlyName: 'authz target' }, auth),
            mint: await c.createKeyV1(acct, { FriendlyName: 'authz minting' }, auth),
        };
        const m = ok(await c.post('/v1/AccessTokens', { Identity: 'authz', KeySid: k.mint.sid }, { auth }), 201,
                     'mint the token the Verify probes check');
        k.token = m.token;
        env.keys[acct] = k;
    }

    /* Users: one per role on the main account (the owner is init's), the MFA user (a developer),
     * a member of the subaccount, and a pool of free users for the Members probes. */
    const newUser = async (label, role, acct) => {
        const email = `authz-${label}-${process.pid}-${env.next()}@example.com`;
        const u = ok(await c.post('/v1/Users', { Email: email, Name: `Authz ${label}`, Passphrase: PASS, Role: role,
                                                 AccountSid: acct }, { auth: env.rootAuth(main) }), 201,
                     `create user ${label}`);
        (env.roles[acct] = env.roles[acct] || {})[u.sid] = role;
        return { sid: u.sid, email, pass: PASS, role, label };
    };
    env.users.owner = { sid: g.owner.sid, email: g.owner.email, pass: g.owner.passphrase, role: 'owner', label: 'owner' };
    env.roles[main] = { [g.owner.sid]: 'owner' };
    for (const role of ['administrator', 'developer', 'billing_manager', 'support']) {
        env.users[role] = await newUser(role, role, main);
    }
    env.victim = await newUser('mfa', 'developer', main); /* the pending-MFA principal; "another user" */
    env.memberOf[main] = env.users.billing_manager.sid;
    env.memberOf[env.sub1] = (await newUser('sub-member', 'support', env.sub1)).sid;
    /* Free users for the Members probes, per account they are added to: for the main account,
     * users who are not its members; for a subaccount, members of the main account (a
     * subaccount takes its people from its main account). */
    env.pools = { [main]: [], [env.sub1]: [] };
    for (let i = 0; i < 3; i++) {
        env.pools[main].push(await newUser(`pool${i}`, 'support', env.sub2));
        env.pools[env.sub1].push(await newUser(`subpool${i}`, 'support', main));
    }
    for (const u of Object.values(env.users)) {
        u.session = await login(c, u);
        assert.strictEqual(u.session.status, 'active', `${u.label} logs in to a full session`);
    }

    /* The MFA user: a full session enrols and confirms a factor; the next login is pending. */
    const v = env.victim;
    v.session = await login(c, v);
    const f = ok(await c.post(`/v1/Users/${v.sid}/Factors`, { Type: 'totp' }, { auth: v.session.auth }), 201, 'enrol');
    ok(await c.post(`/v1/Users/${v.sid}/Factors/${f.sid}`, { Code: totp(f.secret) }, { auth: v.session.auth }), 200,
       'confirm');
    v.factor = f.sid;
    v.secret = f.secret;
    v.pending = await login(c, v);
    assert.strictEqual(v.pending.status, 'pending_mfa', 'the MFA user\'s next login is pending');

    env.principals = principals(env);
    return env;
}

async function login(c, user) {
    const s = ok(await c.post('/v1/Sessions', { Email: user.email, Passphrase: user.pass }, { auth: null }), 201,
                 `login as ${user.label}`);
    return { sid: s.sid, token: s.token, auth: bearer(s.token), status: s.status };
}

function principals(env) {
    const { main, sub1, sub2 } = env;
    const session = (role, acct, extra = {}) => ({
        name: `${role} session${acct === main ? '' : ' on the subaccount'}`, kind: 'session', user: env.users[role],
        acct, auth: () => env.users[role].session.auth, ...extra,
    });
    const cred = (name, cred, own, acct, auth, extra = {}) => ({ name, kind: 'cred', cred, own, acct, auth, ...extra });
    return [
        session('owner', main),
        session('administrator', main),
        session('developer', main),
        session('billing_manager', main),
        session('support', main),
        cred('main key', 'main_key', main, main, () => env.mainKey),
        cred('standard key', 'standard_key', main, main, () => env.std, { signsAsItself: true }),
        cred('2010 signing key', 'standard_key', main, main, () => env.signing, { signsAsItself: true }),
        cred(`restricted key (${env.restrictedPolicy.join(', ')})`, 'restricted_key', main, main, () => env.restricted,
             { policy: env.restrictedPolicy }),
        cred('auth token', 'auth_token', main, main, () => env.rootAuth(main)),
        cred('subaccount auth token on its subaccount', 'auth_token', sub1, sub1, () => env.rootAuth(sub1)),
        cred('parent auth token on the subaccount', 'auth_token', main, sub1, () => env.rootAuth(main)),
        cred('parent main key on the subaccount', 'main_key', main, sub1, () => env.mainKey),
        cred('sibling subaccount auth token', 'auth_token', sub2, sub1, () => env.rootAuth(sub2)),
        session('administrator', sub1, { onSub: true }),
        session('developer', sub1, { onSub: true }),
        { name: 'pending-MFA session', kind: 'session', pending: true, user: env.victim, acct: main,
          auth: () => env.victim.pending.auth },
        { name: 'no credentials', kind: 'none', acct: main, auth: () => null },
    ];
}

/* ---- the verdicts, from the table ---- */

const deny = (status, code, reason) => ({ allow: false, status, code, reason });
const ALLOW = { allow: true };

/* The role a user holds on acct: its own there, or (the stronger) the main account's owner or
 * administrator role, which they hold in its subaccounts too. */
const ROLE_ORDER = ['owner', 'administrator', 'developer', 'billing_manager', 'support'];
function roleOn(env, user, acct) {
    const own = (env.roles[acct] || {})[user.sid] || null;
    const parent = env.parentOf[acct];
    let inherited = parent ? (env.roles[parent] || {})[user.sid] || null : null;
    if (inherited !== 'owner' && inherited !== 'administrator') {
        inherited = null;
    }
    if (!own || !inherited) {
        return own || inherited;
    }
    return ROLE_ORDER.indexOf(own) < ROLE_ORDER.indexOf(inherited) ? own : inherited;
}

function permsOf(env, p, acct) {
    if (p.kind === 'session') {
        const role = roleOn(env, p.user, acct);
        return role ? env.rolePerms[role] : [];
    }
    const cred = env.credPerms[p.cred];
    return cred.policy_limited ? cred.permissions.filter((n) => p.policy.includes(n)) : cred.permissions;
}

function verdict(env, route, probe, p) {
    const perm = route.permission;
    const scope = env.perms[perm].scope;
    const restricted = p.kind === 'cred' && p.cred === 'restricted_key';
    if (p.kind === 'cred' && p.acct !== p.own && probe.credOwnOnly && scope !== 'self') {
        return { skip: 'a credential cannot name another account here (it acts on its own)' };
    }
    if (p.kind === 'none') {
        return deny(401, 20003);
    }
    if (scope === 'self') {
        if (p.kind === 'cred') {
            return deny(403, restricted ? 70051 : 20403);
        }
        if (p.onSub) {
            return { skip: 'the same session as on the main account; a self route names no account' };
        }
        if (p.pending) {
            return perm === 'session.mfa' ? { allow: true, self: true } : deny(403, 20403);
        }
        return perm === 'session.mfa' ? deny(403, 20403) : { allow: true, self: true };
    }
    if (p.kind === 'session') {
        if (p.pending) {
            return deny(403, 20403);
        }
        if (!roleOn(env, p.user, p.acct)) {
            return deny(404, 20404, 'no role');
        }
        return permsOf(env, p, p.acct).includes(perm) ? ALLOW : deny(403, 20403);
    }
    if (!permsOf(env, p).includes(perm)) {
        return deny(403, restricted ? 70051 : 20403);
    }
    if (p.acct === p.own || (route.parent && env.parentOf[p.acct] === p.own)) {
        return ALLOW;
    }
    return deny(404, 20404, 'reach');
}

/* Does p see auth tokens on acct (holds auth_token.rotate there)? */
function seesToken(env, p, acct) {
    return permsOf(env, p, acct).includes('auth_token.rotate');
}

/* ---- the probes, one per route ---- */

const sessAcct = (x) => (x.p.kind === 'session' ? { AccountSid: x.acct } : {});
const acctParam = (x) => ({ AccountSid: x.acct });

function checkAccount(x, a, acct) {
    assert.match(a.sid, RE.AC);
    if (acct) {
        assert.strictEqual(a.sid, acct);
    }
    if (seesToken(x.env, x.p, x.acct)) {
        assert.match(String(a.auth_token), RE.TOKEN, `${x.p.name} holds auth_token.rotate: auth_token shown`);
        if (acct) {
            assert.strictEqual(a.auth_token, x.env.token[acct], 'the current auth token');
        }
    } else {
        assert.strictEqual(a.auth_token, null, `${x.p.name} lacks auth_token.rotate: auth_token null`);
    }
}

/* Takes a free user of the pool; makes it a member of acct when asked. */
async function takeMember(x, add) {
    const u = (x.env.pools[x.acct] || []).shift();
    assert.ok(u, 'the user pool is empty');
    if (add) {
        ok(await x.c.post(`/v1/Accounts/${x.acct}/Members`, { UserSid: u.sid, Role: 'support' },
                          { auth: x.env.rootAuth(x.acct) }), 201, 'add a pool user as a member');
    }
    return u;
}

async function giveBack(x, u) {
    const res = await x.c.del(`/v1/Accounts/${x.acct}/Members/${u.sid}`, { auth: x.env.rootAuth(x.acct) });
    assert.ok(res.status === 204 || res.status === 404, `remove the pool user again: ${where(res)}`);
    x.env.pools[x.acct].push(u);
}

async function ensureNoSecondary(x) {
    const res = await x.c.del('/v1/AuthTokens/Secondary', { auth: x.env.rootAuth(x.acct) });
    assert.ok(res.status === 204 || res.status === 404, `clear the secondary token: ${where(res)}`);
}

async function ensureSecondary(x) {
    const res = await x.c.post('/v1/AuthTokens/Secondary', {}, { auth: x.env.rootAuth(x.acct) });
    assert.ok(res.status === 201 || res.status === 409, `make a secondary token: ${where(res)}`);
}

async function withdrawOffer(x) {
    /* Only the owner's own session offers or withdraws (credentials never hold ownership.transfer). */
    const res = await x.c.del(`/v1/Accounts/${x.env.main}/OwnershipTransfer`, { auth: x.env.users.owner.session.auth });
    assert.ok(res.status === 204 || res.status === 404, `withdraw the offer: ${where(res)}`);
}

async function offerTo(x, user, auth) {
    ok(await x.c.post(`/v1/Accounts/${x.env.main}/OwnershipTransfer`, { UserSid: user.sid },
                      { auth: auth || x.env.users.owner.session.auth }), 201, `offer the ownership to ${user.label}`);
}

/*
 * Gives user its role on the main account back (after it passed through owner).  A change of
 * role is what the Members case tests; should it fail there, removing and adding the member
 * again keeps the rest of the matrix meaningful (noted in the case's diagnostics).
 */
async function restoreRole(x, user) {
    const one = `/v1/Accounts/${x.env.main}/Members/${user.sid}`;
    const auth = { auth: x.env.rootAuth(x.env.main) };
    const res = await x.c.post(one, { Role: user.role }, auth);
    if (res.status === 200 && res.json.role === user.role) {
        return;
    }
    x.c.diag(`${user.label}'s role back by a change failed (${where(res)}); removing and adding it instead`);
    const del = await x.c.del(one, auth);
    assert.strictEqual(del.status, 204, `remove ${user.label}: ${where(del)}`);
    ok(await x.c.post(`/v1/Accounts/${x.env.main}/Members`, { UserSid: user.sid, Role: user.role }, auth), 201,
       `add ${user.label} again as ${user.role}`);
}

/* Enrols (and confirms, when asked) a new factor of user with its own session. */
async function newFactor(x, user, confirm) {
    const auth = { auth: user.session.auth };
    const f = ok(await x.c.post(`/v1/Users/${user.sid}/Factors`, { Type: 'totp' }, auth), 201, 'enrol a factor');
    if (confirm) {
        ok(await x.c.post(`/v1/Users/${user.sid}/Factors/${f.sid}`, { Code: totp(f.secret) }, auth), 200, 'confirm it');
        user.verified = true;
    }
    return f;
}

const keys2010 = (family, obj) => ({
    [`POST /2010-04-01/Accounts/{}/${family}.json`]: {
        build: (x) => ({ caps: [x.acct], form: { FriendlyName: 'authz probe' }, expect: 201 }),
        after: async (x, res) => {
            if (res.status === 201) {
                await x.c.del(`/2010-04-01/Accounts/${x.acct}/${family}/${res.json.sid}.json`,
                              { auth: x.env.rootAuth(x.acct) });
            }
        },
    },
    [`GET /2010-04-01/Accounts/{}/${family}.json`]: {
        build: (x) => ({ caps: [x.acct], expect: 200 }),
    },
    [`GET /2010-04-01/Accounts/{}/${family}/{}.json`]: {
        build: (x) => ({ caps: [x.acct, x.env.keys[x.acct][obj].sid], expect: 200,
                         check: (b) => assert.strictEqual(b.sid, x.env.keys[x.acct][obj].sid) }),
    },
    [`POST /2010-04-01/Accounts/{}/${family}/{}.json`]: {
        build: (x) => ({ caps: [x.acct, x.env.keys[x.acct][obj].sid], form: { FriendlyName: `authz ${x.env.next()}` },
                         expect: 200 }),
    },
    [`DELETE /2010-04-01/Accounts/{}/${family}/{}.json`]: {
        build: async (x) => {
            x.fresh = await x.c.createKey2010(x.acct, { family, auth: x.env.rootAuth(x.acct) });
            return { caps: [x.acct, x.fresh.sid], expect: 204 };
        },
        after: (x) => x.c.del(`/2010-04-01/Accounts/${x.acct}/${family}/${x.fresh.sid}.json`,
                              { auth: x.env.rootAuth(x.acct) }),
    },
});

const PROBES = {
    'POST /2010-04-01/Accounts.json': {
        credOwnOnly: true,
        build: (x) => ({ form: { FriendlyName: 'authz probe', ...sessAcct(x) }, expect: 201,
                         check: (b) => checkAccount(x, b, null) }),
        onSub: { status: 400, code: 21101, why: 'subaccounts cannot contain subaccounts' },
    },
    'GET /2010-04-01/Accounts.json': {
        credOwnOnly: true,
        build: (x) => ({ query: sessAcct(x), expect: 200, check: (b) => {
            assert.ok(Array.isArray(b.accounts) && b.accounts.some((a) => a.sid === x.acct), 'the account is listed');
            b.accounts.forEach((a) => checkAccount(x, a, null));
        } }),
    },
    'GET /2010-04-01/Accounts/{}.json': {
        build: (x) => ({ caps: [x.acct], expect: 200, check: (b) => checkAccount(x, b, x.acct) }),
    },
    'POST /2010-04-01/Accounts/{}.json': {
        build: (x) => ({ caps: [x.acct], form: { FriendlyName: `authz ${x.env.next()}` }, expect: 200,
                         check: (b) => checkAccount(x, b, x.acct) }),
    },
    ...keys2010('Keys', 'k2010'),
    ...keys2010('SigningKeys', 'sig2010'),
    'POST /v1/Keys': {
        build: (x) => ({ form: { ...acctParam(x), FriendlyName: 'authz probe' }, expect: 201 }),
        after: async (x, res) => {
            if (res.status === 201) {
                await x.c.del(`/v1/Keys/${res.json.sid}`, { auth: x.env.rootAuth(x.acct) });
            }
        },
    },
    'GET /v1/Keys': {
        build: (x) => ({ query: acctParam(x), expect: 200, check: (b) => assert.ok(Array.isArray(b.keys)) }),
    },
    'GET /v1/Keys/{}': {
        build: (x) => ({ caps: [x.env.keys[x.acct].v1.sid], query: acctParam(x), expect: 200,
                         check: (b) => assert.strictEqual(b.sid, x.env.keys[x.acct].v1.sid) }),
    },
    'POST /v1/Keys/{}': {
        build: (x) => ({ caps: [x.env.keys[x.acct].v1.sid], form: { ...acctParam(x), FriendlyName: `authz ${x.env.next()}` },
                         expect: 200 }),
    },
    'DELETE /v1/Keys/{}': {
        build: async (x) => {
            x.fresh = await x.c.createKeyV1(x.acct, {}, x.env.rootAuth(x.acct));
            return { caps: [x.fresh.sid], query: acctParam(x), expect: 204 };
        },
        after: (x) => x.c.del(`/v1/Keys/${x.fresh.sid}`, { auth: x.env.rootAuth(x.acct) }),
    },
    'POST /v1/AuthTokens/Secondary': {
        credOwnOnly: true,
        build: async (x) => {
            await ensureNoSecondary(x);
            return { form: sessAcct(x), expect: 201,
                     check: (b) => assert.strictEqual(b.account_sid, x.acct) };
        },
        after: (x) => ensureNoSecondary(x),
    },
    'DELETE /v1/AuthTokens/Secondary': {
        credOwnOnly: true,
        build: async (x) => {
            await ensureSecondary(x);
            return { query: sessAcct(x), expect: 204 };
        },
    },
    'POST /v1/AuthTokens/Promote': {
        credOwnOnly: true,
        build: async (x) => {
            await ensureSecondary(x);
            return { form: sessAcct(x), expect: 200, check: (b) => {
                assert.strictEqual(b.account_sid, x.acct);
                assert.match(b.auth_token, RE.TOKEN);
            } };
        },
        after: async (x, res) => {
            if (res.status === 200 && res.json && res.json.auth_token) {
                x.env.setToken(x.acct, res.json.auth_token); /* the old primary is gone */
            }
        },
    },
    'POST /v1/Accounts/{}/Members': {
        build: async (x) => {
            x.member = await takeMember(x, false);
            return { caps: [x.acct], form: { UserSid: x.member.sid, Role: 'support' }, expect: 201, check: (b) => {
                assert.deepStrictEqual([b.account_sid, b.user_sid, b.role], [x.acct, x.member.sid, 'support']);
            } };
        },
        after: (x) => giveBack(x, x.member),
    },
    'GET /v1/Accounts/{}/Events': {
        build: (x) => ({ caps: [x.acct], query: { PageSize: 5 }, expect: 200,
                         check: (b) => {
                             assert.ok(Array.isArray(b.events) && b.events.length > 0, 'the account has events');
                             assert.ok(b.events.every((e) => e.account_sid === x.acct), 'only its own events');
                         } }),
    },
    'GET /v1/Accounts/{}/Members': {
        build: (x) => ({ caps: [x.acct], expect: 200,
                         check: (b) => assert.ok(b.members.some((m) => m.user_sid === x.env.memberOf[x.acct])) }),
    },
    'GET /v1/Accounts/{}/Members/{}': {
        build: (x) => ({ caps: [x.acct, x.env.memberOf[x.acct]], expect: 200,
                         check: (b) => assert.strictEqual(b.user_sid, x.env.memberOf[x.acct]) }),
    },
    'POST /v1/Accounts/{}/Members/{}': {
        build: async (x) => {
            x.member = await takeMember(x, true);
            return { caps: [x.acct, x.member.sid], form: { Role: 'billing_manager' }, expect: 200,
                     check: (b) => assert.strictEqual(b.role, 'billing_manager') };
        },
        after: (x) => giveBack(x, x.member),
    },
    'DELETE /v1/Accounts/{}/Members/{}': {
        build: async (x) => {
            x.member = await takeMember(x, true);
            return { caps: [x.acct, x.member.sid], expect: 204 };
        },
        after: (x) => giveBack(x, x.member),
    },
    'GET /v1/Accounts/{}/OwnershipTransfer': {
        build: (x) => ({ caps: [x.acct], expect: 200,
                         check: (b) => assert.strictEqual(b.owner_sid, x.env.users.owner.sid) }),
        onSub: { status: 404, code: 20404, why: 'subaccounts have no owner' },
    },
    'POST /v1/Accounts/{}/OwnershipTransfer': {
        build: (x) => ({ caps: [x.acct], form: { UserSid: x.env.users.support.sid }, expect: 201,
                         check: (b) => assert.deepStrictEqual([b.status, b.offered_to_sid], ['pending', x.env.users.support.sid]) }),
        after: (x) => withdrawOffer(x),
        onSub: { status: 404, code: 20404, why: 'subaccounts have no owner' },
    },
    'DELETE /v1/Accounts/{}/OwnershipTransfer': {
        build: async (x) => {
            if (x.acct === x.env.main) {
                await offerTo(x, x.env.users.support);
            }
            return { caps: [x.acct], expect: 204 };
        },
        after: (x) => withdrawOffer(x),
        onSub: { status: 404, code: 20404, why: 'subaccounts have no owner' },
    },
    'POST /v1/Accounts/{}/OwnershipTransfer/Accept': {
        self: true,
        /* Offered to x.user; accepted by the principal's own session. */
        build: async (x) => {
            if (x.own && x.user === x.env.users.owner) {
                return { skip: 'the owner cannot be offered its own account' };
            }
            await offerTo(x, x.user);
            return { caps: [x.env.main], expect: 200,
                     check: (b) => assert.deepStrictEqual([b.owner_sid, b.status], [x.user.sid, 'none']) };
        },
        after: async (x, res) => {
            if (res.status !== 200) {
                await withdrawOffer(x);
                return;
            }
            /* Put it back: the new owner offers the ownership to the old one, who accepts. */
            const { owner } = x.env.users;
            await offerTo(x, owner, x.user.session.auth);
            ok(await x.c.post(`/v1/Accounts/${x.env.main}/OwnershipTransfer/Accept`, {}, { auth: owner.session.auth }),
               200, 'the old owner accepts it back');
            if (x.user.role !== 'administrator') {
                await restoreRole(x, x.user);
            }
        },
    },
    'POST /v1/Accounts/{}/MfaPolicy': {
        build: (x) => ({ caps: [x.acct], form: { MfaRequired: 'false' }, expect: 200 }),
    },
    'POST /v1/Users': {
        build: (x) => ({ form: { Email: `authz-probe-${process.pid}-${x.env.next()}@example.com`, Name: 'Probe',
                                 Passphrase: PASS, Role: 'support', ...acctParam(x) }, expect: 201,
                         check: (b) => assert.deepStrictEqual([b.account_sid, b.role], [x.acct, 'support']) }),
    },
    'GET /v1/Users/{}': {
        self: true,
        build: (x) => ({ caps: [x.user.sid], expect: 200, check: (b) => assert.strictEqual(b.sid, x.user.sid) }),
    },
    'POST /v1/Users/{}/Passphrase': {
        self: true,
        build: (x) => ({ caps: [x.user.sid], expect: 200,
                         form: { CurrentPassphrase: x.own ? x.user.pass : WRONG_PASS, NewPassphrase: NEW_PASS } }),
        after: (x, res) => {
            if (x.own && res.status === 200) {
                x.user.pass = NEW_PASS;
            }
        },
    },
    'POST /v1/Users/{}/Factors': {
        self: true,
        build: (x) => ({ caps: [x.user.sid], form: { Type: 'totp' }, expect: 201 }),
    },
    'GET /v1/Users/{}/Factors': {
        self: true,
        build: (x) => ({ caps: [x.user.sid], expect: 200, check: (b) => assert.ok(Array.isArray(b.factors)) }),
    },
    'POST /v1/Users/{}/Factors/{}': {
        self: true,
        build: async (x) => {
            if (!x.own) {
                return { caps: [x.user.sid, x.user.factor], form: { Code: '000000' }, expect: 200 };
            }
            const f = await newFactor(x, x.user, false);
            return { caps: [x.user.sid, f.sid], form: { Code: totp(f.secret) }, expect: 200,
                     check: (b) => assert.strictEqual(b.status, 'verified') };
        },
        after: (x, res) => {
            if (x.own && res.status === 200) {
                x.user.verified = true;
            }
        },
    },
    'DELETE /v1/Users/{}/Factors/{}': {
        self: true,
        build: async (x) => {
            if (!x.own) {
                return { caps: [x.user.sid, x.user.factor], form: { CurrentPassphrase: WRONG_PASS, Code: '000000' },
                         expect: 204 };
            }
            const f = await newFactor(x, x.user, true);
            /* the confirmation took the current step: the next one is the code left */
            return { caps: [x.user.sid, f.sid], form: { CurrentPassphrase: x.user.pass, Code: totp(f.secret, 30) },
                     expect: 204 };
        },
    },
    'POST /v1/Users/{}/RecoveryCodes': {
        self: true,
        build: async (x) => {
            if (x.own && !x.user.verified) {
                await newFactor(x, x.user, true); /* recovery codes need a verified factor */
            }
            return { caps: [x.user.sid], expect: 201, check: (b) => assert.strictEqual(b.recovery_codes.length, 10) };
        },
    },
    'POST /v1/Sessions/{}/Mfa': {
        self: true,
        build: async (x) => {
            if (x.own && x.p.pending) {
                /* a fresh pending session completes its own second step */
                const s = await login(x.c, x.env.victim);
                assert.strictEqual(s.status, 'pending_mfa');
                return { caps: [s.sid], auth: s.auth, form: { Code: totp(x.env.victim.secret, 30) }, expect: 200,
                         check: (b) => assert.strictEqual(b.status, 'active') };
            }
            return { caps: [x.user.session.sid], form: { Code: '000000' }, expect: 200 };
        },
    },
    'GET /v1/Sessions': {
        self: true,
        noOther: true,
        build: (x) => ({ expect: 200, check: (b) => assert.ok(b.sessions.some((s) => s.current === true)) }),
    },
    'DELETE /v1/Sessions': {
        self: true,
        noOther: true,
        build: () => ({ expect: 200, check: (b) => assert.strictEqual(typeof b.revoked, 'number') }),
    },
    'DELETE /v1/Sessions/{}': {
        self: true,
        build: async (x) => {
            if (!x.own) {
                return { caps: [x.user.session.sid], expect: 204 };
            }
            const s = await login(x.c, x.user); /* another session of one's own to log out */
            return { caps: [s.sid], expect: 204 };
        },
    },
    'POST /v1/AccessTokens': {
        build: (x) => ({
            form: x.p.signsAsItself ? { Identity: 'authz' }
                : { Identity: 'authz', KeySid: x.env.keys[x.acct].mint.sid, ...sessAcct(x) },
            expect: 201, check: (b) => assert.strictEqual(b.account_sid, x.acct),
        }),
    },
    'POST /v1/AccessTokens/Verify': {
        build: (x) => ({ form: { Token: x.env.keys[x.acct].token, ...sessAcct(x) }, expect: 200,
                         check: (b) => assert.deepStrictEqual([b.active, b.code], [true, null]) }),
        /* out of reach, the token's issuer is unknown to the caller: 200, inactive, 20103 */
        reachDenied: (b) => assert.deepStrictEqual([b.active, b.code], [false, 20103]),
    },
    'DELETE /v1/AccessTokens/{}': {
        build: (x) => ({ caps: [`${x.env.keys[x.acct].mint.sid}-${1000000 + x.env.next()}`], query: sessAcct(x),
                         expect: 204 }),
    },
};

/* ---- running one probe ---- */

function describe(exp) {
    if (exp.allow) {
        return `allowed (HTTP ${exp.status})`;
    }
    return `HTTP ${exp.status}${exp.code !== undefined ? ` code ${exp.code}` : ''}`;
}

/* null when res is what exp says, else the reason. */
function judge(res, exp, check) {
    try {
        if (exp.allow) {
            if (res.status !== exp.status) {
                return `expected ${describe(exp)}, got ${where(res)}`;
            }
            if (exp.status !== 204) {
                const b = ok(res, exp.status);
                if (check) {
                    check(b);
                }
            } else {
                assert.strictEqual(res.text, '', '204 with a body');
            }
        } else if (exp.status === 401) {
            unauthorized(res);
        } else if (exp.reachDenied) {
            exp.reachDenied(ok(res, 200, 'reach refusal of Verify'));
        } else {
            error(res, exp.status, exp.code);
        }
        return null;
    } catch (e) {
        const first = e.message.split('\n')[0];
        return first.includes(where(res)) ? first : `${first} [expected ${describe(exp)}; got ${where(res)}]`;
    }
}

async function runProbe(c, env, route, probe, p, v, variant) {
    const x = { c, env, p, route, acct: p.acct, own: variant === 'own' };
    if (v.self) {
        x.user = variant === 'own' ? p.user : p.user === env.victim ? env.users.owner : env.victim;
    } else if (route.permission && env.perms[route.permission].scope === 'self') {
        x.user = p.kind === 'session' ? p.user : env.victim; /* a denied principal names some user */
        x.own = false;
    }
    const label = `${p.name}${v.self ? ` (${variant === 'own' ? 'its own' : `${x.user.label}'s`})` : ''}`;
    let req;
    try {
        req = await probe.build(x);
    } catch (e) {
        return `${label}: preparing the probe failed: ${e.message}`;
    }
    if (req.skip) {
        c.diag(`${label}: not exercised: ${req.skip}`);
        return null;
    }
    let exp;
    if (v.allow && (!v.self || variant === 'own')) {
        exp = { allow: true, status: req.expect };
        if (probe.onSub && p.acct !== env.main) {
            exp = { allow: false, status: probe.onSub.status, code: probe.onSub.code };
        }
    } else if (v.allow) {
        exp = { allow: false, status: 404, code: 20404 }; /* another user's */
    } else {
        exp = { allow: false, status: v.status, code: v.code };
        if (v.reason === 'reach' && probe.reachDenied) {
            exp.reachDenied = probe.reachDenied;
        }
    }
    const method = route.method;
    const target = fill(route.path, req.caps || []);
    const auth = req.auth !== undefined ? req.auth : p.auth();
    const opts = { auth, query: req.query };
    if (req.form !== undefined || method === 'POST') {
        opts.form = req.form || {};
    }
    let res;
    try {
        res = await c.req(method, target, opts);
    } catch (e) {
        return `${label}: ${method} ${target}: ${e.message}`;
    }
    const bad = judge(res, exp, req.check);
    let afterFailure = null;
    if (probe.after) {
        try {
            await probe.after(x, res);
        } catch (e) {
            afterFailure = `${label}: putting the state back failed: ${e.message}`;
        }
    }
    const out = [bad && `${label}: ${bad}`, afterFailure].filter(Boolean);
    return out.length ? out.join('\n  ') : null;
}

/* ---- the cases ---- */

/* The routes meant to need no credentials (login, the token endpoint, the passphrase check,
 * health): any other route without a permission is a gap in the table. */
const PUBLIC = new Set(['POST /v1/Sessions', 'POST /v2/token', 'POST /v1/Passphrases/Check',
                        'GET /v1/Health', 'GET /v1/Health/Ready']);

module.exports = (t) => {
    let table;
    try {
        table = loadTable();
    } catch (e) {
        t.test('gatehouse roles --json', async () => { throw e; });
        return;
    }
    const routeKey = (r) => `${r.method} ${r.path}`;

    t.test('gatehouse roles --json: a probe here for every route that needs a permission, and no stale one', async () => {
        const known = new Set(table.permissions.map((p) => p.name));
        const routes = table.routes.filter((r) => r.permission !== null);
        for (const r of routes) {
            assert.ok(known.has(r.permission), `${routeKey(r)} needs an unknown permission ${r.permission}`);
            assert.ok(['path', 'param', 'self'].includes(r.account), `${routeKey(r)}: account ${r.account}`);
            assert.strictEqual(r.account === 'self', table.permissions.find((p) => p.name === r.permission).scope === 'self',
                               `${routeKey(r)}: a self route needs a self permission`);
        }
        const missing = routes.map(routeKey).filter((k) => !PROBES[k]);
        assert.deepStrictEqual(missing, [], 'routes without a probe');
        const stale = Object.keys(PROBES).filter((k) => !routes.some((r) => routeKey(r) === k));
        assert.deepStrictEqual(stale, [], 'probes for routes the server does not have');
        for (const r of table.routes.filter((x) => x.permission === null)) {
            assert.strictEqual(r.account, 'none', `public ${routeKey(r)}`);
        }
    });

    for (const route of table.routes) {
        const key = routeKey(route);
        if (route.permission === null) {
            t.test(`${key} [public]: one of the routes meant to be public, open without credentials`, async (c) => {
                assert.ok(PUBLIC.has(key), `${key} is public but not meant to be (deny by default)`);
                const res = route.method === 'GET' ? await c.get(route.path, { auth: null })
                                                   : await c.post(route.path, {}, { auth: null });
                assert.ok(![403, 404, 405].includes(res.status), `${key}: ${where(res)}`);
                assert.ok(res.status !== 401 || key === 'POST /v2/token', `${key}: ${where(res)}`);
            });
            continue;
        }
        const flags = `${route.permission}, account ${route.account}${route.parent ? ', parent' : ''}`;
        t.test(`${key} [${flags}]: every principal`, { timeout: 120000 }, async (c) => {
            const env = await envOf(c, table);
            const probe = PROBES[key];
            assert.ok(probe, `no probe for ${key}`);
            const failures = [];
            let n = 0;
            for (const p of env.principals) {
                const v = verdict(env, route, probe, p);
                if (v.skip) {
                    c.diag(`${p.name}: not exercised: ${v.skip}`);
                    continue;
                }
                const variants = v.self ? (probe.noOther ? ['own'] : ['own', 'other']) : ['one'];
                for (const variant of variants) {
                    n++;
                    const bad = await runProbe(c, env, route, probe, p, v, variant);
                    if (bad) {
                        failures.push(bad);
                    }
                }
            }
            c.diag(`${n} probes`);
            assert.ok(failures.length === 0, `${failures.length} of ${n} probes of ${key} failed:\n  ${failures.join('\n  ')}`);
        });
    }

    t.test('after the matrix: one owner, the roles as they were, every credential still works', { timeout: 60000 }, async (c) => {
        const env = await envOf(c, table);
        const list = ok(await c.get(`/v1/Accounts/${env.main}/Members`, { query: { PageSize: 1000 },
                                                                           auth: env.rootAuth(env.main) }));
        const owners = list.members.filter((m) => m.role === 'owner').map((m) => m.user_sid);
        assert.deepStrictEqual(owners, [env.users.owner.sid]);
        for (const role of ['administrator', 'developer', 'billing_manager', 'support']) {
            const m = list.members.find((x) => x.user_sid === env.users[role].sid);
            assert.strictEqual(m && m.role, role, `${role} keeps its role`);
        }
        for (const acct of [env.main, env.sub1, env.sub2]) {
            ok(await c.get(`/2010-04-01/Accounts/${acct}.json`, { auth: env.rootAuth(acct) }), 200, `${acct}'s auth token`);
        }
    });
};
