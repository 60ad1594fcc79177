'use strict';
/*
 * tests/compat/flow.js -- drives a fresh `gatehouse serve` with Twilio's official Node helper
 * library (twilio 6.3.1, pinned in package-lock.json) through the shared redirect client
 * (../shared/twilio/redirect-client.js from the repo root), and prints TAP on stdout.
 *
 * Run it through tests/compat/run.sh, which installs the library first.  Environment:
 *   GATEHOUSE_BIN   server binary; a relative path is taken from the repo root
 *                   (default build-dev/cli/gatehouse)
 *   COMPAT_TRACE=1  print every HTTP exchange as a TAP diagnostic after its case
 *
 * Every assertion is made on what the library hands back (instances, Dates, RestException
 * status/code).  Each HTTP exchange is also recorded through axios interceptors on the
 * library's own RequestClient (they observe, they change nothing), so a failing case prints
 * the requests exactly as sent and the responses as received, and the captured-request
 * replay can compare what the library sent with /work/shared/twilio/captured-requests.json.
 */
const path = require('path');
const fs = require('fs');
const os = require('os');
const { spawn, execFile } = require('child_process');
const Module = require('module');
const assert = require('assert/strict');

const HERE = __dirname;
const REPO = path.resolve(HERE, '..', '..');
const SHARED = path.resolve(REPO, '..', 'shared', 'twilio');
const REDIRECT_CLIENT = path.join(SHARED, 'redirect-client.js');
const CAPTURED_FILE = path.join(SHARED, 'captured-requests.json');

// The shared redirect client does require('twilio') from its own folder, which has no
// node_modules: add ours to the global search path (run.sh sets NODE_PATH too).
const NODE_MODULES = path.join(HERE, 'node_modules');
if (!(process.env.NODE_PATH || '').split(path.delimiter).includes(NODE_MODULES)) {
  process.env.NODE_PATH = [NODE_MODULES, process.env.NODE_PATH].filter(Boolean).join(path.delimiter);
  Module._initPaths();
}

const RUN_START = Date.now();
const TRACE = process.env.COMPAT_TRACE === '1';
const REQUEST_TIMEOUT_MS = 15000;
const WATCHDOG_MS = 180000;

/* ------------------------------------------------------------------------------------------ */
/* TAP                                                                                         */
/* ------------------------------------------------------------------------------------------ */

let seq = 0;
let failures = 0;
const failedNames = [];

function out(line) {
  process.stdout.write(line + '\n');
}

function diag(text) {
  for (const line of String(text).split('\n')) out('# ' + line);
}

class Skip extends Error {}
class BailOut extends Error {}

let stopping = false; // set once the flow stops the server itself

/** Throws Skip unless every value is defined (a prerequisite case failed). */
function need(values) {
  for (const [what, v] of Object.entries(values)) {
    if (v === undefined || v === null) throw new Skip(`prerequisite missing: ${what}`);
  }
}

/* Every HTTP exchange the library makes, in order. */
const exchanges = [];

function fmtBody(body, max = 900) {
  if (body === undefined) return '(none)';
  const s = JSON.stringify(body);
  return s.length > max ? s.slice(0, max) + '...' : s;
}

function fmtExchange(e) {
  const u = new URL(e.url);
  const lines = [`  > ${e.method} ${u.pathname}${u.search}   (auth user ${e.authUser})`];
  if (e.body) lines.push(`  >   body: ${e.body}`);
  if (e.error) lines.push(`  < transport error: ${e.error}`);
  else lines.push(`  < ${e.status} ${fmtBody(e.resBody)}`);
  return lines.join('\n');
}

async function test(name, fn) {
  if (serverExited && !stopping) {
    throw new BailOut(`gatehouse serve exited unexpectedly (code ${serverExited.code}, signal ${serverExited.signal})`);
  }
  const start = exchanges.length;
  const notes = [];
  const ctx = {
    note: (s) => notes.push(s),
    since: () => exchanges.slice(start),
    last: () => exchanges[exchanges.length - 1],
  };
  try {
    const v = await fn(ctx);
    out(`ok ${++seq} - ${name}`);
    for (const n of notes) diag('note: ' + n);
    if (TRACE) for (const e of ctx.since()) diag(fmtExchange(e));
    return v;
  } catch (err) {
    if (err instanceof Skip) {
      out(`ok ${++seq} - ${name} # SKIP ${err.message}`);
      return undefined;
    }
    failures++;
    out(`not ok ${++seq} - ${name}`);
    failedNames.push(`${seq} - ${name}`);
    if (err instanceof RestException) diag(`unexpected RestException: ${errDesc(err)}`);
    else if (err instanceof assert.AssertionError) diag(err.message);
    else diag(err && err.stack ? err.stack.split('\n').slice(0, 3).join('\n') : String(err));
    for (const n of notes) diag('note: ' + n);
    const ex = ctx.since();
    if (ex.length) {
      diag(`HTTP exchanges in this case (${ex.length}${ex.length > 8 ? ', last 8 shown' : ''}):`);
      for (const e of ex.slice(-8)) diag(fmtExchange(e));
    }
    return undefined;
  }
}

/* ------------------------------------------------------------------------------------------ */
/* Library plumbing                                                                            */
/* ------------------------------------------------------------------------------------------ */

const twilio = require('twilio');
const { createClient } = require(REDIRECT_CLIENT);
const RestException = twilio.RestException;

function headerValue(headers, name) {
  if (!headers) return undefined;
  const h = typeof headers.toJSON === 'function' ? headers.toJSON() : headers;
  for (const k of Object.keys(h)) if (k.toLowerCase() === name.toLowerCase()) return h[k];
  return undefined;
}

/** Records every exchange of this library client (interceptors only observe). */
function instrument(client, label) {
  const hc = client.httpClient;
  hc.axios.interceptors.request.use((config) => {
    let authUser = '(none)';
    const auth = headerValue(config.headers, 'Authorization');
    if (typeof auth === 'string' && auth.startsWith('Basic ')) {
      authUser = Buffer.from(auth.slice(6), 'base64').toString('utf8').split(':')[0];
    }
    const e = {
      label,
      method: String(config.method).toUpperCase(),
      url: hc.axios.getUri(config),
      body: typeof config.data === 'string' ? config.data : config.data == null ? '' : JSON.stringify(config.data),
      contentType: headerValue(config.headers, 'Content-Type'),
      accept: headerValue(config.headers, 'Accept'),
      authUser,
    };
    config.ghExchange = e;
    exchanges.push(e);
    return config;
  });
  hc.axios.interceptors.response.use(
    (res) => {
      const e = res.config && res.config.ghExchange;
      if (e) {
        e.status = res.status;
        e.resBody = res.data;
        e.resContentType = headerValue(res.headers, 'Content-Type');
      }
      return res;
    },
    (err) => {
      const e = err && err.config && err.config.ghExchange;
      if (e) e.error = String(err.message);
      throw err;
    },
  );
  return client;
}

let baseUrl;

function client(user, pass, opts, label) {
  const c = createClient(user, pass, Object.assign({ timeout: REQUEST_TIMEOUT_MS }, opts || {}), baseUrl);
  return instrument(c, label || user);
}

/** Awaits a library call that must fail with a RestException; returns the exception. */
async function refused(promise, expect = {}) {
  let value;
  try {
    value = await promise;
  } catch (e) {
    if (!(e instanceof RestException)) {
      throw new Error(`expected a RestException, got ${e && e.constructor && e.constructor.name}: ${e && e.message}`);
    }
    const desc = `status ${e.status}, code ${e.code}, message ${JSON.stringify(e.message)}`;
    if (expect.status !== undefined) {
      const ok = Array.isArray(expect.status) ? expect.status.includes(e.status) : e.status === expect.status;
      assert.ok(ok, `RestException.status: expected ${JSON.stringify(expect.status)}, got ${desc}`);
    }
    if (expect.code !== undefined) {
      const ok = Array.isArray(expect.code) ? expect.code.includes(e.code) : e.code === expect.code;
      assert.ok(ok, `RestException.code: expected ${JSON.stringify(expect.code)}, got ${desc}`);
    }
    assert.equal(typeof e.message, 'string', `RestException.message should be a string (${desc})`);
    const ex = exchanges[exchanges.length - 1];
    if (ex && ex.status === e.status) {
      assert.match(String(ex.resContentType), /^application\/json/, `error Content-Type ${ex.resContentType}`);
      assert.ok(ex.resBody && typeof ex.resBody === 'object', `error body is not JSON: ${fmtBody(ex.resBody)}`);
      assert.equal(ex.resBody.status, e.status, 'error body "status" matches the HTTP status');
    }
    if (e.code !== undefined) {
      assert.equal(e.moreInfo, `https://www.twilio.com/docs/errors/${e.code}`, `RestException.moreInfo (${desc})`);
    }
    return e;
  }
  throw new Error(`expected a RestException, but the call succeeded: ${fmtBody(value && value.toJSON ? value.toJSON() : value, 400)}`);
}

function errDesc(e) {
  return `HTTP ${e.status}, code ${e.code}, message ${JSON.stringify(e.message)}`;
}

/* ------------------------------------------------------------------------------------------ */
/* Response-shape checks                                                                       */
/* ------------------------------------------------------------------------------------------ */

const RE = {
  AC: /^AC[0-9a-f]{32}$/,
  SK: /^SK[0-9a-f]{32}$/,
  token: /^[0-9a-f]{32}$/,
  secret: /^[A-Za-z0-9]{32}$/,
  rfc2822: /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} \+0000$/,
  iso8601: /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/,
};

const SHAPES = {
  account: { fields: ['auth_token', 'date_created', 'date_updated', 'friendly_name', 'owner_account_sid', 'sid', 'status', 'subresource_uris', 'type', 'uri'], date: RE.rfc2822 },
  newKey: { fields: ['sid', 'friendly_name', 'date_created', 'date_updated', 'secret'], date: RE.rfc2822 },
  key: { fields: ['sid', 'friendly_name', 'date_created', 'date_updated'], date: RE.rfc2822, noSecret: true },
  iamNewKey: { fields: ['sid', 'friendly_name', 'date_created', 'date_updated', 'secret', 'policy'], date: RE.rfc2822 },
  iamKey: { fields: ['sid', 'friendly_name', 'date_created', 'date_updated', 'policy'], date: RE.rfc2822, noSecret: true },
  iamListKey: { fields: ['sid', 'friendly_name', 'date_created', 'date_updated', 'flags'], date: RE.rfc2822, noSecret: true },
  secondary: { fields: ['account_sid', 'date_created', 'date_updated', 'secondary_auth_token', 'url'], date: RE.iso8601 },
  promotion: { fields: ['account_sid', 'auth_token', 'date_created', 'date_updated', 'url'], date: RE.iso8601 },
};

function camel(s) {
  return s.replace(/_([a-z])/g, (_, c) => c.toUpperCase());
}

/**
 * A library Date must come from the response: the library turns a *missing* date field into
 * the current time, so compare with the raw JSON value.  Everything here was created during
 * this run, so the instant must also fall inside the run (second resolution).
 */
function checkDate(field, parsed, raw, re) {
  assert.equal(typeof raw, 'string', `${field}: response value must be a date string, got ${JSON.stringify(raw)}`);
  assert.match(raw, re, `${field}: ${JSON.stringify(raw)} does not have the expected format ${re}`);
  assert.ok(parsed instanceof Date, `${field}: library value is ${typeof parsed} ${JSON.stringify(parsed)}, not a Date`);
  assert.equal(parsed.getTime(), Date.parse(raw), `${field}: library Date ${parsed.toISOString()} is not the response value ${raw}`);
  const t = parsed.getTime();
  assert.ok(t >= Math.floor(RUN_START / 1000) * 1000 - 1000 && t <= Date.now() + 2000,
    `${field}: ${raw} is outside this run (${new Date(RUN_START).toISOString()} .. now)`);
}

/** Checks the library instance against its raw JSON (all fields present, dates genuine). */
function checkShape(kind, inst, raw) {
  const shape = SHAPES[kind];
  assert.ok(raw && typeof raw === 'object', `${kind}: response body is not a JSON object: ${fmtBody(raw)}`);
  for (const f of shape.fields) {
    assert.ok(Object.prototype.hasOwnProperty.call(raw, f), `${kind}: response lacks field "${f}": ${fmtBody(raw)}`);
    if (f.startsWith('date_')) checkDate(`${kind}.${camel(f)}`, inst[camel(f)], raw[f], shape.date);
    else if (f !== 'policy') assert.notEqual(inst[camel(f)], undefined, `${kind}.${camel(f)} is undefined`);
  }
  if (shape.noSecret) {
    assert.ok(!Object.prototype.hasOwnProperty.call(raw, 'secret'), `${kind}: "secret" must only appear in the create response: ${fmtBody(raw)}`);
  }
}

/** The raw JSON object for `sid` in the responses of this case (item or list element). */
function rawItem(ctx, sid, field = 'sid') {
  for (const e of ctx.since().reverse()) {
    const b = e.resBody;
    if (!b || typeof b !== 'object') continue;
    if (b[field] === sid) return b;
    for (const v of Object.values(b)) {
      if (Array.isArray(v)) {
        const hit = v.find((x) => x && x[field] === sid);
        if (hit) return hit;
      }
    }
  }
  return undefined;
}

/** date_updated must be refreshed by an update made at or after `t0` (second resolution). */
function checkRefreshed(inst, t0, what) {
  assert.ok(inst.dateUpdated instanceof Date && inst.dateUpdated.getTime() >= Math.floor(t0 / 1000) * 1000,
    `${what}: date_updated ${inst.dateUpdated && inst.dateUpdated.toISOString && inst.dateUpdated.toISOString()} was not refreshed by the update sent at ${new Date(t0).toISOString()}`);
  assert.ok(inst.dateUpdated.getTime() >= inst.dateCreated.getTime(), `${what}: date_updated >= date_created`);
}

function lastBody(ctx) {
  return ctx.last().resBody;
}

function expectStatus(ctx, status, what) {
  const e = ctx.last();
  assert.equal(e.status, status, `${what}: HTTP status ${e.status}, expected ${status}`);
  if (status !== 204) {
    assert.match(String(e.resContentType), /^application\/json/, `${what}: Content-Type ${e.resContentType}`);
  }
}

function checkAccount(ctx, a, expect) {
  checkShape('account', a, rawItem(ctx, a.sid));
  assert.match(a.sid, RE.AC, 'account.sid');
  assert.match(a.authToken, RE.token, 'account.authToken');
  assert.ok(['active', 'suspended', 'closed'].includes(a.status), `account.status ${a.status}`);
  assert.ok(['Trial', 'Full'].includes(a.type), `account.type ${a.type}`);
  assert.equal(a.uri, `/2010-04-01/Accounts/${a.sid}.json`, 'account.uri');
  assert.ok(a.subresourceUris && typeof a.subresourceUris === 'object', 'account.subresourceUris');
  assert.equal(a.subresourceUris.keys, `/2010-04-01/Accounts/${a.sid}/Keys.json`, 'subresourceUris.keys');
  assert.equal(a.subresourceUris.signing_keys, `/2010-04-01/Accounts/${a.sid}/SigningKeys.json`, 'subresourceUris.signing_keys');
  for (const [k, v] of Object.entries(expect || {})) assert.equal(a[k], v, `account.${k}`);
}

const ENVELOPE_2010 = ['end', 'first_page_uri', 'last_page_uri', 'next_page_uri', 'num_pages', 'page', 'page_size', 'previous_page_uri', 'start', 'total', 'uri'];

function check2010Envelope(body, listKey, pathPrefix) {
  assert.ok(body && typeof body === 'object', `list body is not an object: ${fmtBody(body)}`);
  const extra = Object.keys(body).filter((k) => k !== listKey && !ENVELOPE_2010.includes(k));
  assert.deepEqual(extra, [], `2010 list body must hold only "${listKey}" and paging keys`);
  assert.ok(Array.isArray(body[listKey]), `"${listKey}" is not an array`);
  for (const k of ['first_page_uri', 'uri']) {
    assert.equal(typeof body[k], 'string', `${k} missing`);
    assert.ok(body[k].startsWith(pathPrefix), `${k} ${body[k]} should start with ${pathPrefix}`);
  }
  assert.ok(body.next_page_uri === null || (typeof body.next_page_uri === 'string' && body.next_page_uri.startsWith(pathPrefix)),
    `next_page_uri must be null or relative (${pathPrefix}...): ${JSON.stringify(body.next_page_uri)}`);
  for (const k of ['page', 'page_size', 'start', 'end']) assert.equal(typeof body[k], 'number', `${k} must be a number`);
}

function checkV1Envelope(body, key) {
  assert.ok(body && typeof body === 'object' && body.meta, `v1 list body lacks "meta": ${fmtBody(body)}`);
  assert.ok(Array.isArray(body[key]), `"${key}" is not an array`);
  assert.equal(body.meta.key, key, 'meta.key');
  for (const k of ['page', 'page_size']) assert.equal(typeof body.meta[k], 'number', `meta.${k}`);
  for (const k of ['url', 'first_page_url']) assert.match(String(body.meta[k]), /^https?:\/\//, `meta.${k} must be absolute`);
  assert.ok(body.meta.next_page_url === null || /^https?:\/\//.test(body.meta.next_page_url), `meta.next_page_url must be null or absolute: ${JSON.stringify(body.meta.next_page_url)}`);
}

function query(e) {
  return new URL(e.url).searchParams;
}

function assertUniqueSet(seen, expected, what) {
  const dups = seen.filter((s, i) => seen.indexOf(s) !== i);
  assert.deepEqual(dups, [], `${what}: seen more than once`);
  assert.deepEqual([...seen].sort(), [...expected].sort(), `${what}: set of SIDs`);
}

/* ------------------------------------------------------------------------------------------ */
/* Server lifecycle                                                                            */
/* ------------------------------------------------------------------------------------------ */

const BIN = path.resolve(REPO, process.env.GATEHOUSE_BIN || 'build-dev/cli/gatehouse');
let dataDir;
let server;
let serverExit; // promise
let serverStderr = '';
let serverExited = null;

function cli(args) {
  return new Promise((resolve, reject) => {
    execFile(BIN, args, { timeout: 30000 }, (err, stdout, stderr) => {
      if (err) {
        reject(new Error(`gatehouse ${args.join(' ')} failed: ${err.message}\nstdout: ${stdout}\nstderr: ${stderr}`));
        return;
      }
      try {
        resolve(JSON.parse(stdout));
      } catch (e) {
        reject(new Error(`gatehouse ${args.join(' ')}: stdout is not JSON: ${JSON.stringify(stdout)} (stderr ${stderr})`));
      }
    });
  });
}

function startServer() {
  return new Promise((resolve, reject) => {
    server = spawn(BIN, ['serve', '--data', dataDir, '--listen', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let settled = false;
    const timer = setTimeout(() => {
      if (!settled) {
        settled = true;
        reject(new Error(`no "listening" line within 20 s; stdout ${JSON.stringify(stdout)} stderr ${JSON.stringify(serverStderr)}`));
      }
    }, 20000);
    serverExit = new Promise((res) => {
      server.on('exit', (code, signal) => {
        serverExited = { code, signal };
        clearTimeout(timer);
        if (!settled) {
          settled = true;
          reject(new Error(`server exited before listening (code ${code}, signal ${signal}); stderr ${JSON.stringify(serverStderr)}`));
        }
        res(serverExited);
      });
    });
    server.on('error', (err) => {
      if (!settled) {
        settled = true;
        clearTimeout(timer);
        reject(err);
      }
    });
    server.stderr.setEncoding('utf8');
    server.stderr.on('data', (d) => {
      serverStderr += d;
    });
    server.stdout.setEncoding('utf8');
    server.stdout.on('data', (d) => {
      stdout += d;
      const m = /gatehouse: listening on (http:\/\/[^\s]+)/.exec(stdout);
      if (m && !settled) {
        settled = true;
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
  });
}

async function stopServer() {
  stopping = true;
  if (!server || serverExited) return serverExited;
  server.kill('SIGTERM');
  const killer = setTimeout(() => {
    if (!serverExited) server.kill('SIGKILL');
  }, 10000);
  const r = await serverExit;
  clearTimeout(killer);
  return r;
}

function cleanup() {
  if (server && !serverExited) {
    try {
      server.kill('SIGKILL');
    } catch (e) { /* already gone */ }
  }
  if (dataDir) {
    fs.rmSync(dataDir, { recursive: true, force: true });
    dataDir = undefined;
  }
}

/* ------------------------------------------------------------------------------------------ */
/* The flow                                                                                    */
/* ------------------------------------------------------------------------------------------ */

const POLICY_RW = { allow: ['/twilio/messaging/messages/read', '/twilio/messaging/messages/create'] };
const POLICY_R = { allow: ['/twilio/messaging/messages/read'] };

async function main() {
  const S = {}; // state shared between cases
  const accountsSeen = new Set(); // every account that must appear in list()

  diag(`gatehouse binary: ${BIN}`);
  diag(`twilio ${require('twilio/package.json').version} from ${path.dirname(require.resolve('twilio/package.json'))}`);

  /* ---------------- setup ---------------- */

  await test('redirect client and this test load the same pinned twilio module', async () => {
    const fromShared = Module.createRequire(REDIRECT_CLIENT).resolve('twilio');
    assert.equal(fromShared, require.resolve('twilio'));
    assert.equal(require('twilio/package.json').version, '6.3.1');
  });

  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-compat-'));

  S.init = await test('gatehouse init --json prints the main account SID and auth token', async () => {
    const r = await cli(['init', '--data', dataDir, '--json']);
    assert.match(r.account_sid, RE.AC);
    assert.match(r.auth_token, RE.token);
    return r;
  });
  S.mainSid = S.init && S.init.account_sid;
  S.mainToken = S.init && S.init.auth_token;

  S.mainKey = await test('gatehouse key create --type main --json prints a main key', async () => {
    need({ init: S.init });
    const r = await cli(['key', 'create', '--type', 'main', '--data', dataDir, '--json']);
    assert.match(r.sid, RE.SK);
    assert.match(r.secret, RE.secret);
    assert.equal(r.account_sid, S.mainSid);
    return r;
  });

  baseUrl = await test('gatehouse serve binds 127.0.0.1:0 and reports its URL', async () => {
    need({ init: S.init });
    const url = await startServer();
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
    return url;
  });
  if (!baseUrl) {
    out('Bail out! server did not start');
    return;
  }
  process.env.GATEHOUSE_BASE_URL = baseUrl;
  diag(`server: ${baseUrl}, data folder ${dataDir}`);
  accountsSeen.add(S.mainSid);

  let mainc = client(S.mainSid, S.mainToken, {}, 'main');
  S.setMain = (c) => {
    mainc = c;
  };
  const accounts = () => mainc.api.v2010.accounts;

  /* ---------------- Accounts ---------------- */

  await test('main account fetch: owner_account_sid equals its own sid', async (ctx) => {
    const a = await mainc.api.v2010.account.fetch();
    expectStatus(ctx, 200, 'fetch');
    checkAccount(ctx, a, { sid: S.mainSid, ownerAccountSid: S.mainSid, status: 'active', authToken: S.mainToken });
  });

  S.sub = await test('accounts.create({friendlyName}) creates a subaccount (201)', async (ctx) => {
    const a = await accounts().create({ friendlyName: 'compat-sub-1' });
    expectStatus(ctx, 201, 'create');
    checkAccount(ctx, a, { friendlyName: 'compat-sub-1', status: 'active', ownerAccountSid: S.mainSid });
    assert.notEqual(a.sid, S.mainSid);
    assert.notEqual(a.authToken, S.mainToken);
    accountsSeen.add(a.sid);
    return a;
  });

  S.sub2 = await test('accounts.create() twice more (second subaccount named, third default name)', async (ctx) => {
    const b = await accounts().create({ friendlyName: 'compat-sub-2 ünïcode & + spaces' });
    assert.equal(b.friendlyName, 'compat-sub-2 ünïcode & + spaces', 'friendlyName round trip (UTF-8, "&", "+", spaces)');
    accountsSeen.add(b.sid);
    const c = await accounts().create();
    checkAccount(ctx, c, { ownerAccountSid: S.mainSid, status: 'active' });
    assert.match(c.friendlyName, /^SubAccount Created at /, 'default friendly name');
    ctx.note(`default friendly name: ${JSON.stringify(c.friendlyName)}`);
    accountsSeen.add(c.sid);
    S.sub3 = c;
    return b;
  });

  await test('accounts.list() returns an array with the main account and every subaccount', async (ctx) => {
    const list = await accounts().list();
    assert.ok(Array.isArray(list));
    assertUniqueSet(list.map((a) => a.sid), accountsSeen, 'accounts.list()');
    for (const a of list) checkAccount(ctx, a);
    check2010Envelope(lastBody(ctx), 'accounts', '/2010-04-01/Accounts.json');
  });

  await test('accounts.list({friendlyName}) filters by exact friendly name', async (ctx) => {
    need({ sub: S.sub, sub2: S.sub2 });
    const l1 = await accounts().list({ friendlyName: 'compat-sub-1' });
    assert.deepEqual(l1.map((a) => a.sid), [S.sub.sid]);
    const l2 = await accounts().list({ friendlyName: S.sub2.friendlyName });
    assert.deepEqual(l2.map((a) => a.sid), [S.sub2.sid], 'filter value with UTF-8, "&", "+" and spaces');
    const l3 = await accounts().list({ friendlyName: 'compat-sub' });
    assert.deepEqual(l3, [], 'a prefix is not an exact match');
    assert.equal(query(ctx.since()[0]).get('FriendlyName'), 'compat-sub-1');
  });

  await test('accounts.list({status}) filters by status', async () => {
    const active = await accounts().list({ status: 'active' });
    assertUniqueSet(active.map((a) => a.sid), accountsSeen, 'status=active');
    const suspended = await accounts().list({ status: 'suspended' });
    assert.deepEqual(suspended, []);
  });

  await test('accounts.each({pageSize: 1}) follows next_page_uri and sees every account exactly once', async (ctx) => {
    const seen = [];
    await accounts().each({ pageSize: 1 }, (a) => {
      seen.push(a.sid);
    });
    assertUniqueSet(seen, accountsSeen, 'each({pageSize:1})');
    const gets = ctx.since();
    assert.equal(new URL(gets[0].url).search, '?PageSize=1', 'first request sends only PageSize');
    for (const e of gets) {
      assert.equal(e.status, 200, `page request ${e.url}`);
      assert.equal(query(e).get('PageSize'), '1', `PageSize kept on ${e.url}`);
      check2010Envelope(e.resBody, 'accounts', '/2010-04-01/Accounts.json');
      assert.ok(e.resBody.accounts.length <= 1, 'page_size 1 honoured');
      assert.equal(e.resBody.page_size, 1, 'page_size');
    }
    assert.ok(gets.length === accountsSeen.size || gets.length === accountsSeen.size + 1,
      `${gets.length} page requests for ${accountsSeen.size} accounts`);
    gets.forEach((e, i) => assert.equal(e.resBody.page, i, `page number of request ${i}`));
    assert.equal(gets[gets.length - 1].resBody.next_page_uri, null, 'last page has next_page_uri null');
  });

  await test('accounts.list({pageSize: 1, status}) carries the filter across pages', async (ctx) => {
    const seen = (await accounts().list({ pageSize: 1, status: 'active' })).map((a) => a.sid);
    assertUniqueSet(seen, accountsSeen, 'list({pageSize:1,status:active})');
    for (const e of ctx.since()) assert.equal(query(e).get('Status'), 'active', `Status kept on ${e.url}`);
  });

  await test('accounts.list({limit: 2}) stops after two accounts', async () => {
    const l = await accounts().list({ limit: 2 });
    assert.equal(l.length, 2);
  });

  await test('accounts(sid).fetch() returns the subaccount', async (ctx) => {
    need({ sub: S.sub });
    const a = await accounts()(S.sub.sid).fetch();
    expectStatus(ctx, 200, 'fetch');
    checkAccount(ctx, a, { sid: S.sub.sid, friendlyName: 'compat-sub-1', ownerAccountSid: S.mainSid, authToken: S.sub.authToken });
  });

  await test('accounts(SID in upper-case hex).fetch() is accepted', async (ctx) => {
    need({ sub: S.sub });
    const upper = 'AC' + S.sub.sid.slice(2).toUpperCase();
    const a = await accounts()(upper).fetch();
    checkAccount(ctx, a, { sid: S.sub.sid });
  });

  await test('accounts(sid).update({friendlyName}) renames (200) and fetch sees it', async (ctx) => {
    need({ sub: S.sub });
    const t0 = Date.now();
    const a = await accounts()(S.sub.sid).update({ friendlyName: 'compat-sub-1-renamed' });
    expectStatus(ctx, 200, 'update');
    checkRefreshed(a, t0, 'account update');
    checkAccount(ctx, a, { sid: S.sub.sid, friendlyName: 'compat-sub-1-renamed', status: 'active' });
    assert.ok(a.dateUpdated.getTime() >= a.dateCreated.getTime(), 'date_updated >= date_created');
    const f = await accounts()(S.sub.sid).fetch();
    assert.equal(f.friendlyName, 'compat-sub-1-renamed');
  });

  await test('accounts(sid).update({status: "suspended"}) suspends; list({status}) sees it', async (ctx) => {
    need({ sub: S.sub });
    const a = await accounts()(S.sub.sid).update({ status: 'suspended' });
    checkAccount(ctx, a, { sid: S.sub.sid, status: 'suspended' });
    assert.equal((await accounts()(S.sub.sid).fetch()).status, 'suspended');
    const l = await accounts().list({ status: 'suspended' });
    assert.deepEqual(l.map((x) => x.sid), [S.sub.sid]);
  });

  await test('suspended subaccount: its own credentials are refused', async (ctx) => {
    need({ sub: S.sub });
    const subc = client(S.sub.sid, S.sub.authToken, {}, 'sub');
    const e = await refused(subc.api.v2010.account.fetch(), { status: [401, 403] });
    ctx.note(`suspended subaccount's own credentials: ${errDesc(e)}`);
  });

  await test('accounts(sid).update({status: "active"}) reactivates', async (ctx) => {
    need({ sub: S.sub });
    const a = await accounts()(S.sub.sid).update({ status: 'active' });
    checkAccount(ctx, a, { sid: S.sub.sid, status: 'active' });
    assert.equal((await accounts()(S.sub.sid).fetch()).status, 'active');
    assert.deepEqual(await accounts().list({ status: 'suspended' }), []);
    const subc = client(S.sub.sid, S.sub.authToken, {}, 'sub');
    assert.equal((await subc.api.v2010.account.fetch()).sid, S.sub.sid, 'subaccount credentials work again');
  });

  await test('accounts(nonexistent AC sid).fetch() -> RestException 404 / 20404', async () => {
    const e = await refused(accounts()('AC00000000000000000000000000000000').fetch(), { status: 404, code: 20404 });
    assert.ok(e.message.length > 0);
  });

  await test('accounts(nonexistent AC sid).update() -> RestException 404 / 20404', async () => {
    await refused(accounts()('ACffffffffffffffffffffffffffffffff').update({ friendlyName: 'x' }), { status: 404, code: 20404 });
  });

  await test('accounts(sid).update({status: "bogus"}) -> RestException 400', async () => {
    need({ sub: S.sub });
    const e = await refused(accounts()(S.sub.sid).update({ status: 'bogus' }), { status: 400 });
    assert.equal((await accounts()(S.sub.sid).fetch()).status, 'active');
    return e;
  });

  await test('accounts.create({friendlyName: 65 chars}) -> RestException 400 (FriendlyName is 1-64 chars)', async (ctx) => {
    const e = await refused(accounts().create({ friendlyName: 'x'.repeat(65) }), { status: 400 });
    ctx.note(`over-long FriendlyName: ${errDesc(e)}`);
  });

  /* ---------------- 2010 Keys ---------------- */

  const mainAcct = () => mainc.api.v2010.accounts(S.mainSid);

  S.key = await test('accounts(sid).newKeys.create({friendlyName}) creates a standard key (201, secret once)', async (ctx) => {
    const k = await mainAcct().newKeys.create({ friendlyName: 'ci' });
    expectStatus(ctx, 201, 'create');
    checkShape('newKey', k, lastBody(ctx));
    assert.match(k.sid, RE.SK);
    assert.match(k.secret, RE.secret);
    assert.equal(k.friendlyName, 'ci');
    return k;
  });

  await test('accounts(sid).keys.list() lists the key without its secret', async (ctx) => {
    need({ key: S.key });
    const l = await mainAcct().keys.list();
    assert.ok(Array.isArray(l));
    const k = l.find((x) => x.sid === S.key.sid);
    assert.ok(k, 'new key listed');
    assert.equal(k.friendlyName, 'ci');
    checkShape('key', k, rawItem(ctx, k.sid));
    check2010Envelope(lastBody(ctx), 'keys', `/2010-04-01/Accounts/${S.mainSid}/Keys.json`);
  });

  await test('accounts(sid).keys(sid).fetch() returns the key without its secret', async (ctx) => {
    need({ key: S.key });
    const k = await mainAcct().keys(S.key.sid).fetch();
    expectStatus(ctx, 200, 'fetch');
    checkShape('key', k, lastBody(ctx));
    assert.equal(k.sid, S.key.sid);
    assert.equal(k.friendlyName, 'ci');
    assert.equal(k.dateCreated.getTime(), S.key.dateCreated.getTime());
  });

  await test('accounts(sid).keys(sid).update({friendlyName}) renames the key', async (ctx) => {
    need({ key: S.key });
    const t0 = Date.now();
    const k = await mainAcct().keys(S.key.sid).update({ friendlyName: 'ci-2' });
    expectStatus(ctx, 200, 'update');
    checkRefreshed(k, t0, 'key update');
    checkShape('key', k, lastBody(ctx));
    assert.equal(k.friendlyName, 'ci-2');
    assert.equal((await mainAcct().keys(S.key.sid).fetch()).friendlyName, 'ci-2');
  });

  await test('standard key: refused on Accounts with 403 / 20403', async () => {
    need({ key: S.key });
    const kc = client(S.key.sid, S.key.secret, { accountSid: S.mainSid }, 'standard-key');
    await refused(kc.api.v2010.account.fetch(), { status: 403, code: 20403 });
    await refused(kc.api.v2010.accounts.list(), { status: 403, code: 20403 });
    await refused(kc.api.v2010.accounts.create({ friendlyName: 'by-standard-key' }), { status: 403, code: 20403 });
  });

  await test('standard key: refused on Keys and AuthTokens', async (ctx) => {
    need({ key: S.key });
    const kc = client(S.key.sid, S.key.secret, { accountSid: S.mainSid }, 'standard-key');
    const e1 = await refused(kc.api.v2010.account.keys.list(), { status: [401, 403] });
    const e2 = await refused(kc.iam.v1.getApiKeys.list({ accountSid: S.mainSid }), { status: [401, 403] });
    const e3 = await refused(kc.accounts.v1.secondaryAuthToken().create(), { status: [401, 403] });
    ctx.note(`standard key on 2010 Keys: ${errDesc(e1)}; on iam Keys: ${errDesc(e2)}; on AuthTokens: ${errDesc(e3)}`);
  });

  await test('main key (CLI): fetches the account, lists accounts and keys', async (ctx) => {
    need({ mainKey: S.mainKey });
    const kc = client(S.mainKey.sid, S.mainKey.secret, { accountSid: S.mainSid }, 'main-key');
    const a = await kc.api.v2010.account.fetch();
    checkAccount(ctx, a, { sid: S.mainSid });
    assertUniqueSet((await kc.api.v2010.accounts.list()).map((x) => x.sid), accountsSeen, 'accounts via main key');
    const keys = await kc.api.v2010.account.keys.list();
    assert.ok(keys.some((k) => k.sid === S.mainKey.sid), 'main key lists itself');
    const made = await kc.api.v2010.accounts.create({ friendlyName: 'made-by-main-key' });
    checkAccount(ctx, made, { ownerAccountSid: S.mainSid, friendlyName: 'made-by-main-key' });
    accountsSeen.add(made.sid);
  });

  S.signingKey = await test('newSigningKeys.create / signingKeys.list / fetch / update', async (ctx) => {
    const k = await mainAcct().newSigningKeys.create({ friendlyName: 'sign' });
    expectStatus(ctx, 201, 'create');
    checkShape('newKey', k, lastBody(ctx));
    assert.match(k.sid, RE.SK);
    assert.match(k.secret, RE.secret);
    const l = await mainAcct().signingKeys.list();
    assert.ok(Array.isArray(l));
    assert.ok(l.some((x) => x.sid === k.sid), 'listed');
    check2010Envelope(lastBody(ctx), 'signing_keys', `/2010-04-01/Accounts/${S.mainSid}/SigningKeys.json`);
    checkShape('key', l.find((x) => x.sid === k.sid), rawItem(ctx, k.sid));
    const f = await mainAcct().signingKeys(k.sid).fetch();
    checkShape('key', f, lastBody(ctx));
    assert.equal(f.friendlyName, 'sign');
    const t0 = Date.now();
    const u = await mainAcct().signingKeys(k.sid).update({ friendlyName: 'sign-2' });
    checkRefreshed(u, t0, 'signing key update');
    checkShape('key', u, lastBody(ctx));
    assert.equal(u.friendlyName, 'sign-2');
    const inKeys = (await mainAcct().keys.list()).some((x) => x.sid === k.sid);
    const inIam = (await mainc.iam.v1.getApiKeys.list({ accountSid: S.mainSid })).some((x) => x.sid === k.sid);
    ctx.note(`signing key listed by keys.list(): ${inKeys}; by iam getApiKeys.list(): ${inIam}`);
    return k;
  });

  await test('signing key is no main key (refused on Accounts/Keys); remove() -> true (204); then 404', async (ctx) => {
    need({ signingKey: S.signingKey });
    const kc = client(S.signingKey.sid, S.signingKey.secret, { accountSid: S.mainSid }, 'signing-key');
    const e1 = await refused(kc.api.v2010.account.fetch(), { status: [401, 403] });
    const e2 = await refused(kc.api.v2010.account.keys.list(), { status: [401, 403] });
    ctx.note(`signing key as Basic-auth credential on Accounts: ${errDesc(e1)}; on Keys: ${errDesc(e2)}`);
    assert.equal(await mainAcct().signingKeys(S.signingKey.sid).remove(), true);
    expectStatus(ctx, 204, 'remove');
    await refused(mainAcct().signingKeys(S.signingKey.sid).fetch(), { status: 404, code: 20404 });
  });

  await test('keys.each({pageSize: 1}) pages through all keys exactly once', async (ctx) => {
    const extra = [];
    for (let i = 0; i < 3; i++) extra.push(await mainAcct().newKeys.create({ friendlyName: `page-${i}` }));
    const all = (await mainAcct().keys.list({ pageSize: 1000 })).map((k) => k.sid);
    for (const k of extra) assert.ok(all.includes(k.sid), 'new key listed');
    const seen = [];
    await mainAcct().keys.each({ pageSize: 1 }, (k) => {
      seen.push(k.sid);
    });
    assertUniqueSet(seen, all, 'keys.each({pageSize:1})');
    for (const e of ctx.since().filter((x) => x.method === 'GET')) {
      check2010Envelope(e.resBody, 'keys', `/2010-04-01/Accounts/${S.mainSid}/Keys.json`);
    }
    for (const k of extra) assert.equal(await mainAcct().keys(k.sid).remove(), true);
  });

  await test('keys(sid).remove() -> true (204); the deleted key is refused with 401 / 20003', async (ctx) => {
    need({ key: S.key });
    assert.equal(await mainAcct().keys(S.key.sid).remove(), true);
    expectStatus(ctx, 204, 'remove');
    assert.equal(ctx.last().resBody, '', '204 body must be empty');
    await refused(mainAcct().keys(S.key.sid).fetch(), { status: 404, code: 20404 });
    assert.ok(!(await mainAcct().keys.list()).some((k) => k.sid === S.key.sid), 'no longer listed');
    const kc = client(S.key.sid, S.key.secret, { accountSid: S.mainSid }, 'deleted-key');
    await refused(kc.api.v2010.account.fetch(), { status: 401, code: 20003 });
  });

  await test('keys(nonexistent SK).fetch/update/remove -> 404 / 20404', async () => {
    const ghost = 'SK00000000000000000000000000000000';
    await refused(mainAcct().keys(ghost).fetch(), { status: 404, code: 20404 });
    await refused(mainAcct().keys(ghost).update({ friendlyName: 'x' }), { status: 404, code: 20404 });
    await refused(mainAcct().keys(ghost).remove(), { status: 404, code: 20404 });
  });

  /* ---------------- auth-token rotation (accounts v1) ---------------- */

  const v1 = () => mainc.accounts.v1;

  S.secondary = await test('secondaryAuthToken().create() (201, ISO 8601 dates)', async (ctx) => {
    const s = await v1().secondaryAuthToken().create();
    expectStatus(ctx, 201, 'create');
    assert.equal(ctx.last().body, '', 'request body empty');
    checkShape('secondary', s, lastBody(ctx));
    assert.equal(s.accountSid, S.mainSid);
    assert.match(s.secondaryAuthToken, RE.token);
    assert.notEqual(s.secondaryAuthToken, S.mainToken);
    assert.match(s.url, /\/v1\/AuthTokens\/Secondary$/, 'url');
    ctx.note(`secondary url: ${s.url}`);
    return s;
  });

  await test('the secondary token authenticates; the primary still does', async (ctx) => {
    need({ secondary: S.secondary });
    const sc = client(S.mainSid, S.secondary.secondaryAuthToken, {}, 'main/secondary');
    const a = await sc.api.v2010.account.fetch();
    checkAccount(ctx, a, { sid: S.mainSid, authToken: S.mainToken });
    assert.equal((await mainc.api.v2010.account.fetch()).sid, S.mainSid);
    if (S.sub) {
      const ss = client(S.mainSid, S.secondary.secondaryAuthToken, { accountSid: S.sub.sid }, 'main/secondary-as-sub');
      assert.equal((await ss.api.v2010.account.fetch()).sid, S.sub.sid, 'parent secondary reaches the subaccount');
    }
  });

  S.promoted = await test('authTokenPromotion().update() promotes the secondary (200)', async (ctx) => {
    need({ secondary: S.secondary });
    const p = await v1().authTokenPromotion().update();
    expectStatus(ctx, 200, 'promote');
    checkShape('promotion', p, lastBody(ctx));
    assert.equal(p.accountSid, S.mainSid);
    assert.equal(p.authToken, S.secondary.secondaryAuthToken);
    assert.match(p.url, /\/v1\/AuthTokens\/Promote$/, 'url');
    return p;
  });

  if (S.promoted) {
    S.oldToken = S.mainToken;
    S.mainToken = S.promoted.authToken;
    mainc = client(S.mainSid, S.mainToken, {}, 'main');
  }

  await test('after promotion the old primary is refused (401 / 20003), the new one accepted', async (ctx) => {
    need({ promoted: S.promoted });
    const oc = client(S.mainSid, S.oldToken, {}, 'main/old-primary');
    await refused(oc.api.v2010.account.fetch(), { status: 401, code: 20003 });
    const a = await mainc.api.v2010.account.fetch();
    checkAccount(ctx, a, { sid: S.mainSid, authToken: S.mainToken });
  });

  await test('authTokenPromotion().update() without a secondary -> RestException', async (ctx) => {
    need({ promoted: S.promoted });
    const e = await refused(v1().authTokenPromotion().update(), { status: [400, 404, 409] });
    ctx.note(`promote with no secondary: ${errDesc(e)}`);
    assert.equal((await mainc.api.v2010.account.fetch()).authToken, S.mainToken, 'primary unchanged');
  });

  await test('secondaryAuthToken().remove() -> true (204); the removed token is refused (401 / 20003)', async (ctx) => {
    need({ promoted: S.promoted });
    const s = await v1().secondaryAuthToken().create({ suppressEmailNotification: true });
    assert.equal(ctx.last().body, 'SuppressEmailNotification=true');
    const sc = client(S.mainSid, s.secondaryAuthToken, {}, 'main/secondary-2');
    assert.equal((await sc.api.v2010.account.fetch()).sid, S.mainSid, 'secondary works before removal');
    assert.equal(await v1().secondaryAuthToken().remove(), true);
    expectStatus(ctx, 204, 'remove');
    await refused(sc.api.v2010.account.fetch(), { status: 401, code: 20003 });
    assert.equal((await mainc.api.v2010.account.fetch()).sid, S.mainSid, 'primary unaffected');
  });

  await test('secondaryAuthToken().remove() when none exists -> RestException', async (ctx) => {
    need({ promoted: S.promoted });
    const e = await refused(v1().secondaryAuthToken().remove(), { status: [400, 404, 409] });
    ctx.note(`remove with no secondary: ${errDesc(e)}`);
  });

  await test('secondaryAuthToken().create() while one exists: replaced or refused, never two', async (ctx) => {
    need({ promoted: S.promoted });
    const a = await v1().secondaryAuthToken().create();
    const ac = client(S.mainSid, a.secondaryAuthToken, {}, 'main/secondary-a');
    let b;
    try {
      b = await v1().secondaryAuthToken().create();
    } catch (e) {
      if (!(e instanceof RestException)) throw e;
      ctx.note(`second create refused: ${errDesc(e)}`);
      assert.equal((await ac.api.v2010.account.fetch()).sid, S.mainSid, 'first secondary still valid');
    }
    if (b) {
      ctx.note('second create replaced the first secondary');
      assert.notEqual(b.secondaryAuthToken, a.secondaryAuthToken);
      const bc = client(S.mainSid, b.secondaryAuthToken, {}, 'main/secondary-b');
      assert.equal((await bc.api.v2010.account.fetch()).sid, S.mainSid, 'new secondary valid');
      await refused(ac.api.v2010.account.fetch(), { status: 401, code: 20003 });
    }
    assert.equal(await v1().secondaryAuthToken().remove(), true);
  });

  /* ---------------- iam v1 Keys ---------------- */

  const iam = () => mainc.iam.v1;

  S.iamStd = await test('iam.v1.newApiKey.create({accountSid, friendlyName}) creates a standard key, policy null', async (ctx) => {
    const k = await iam().newApiKey.create({ accountSid: S.mainSid, friendlyName: 'iam-std' });
    expectStatus(ctx, 201, 'create');
    checkShape('iamNewKey', k, lastBody(ctx));
    assert.match(k.sid, RE.SK);
    assert.match(k.secret, RE.secret);
    assert.equal(k.friendlyName, 'iam-std');
    assert.equal(k.policy, null);
    return k;
  });

  S.iamRk = await test('iam.v1.newApiKey.create({keyType: "restricted", policy}) creates a restricted key', async (ctx) => {
    const k = await iam().newApiKey.create({ accountSid: S.mainSid, friendlyName: 'rk', keyType: 'restricted', policy: POLICY_RW });
    expectStatus(ctx, 201, 'create');
    assert.equal(new URLSearchParams(ctx.last().body).get('Policy'), JSON.stringify(POLICY_RW), 'Policy sent as JSON text');
    checkShape('iamNewKey', k, lastBody(ctx));
    assert.match(k.secret, RE.secret);
    assert.deepEqual(k.policy, POLICY_RW);
    return k;
  });

  await test('iam.v1.newApiKey.create({keyType: "restricted"}) without a policy -> RestException 400', async (ctx) => {
    const e = await refused(iam().newApiKey.create({ accountSid: S.mainSid, friendlyName: 'rk-nopolicy', keyType: 'restricted' }), { status: 400 });
    ctx.note(`restricted key without policy: ${errDesc(e)}`);
  });

  await test('iam.v1.getApiKeys.list({accountSid}) lists both keys, no secrets (meta envelope)', async (ctx) => {
    need({ iamStd: S.iamStd, iamRk: S.iamRk });
    const l = await iam().getApiKeys.list({ accountSid: S.mainSid });
    assert.ok(Array.isArray(l));
    for (const k of [S.iamStd, S.iamRk]) {
      const item = l.find((x) => x.sid === k.sid);
      assert.ok(item, `${k.friendlyName} listed`);
      checkShape('iamListKey', item, rawItem(ctx, k.sid));
    }
    checkV1Envelope(lastBody(ctx), 'keys');
    assert.equal(query(ctx.last()).get('AccountSid'), S.mainSid);
  });

  await test('iam.v1.getApiKeys.each({pageSize: 1}) follows meta.next_page_url, each key once', async (ctx) => {
    const all = (await iam().getApiKeys.list({ accountSid: S.mainSid, pageSize: 1000 })).map((k) => k.sid);
    assert.ok(all.length >= 3, `at least 3 keys (${all.length})`);
    const start = ctx.since().length;
    const seen = [];
    await iam().getApiKeys.each({ accountSid: S.mainSid, pageSize: 1 }, (k) => {
      seen.push(k.sid);
    });
    assertUniqueSet(seen, all, 'getApiKeys.each({pageSize:1})');
    for (const e of ctx.since().slice(start)) {
      checkV1Envelope(e.resBody, 'keys');
      assert.equal(query(e).get('AccountSid'), S.mainSid, `AccountSid kept on ${e.url}`);
    }
  });

  await test('iam.v1.apiKey(sid).fetch() returns the policy, no secret', async (ctx) => {
    need({ iamRk: S.iamRk });
    const k = await iam().apiKey(S.iamRk.sid).fetch();
    expectStatus(ctx, 200, 'fetch');
    checkShape('iamKey', k, lastBody(ctx));
    assert.equal(k.friendlyName, 'rk');
    assert.deepEqual(k.policy, POLICY_RW);
  });

  await test('iam.v1.apiKey(sid).update({friendlyName, policy}) changes both', async (ctx) => {
    need({ iamRk: S.iamRk });
    const t0 = Date.now();
    const k = await iam().apiKey(S.iamRk.sid).update({ friendlyName: 'rk-2', policy: POLICY_R });
    expectStatus(ctx, 200, 'update');
    checkRefreshed(k, t0, 'iam key update');
    checkShape('iamKey', k, lastBody(ctx));
    assert.equal(k.friendlyName, 'rk-2');
    assert.deepEqual(k.policy, POLICY_R);
    const f = await iam().apiKey(S.iamRk.sid).fetch();
    assert.deepEqual(f.policy, POLICY_R);
  });

  await test('2010 keys.list also shows iam-created keys', async () => {
    need({ iamStd: S.iamStd });
    const l = await mainAcct().keys.list();
    assert.ok(l.some((k) => k.sid === S.iamStd.sid));
  });

  await test('restricted key: refused on Keys with 403 / 70051', async () => {
    need({ iamRk: S.iamRk });
    const rc = client(S.iamRk.sid, S.iamRk.secret, { accountSid: S.mainSid }, 'restricted-key');
    await refused(rc.iam.v1.getApiKeys.list({ accountSid: S.mainSid }), { status: 403, code: 70051 });
    await refused(rc.iam.v1.newApiKey.create({ accountSid: S.mainSid, friendlyName: 'by-rk' }), { status: 403, code: 70051 });
    await refused(rc.api.v2010.account.keys.list(), { status: 403, code: 70051 });
  });

  await test('restricted key: refused on Accounts and AuthTokens', async (ctx) => {
    need({ iamRk: S.iamRk });
    const rc = client(S.iamRk.sid, S.iamRk.secret, { accountSid: S.mainSid }, 'restricted-key');
    const e1 = await refused(rc.api.v2010.account.fetch(), { status: 403 });
    const e2 = await refused(rc.accounts.v1.secondaryAuthToken().create(), { status: 403 });
    ctx.note(`restricted key on Accounts: ${errDesc(e1)}; on AuthTokens: ${errDesc(e2)}`);
  });

  await test('iam standard key: refused on Accounts with 403 / 20403', async () => {
    need({ iamStd: S.iamStd });
    const kc = client(S.iamStd.sid, S.iamStd.secret, { accountSid: S.mainSid }, 'iam-standard-key');
    await refused(kc.api.v2010.account.fetch(), { status: 403, code: 20403 });
  });

  await test('iam.v1.apiKey(sid).remove() -> true (204); deleted keys refused (401 / 20003) and gone (404)', async (ctx) => {
    need({ iamStd: S.iamStd, iamRk: S.iamRk });
    for (const k of [S.iamStd, S.iamRk]) {
      assert.equal(await iam().apiKey(k.sid).remove(), true);
      expectStatus(ctx, 204, 'remove');
      await refused(iam().apiKey(k.sid).fetch(), { status: 404, code: 20404 });
      const kc = client(k.sid, k.secret, { accountSid: S.mainSid }, 'deleted-iam-key');
      await refused(kc.api.v2010.account.fetch(), { status: 401, code: 20003 });
      await refused(kc.iam.v1.getApiKeys.list({ accountSid: S.mainSid }), { status: 401, code: 20003 });
    }
    const l = await iam().getApiKeys.list({ accountSid: S.mainSid });
    assert.ok(!l.some((k) => k.sid === S.iamStd.sid || k.sid === S.iamRk.sid), 'no longer listed');
  });

  /* ---------------- subaccount isolation ---------------- */

  const subc = () => client(S.sub.sid, S.sub.authToken, {}, 'sub');

  await test("subaccount credentials are refused on the parent account", async (ctx) => {
    need({ sub: S.sub });
    const c = client(S.sub.sid, S.sub.authToken, { accountSid: S.mainSid }, 'sub-on-parent');
    const e = await refused(c.api.v2010.account.fetch(), { status: [401, 404] });
    ctx.note(`subaccount creds on parent account fetch: ${errDesc(e)}`);
    const e2 = await refused(c.api.v2010.account.keys.list(), { status: [401, 403, 404] });
    ctx.note(`subaccount creds on parent Keys: ${errDesc(e2)}`);
  });

  await test('subaccount credentials are accepted on the subaccount itself', async (ctx) => {
    need({ sub: S.sub });
    const a = await subc().api.v2010.account.fetch();
    checkAccount(ctx, a, { sid: S.sub.sid, ownerAccountSid: S.mainSid, authToken: S.sub.authToken });
  });

  await test('subaccount accounts.list() shows only itself', async () => {
    need({ sub: S.sub });
    const l = await subc().api.v2010.accounts.list();
    assert.deepEqual(l.map((a) => a.sid), [S.sub.sid]);
  });

  await test('subaccount credentials are refused on a sibling subaccount', async (ctx) => {
    need({ sub: S.sub, sub2: S.sub2 });
    const e = await refused(subc().api.v2010.accounts(S.sub2.sid).fetch(), { status: [401, 403, 404] });
    ctx.note(`subaccount creds on sibling: ${errDesc(e)}`);
  });

  await test('a subaccount cannot create subaccounts (21101)', async (ctx) => {
    need({ sub: S.sub });
    const e = await refused(subc().api.v2010.accounts.create({ friendlyName: 'grandchild' }), { code: 21101 });
    ctx.note(`subaccount creating a subaccount: ${errDesc(e)}`);
  });

  await test('a subaccount cannot change its own status', async (ctx) => {
    need({ sub: S.sub });
    const e = await refused(subc().api.v2010.account.update({ status: 'suspended' }), { status: [401, 403] });
    ctx.note(`subaccount suspending itself: ${errDesc(e)}`);
    assert.equal((await accounts()(S.sub.sid).fetch()).status, 'active');
  });

  await test("parent auth token reaches the subaccount's 2010 resources (accountSid = sub)", async (ctx) => {
    need({ sub: S.sub });
    const pc = client(S.mainSid, S.mainToken, { accountSid: S.sub.sid }, 'parent-as-sub');
    const a = await pc.api.v2010.account.fetch();
    checkAccount(ctx, a, { sid: S.sub.sid, ownerAccountSid: S.mainSid });
    const k = await pc.api.v2010.account.newKeys.create({ friendlyName: 'made-by-parent' });
    checkShape('newKey', k, lastBody(ctx));
    const l = await pc.api.v2010.account.keys.list();
    assert.ok(l.some((x) => x.sid === k.sid), 'listed in subaccount');
    assert.ok(!(await mainAcct().keys.list()).some((x) => x.sid === k.sid), 'not listed in parent');
    assert.equal((await subc().api.v2010.account.keys(k.sid).fetch()).friendlyName, 'made-by-parent', 'visible to the subaccount itself');
    await refused(mainAcct().keys(k.sid).fetch(), { status: 404, code: 20404 });
    assert.equal(await pc.api.v2010.account.keys(k.sid).remove(), true);
  });

  await test('parent main key reaches the subaccount; parent standard key does not', async (ctx) => {
    need({ sub: S.sub, mainKey: S.mainKey });
    const mk = client(S.mainKey.sid, S.mainKey.secret, { accountSid: S.sub.sid }, 'parent-main-key-as-sub');
    checkAccount(ctx, await mk.api.v2010.account.fetch(), { sid: S.sub.sid });
    const std = await mainAcct().newKeys.create({ friendlyName: 'parent-std' });
    const sk = client(std.sid, std.secret, { accountSid: S.sub.sid }, 'parent-std-key-as-sub');
    const e = await refused(sk.api.v2010.account.fetch(), { status: [401, 403] });
    ctx.note(`parent standard key on subaccount: ${errDesc(e)}`);
    await mainAcct().keys(std.sid).remove();
  });

  await test("subaccount's own main key (CLI --account) works on it and is refused on the parent", async (ctx) => {
    need({ sub: S.sub });
    const r = await cli(['key', 'create', '--type', 'main', '--account', S.sub.sid, '--data', dataDir, '--json']);
    assert.equal(r.account_sid, S.sub.sid);
    const kc = client(r.sid, r.secret, { accountSid: S.sub.sid }, 'sub-main-key');
    checkAccount(ctx, await kc.api.v2010.account.fetch(), { sid: S.sub.sid });
    const pc = client(r.sid, r.secret, { accountSid: S.mainSid }, 'sub-main-key-on-parent');
    const e = await refused(pc.api.v2010.account.fetch(), { status: [401, 403, 404] });
    ctx.note(`subaccount main key on parent: ${errDesc(e)}`);
    const e2 = await refused(pc.iam.v1.getApiKeys.list({ accountSid: S.mainSid }), { status: [401, 403, 404] });
    ctx.note(`subaccount main key listing parent iam keys: ${errDesc(e2)}`);
  });

  await test('subaccount manages its own iam keys, not the parent\'s', async (ctx) => {
    need({ sub: S.sub });
    const c = subc();
    const k = await c.iam.v1.newApiKey.create({ accountSid: S.sub.sid, friendlyName: 'sub-iam' });
    checkShape('iamNewKey', k, lastBody(ctx));
    assert.ok((await c.iam.v1.getApiKeys.list({ accountSid: S.sub.sid })).some((x) => x.sid === k.sid));
    const e = await refused(c.iam.v1.newApiKey.create({ accountSid: S.mainSid, friendlyName: 'sub-on-parent' }), { status: [401, 403, 404] });
    ctx.note(`subaccount creating an iam key in the parent: ${errDesc(e)}`);
    const e2 = await refused(c.iam.v1.getApiKeys.list({ accountSid: S.mainSid }), { status: [401, 403, 404] });
    ctx.note(`subaccount listing the parent's iam keys: ${errDesc(e2)}`);
    try {
      const l = await mainc.iam.v1.getApiKeys.list({ accountSid: S.sub.sid });
      ctx.note(`parent credentials listing the subaccount's iam keys: accepted (${l.length} keys)`);
    } catch (e) {
      if (!(e instanceof RestException)) throw e;
      ctx.note(`parent credentials listing the subaccount's iam keys: ${errDesc(e)}`);
    }
    assert.equal(await c.iam.v1.apiKey(k.sid).remove(), true);
  });

  await test('subaccount rotates its own auth token (secondary bound to the subaccount)', async (ctx) => {
    need({ sub: S.sub });
    const c = subc();
    const parentSecondary = await v1().secondaryAuthToken().create();
    const s = await c.accounts.v1.secondaryAuthToken().create();
    checkShape('secondary', s, lastBody(ctx));
    assert.equal(s.accountSid, S.sub.sid);
    assert.notEqual(s.secondaryAuthToken, parentSecondary.secondaryAuthToken);
    assert.equal((await client(S.sub.sid, s.secondaryAuthToken, {}, 'sub/secondary').api.v2010.account.fetch()).sid, S.sub.sid, 'sub secondary works on the sub');
    await refused(client(S.mainSid, s.secondaryAuthToken, {}, 'main/sub-secondary').api.v2010.account.fetch(), { status: 401, code: 20003 });
    await refused(client(S.sub.sid, parentSecondary.secondaryAuthToken, {}, 'sub/parent-secondary').api.v2010.account.fetch(), { status: 401, code: 20003 });
    assert.equal(await c.accounts.v1.secondaryAuthToken().remove(), true);
    await refused(c.accounts.v1.secondaryAuthToken().remove(), { status: 404 });
    const pc = client(S.mainSid, parentSecondary.secondaryAuthToken, {}, 'main/secondary');
    assert.equal((await pc.api.v2010.account.fetch()).sid, S.mainSid, "parent's secondary survives the subaccount's removal");
    assert.equal(await v1().secondaryAuthToken().remove(), true);
    assert.equal((await mainc.api.v2010.account.fetch()).authToken, S.mainToken, 'parent token untouched');
  });

  await test('closing a subaccount is permanent', async (ctx) => {
    need({ sub3: S.sub3 });
    const a = await accounts()(S.sub3.sid).update({ status: 'closed' });
    checkAccount(ctx, a, { sid: S.sub3.sid, status: 'closed' });
    const e = await refused(accounts()(S.sub3.sid).update({ status: 'active' }), { status: [400, 403, 409] });
    ctx.note(`reopening a closed account: ${errDesc(e)}`);
    assert.equal((await accounts()(S.sub3.sid).fetch()).status, 'closed');
    assert.deepEqual((await accounts().list({ status: 'closed' })).map((x) => x.sid), [S.sub3.sid]);
    assertUniqueSet((await accounts().list()).map((x) => x.sid), accountsSeen, 'closed account stays listed');
    const e2 = await refused(client(S.sub3.sid, S.sub3.authToken, {}, 'closed-sub').api.v2010.account.fetch(), { status: [401, 403] });
    ctx.note(`closed subaccount's own credentials: ${errDesc(e2)}`);
    const pc = client(S.mainSid, S.mainToken, { accountSid: S.sub3.sid }, 'parent-as-closed-sub');
    const e3 = await refused(pc.api.v2010.account.newKeys.create({ friendlyName: 'in-closed' }), { status: [400, 403, 404, 409] });
    ctx.note(`parent creating a key in the closed subaccount: ${errDesc(e3)}`);
    const e4 = await refused(accounts()(S.sub3.sid).update({ friendlyName: 'renamed-closed' }), { status: [400, 403, 409] });
    ctx.note(`renaming the closed subaccount: ${errDesc(e4)}`);
  });

  /* ---------------- bad credentials ---------------- */

  await test("wrong auth token -> 401 / 20003 'Authenticate'", async () => {
    const c = client(S.mainSid, 'bad', {}, 'bad-password');
    const e = await refused(c.api.v2010.account.fetch(), { status: 401, code: 20003 });
    assert.equal(e.message, 'Authenticate');
  });

  await test('unknown account SID / unknown key SID -> 401 / 20003', async () => {
    await refused(client('AC0123456789abcdef0123456789abcdef', S.mainToken, {}, 'unknown-ac').api.v2010.account.fetch(), { status: 401, code: 20003 });
    await refused(client('SK0123456789abcdef0123456789abcdef', 'x'.repeat(32), { accountSid: S.mainSid }, 'unknown-sk').api.v2010.account.fetch(), { status: 401, code: 20003 });
  });

  await test('a key secret is not valid as a password for the account SID', async () => {
    need({ mainKey: S.mainKey });
    await refused(client(S.mainSid, S.mainKey.secret, {}, 'ac+key-secret').api.v2010.account.fetch(), { status: 401, code: 20003 });
  });

  /* ---------------- edge cases ---------------- */

  await test('keys.page() / nextPage(): PageToken paging survives deletions between pages', async () => {
    const made = [];
    for (let i = 0; i < 3; i++) made.push(await mainAcct().newKeys.create({ friendlyName: `keyset-${i}` }));
    const before = (await mainAcct().keys.list({ pageSize: 1000 })).map((k) => k.sid);
    const seen = [];
    let deleted = false;
    let page = await mainAcct().keys.page({ pageSize: 1 });
    while (page !== undefined) {
      for (const k of page.instances) seen.push(k.sid);
      if (!deleted && seen.includes(made[0].sid)) {
        // delete the key just seen (the page anchor) and one not yet seen
        assert.equal(await mainAcct().keys(made[0].sid).remove(), true);
        assert.equal(await mainAcct().keys(made[2].sid).remove(), true);
        deleted = true;
      }
      assert.ok(seen.length <= before.length + 1, 'runaway paging');
      page = await page.nextPage();
    }
    assert.ok(deleted, 'made[0] was seen');
    assertUniqueSet(seen, before.filter((s) => s !== made[2].sid), 'keys seen across the deletions');
    assert.equal(await mainAcct().keys(made[1].sid).remove(), true);
  });

  await test('accounts.page({pageToken: bogus}) -> RestException 400 / 21481', async (ctx) => {
    const e = await refused(accounts().page({ pageSize: 1, pageNumber: 1, pageToken: 'PAnot-a-token' }), { status: 400, code: 21481 });
    ctx.note(`bogus PageToken: ${errDesc(e)}`);
  });

  await test('accounts.page({pageSize: 1001 | 0}) -> RestException 400 (PageSize is 1-1000)', async (ctx) => {
    const e = await refused(accounts().page({ pageSize: 1001 }), { status: 400 });
    ctx.note(`PageSize=1001: ${errDesc(e)}`);
    const e0 = await refused(accounts().page({ pageSize: 0 }), { status: 400 });
    ctx.note(`PageSize=0: ${errDesc(e0)}`);
    const p = await accounts().page({ pageSize: 1000 });
    assert.ok(p.instances.length >= 1, 'PageSize=1000 is fine');
  });

  await test('accounts.list({friendlyName}) is an exact match: no LIKE wildcards, no quoting tricks', async () => {
    need({ sub: S.sub });
    for (const name of ['%', '_', 'compat%', 'compat_sub_1-renamed', 'COMPAT-SUB-1-RENAMED', "x' OR '1'='1", 'compat-sub-1-renamed ']) {
      assert.deepEqual((await accounts().list({ friendlyName: name })).map((a) => a.sid), [], `FriendlyName=${JSON.stringify(name)}`);
    }
    assert.deepEqual((await accounts().list({ friendlyName: 'compat-sub-1-renamed' })).map((a) => a.sid), [S.sub.sid]);
  });

  await test('accounts.list({status: "bogus"}) -> RestException 400', async (ctx) => {
    const e = await refused(accounts().list({ status: 'bogus' }), { status: 400 });
    ctx.note(`Status=bogus filter: ${errDesc(e)}`);
  });

  await test('update with one invalid field changes nothing (FriendlyName too long + Status)', async () => {
    need({ sub2: S.sub2 });
    await refused(accounts()(S.sub2.sid).update({ friendlyName: 'y'.repeat(65), status: 'suspended' }), { status: 400 });
    const a = await accounts()(S.sub2.sid).fetch();
    assert.equal(a.status, 'active', 'status unchanged');
    assert.equal(a.friendlyName, S.sub2.friendlyName, 'name unchanged');
    await refused(accounts()(S.sub2.sid).update({ friendlyName: 'renamed-sub-2', status: 'bogus' }), { status: 400 });
    assert.equal((await accounts()(S.sub2.sid).fetch()).friendlyName, S.sub2.friendlyName, 'name unchanged');
  });

  await test('FriendlyName length counts characters, not bytes (64 x "ü" / "漢" accepted, 65 refused)', async () => {
    for (const ch of ['ü', '漢']) {
      const k = await mainAcct().newKeys.create({ friendlyName: ch.repeat(64) });
      assert.equal(k.friendlyName, ch.repeat(64));
      assert.equal((await mainAcct().keys(k.sid).fetch()).friendlyName, ch.repeat(64));
      await mainAcct().keys(k.sid).remove();
      await refused(mainAcct().newKeys.create({ friendlyName: ch.repeat(65) }), { status: 400 });
    }
    const a = await accounts().create({ friendlyName: 'ü'.repeat(64) });
    accountsSeen.add(a.sid);
    assert.equal((await accounts()(a.sid).fetch()).friendlyName, 'ü'.repeat(64));
  });

  await test('FriendlyName round trip: quotes, backslash, markup, "+", "=", "&", "%"', async () => {
    const name = 'q"uo\\te </script>&amp; a+b=c&d %20 100%';
    const k = await mainAcct().newKeys.create({ friendlyName: name });
    assert.equal(k.friendlyName, name);
    assert.equal((await mainAcct().keys(k.sid).fetch()).friendlyName, name);
    assert.equal((await mainAcct().keys(k.sid).update({ friendlyName: `${name}!` })).friendlyName, `${name}!`);
    await mainAcct().keys(k.sid).remove();
  });

  await test('FriendlyName with control characters (NUL, LF, TAB) is refused (400) or kept intact, never truncated', async (ctx) => {
    for (const name of ['nul\u0000byte', 'line\nfeed', 'tab\there']) {
      let k;
      try {
        k = await mainAcct().newKeys.create({ friendlyName: name });
      } catch (e) {
        if (!(e instanceof RestException)) throw e;
        assert.equal(e.status, 400, `refusal status (${errDesc(e)})`);
        ctx.note(`${JSON.stringify(name)} refused: ${errDesc(e)}`);
        continue;
      }
      const f = await mainAcct().keys(k.sid).fetch();
      await mainAcct().keys(k.sid).remove();
      assert.equal(k.friendlyName, name, 'create response');
      assert.equal(f.friendlyName, name, 'stored value');
    }
  });

  await test('a 200 000-character FriendlyName is refused cleanly and the server keeps serving', async (ctx) => {
    const e = await refused(mainAcct().newKeys.create({ friendlyName: 'z'.repeat(200000) }), { status: [400, 413] });
    ctx.note(`200 000-char FriendlyName: ${errDesc(e)}`);
    assert.equal((await mainc.api.v2010.account.fetch()).sid, S.mainSid);
  });

  await test('Policy permission strings are refused or round-trip exactly (JSON escaping)', async (ctx) => {
    const policy = { allow: ['/twilio/messaging/messages/read', '/twilio/"quoted"/\\back/ünï'] };
    let k;
    try {
      k = await iam().newApiKey.create({ accountSid: S.mainSid, friendlyName: 'escaping', keyType: 'restricted', policy });
    } catch (e) {
      if (!(e instanceof RestException)) throw e;
      assert.equal(e.status, 400, `refusal status (${errDesc(e)})`);
      ctx.note(`permission with quotes/backslash refused: ${errDesc(e)}`);
      return;
    }
    assert.deepEqual(k.policy, policy);
    assert.deepEqual((await iam().apiKey(k.sid).fetch()).policy, policy);
    await iam().apiKey(k.sid).remove();
  });

  await test('accounts(sid).update({friendlyName: ""}) -> RestException 400 / 20002', async () => {
    need({ sub: S.sub });
    await refused(accounts()(S.sub.sid).update({ friendlyName: '' }), { status: 400, code: 20002 });
    assert.equal((await accounts()(S.sub.sid).fetch()).friendlyName, 'compat-sub-1-renamed');
  });

  await test('accounts(malformed SIDs).fetch() -> RestException 404 / 20404', async (ctx) => {
    need({ key: S.key });
    for (const sid of ['ACxyz', 'AC' + '0'.repeat(33), S.key.sid, 'ac' + S.mainSid.slice(2)]) {
      const e = await refused(accounts()(sid).fetch(), { status: [400, 404] });
      ctx.note(`accounts(${JSON.stringify(sid.length > 12 ? sid.slice(0, 6) + '...' : sid)}).fetch(): ${errDesc(e)}`);
    }
  });

  await test('newKeys.create({friendlyName: 65 chars}) -> RestException 400', async (ctx) => {
    const e = await refused(mainAcct().newKeys.create({ friendlyName: 'k'.repeat(65) }), { status: 400 });
    ctx.note(`over-long key FriendlyName: ${errDesc(e)}`);
    const ok = await mainAcct().newKeys.create({ friendlyName: 'k'.repeat(64) });
    assert.equal(ok.friendlyName, 'k'.repeat(64), '64 characters are fine');
    await mainAcct().keys(ok.sid).remove();
  });

  await test("a key SID cannot be reached through another account's path (fetch/update/remove)", async () => {
    need({ sub: S.sub });
    const k = await mainAcct().newKeys.create({ friendlyName: 'parent-owned' });
    const pc = client(S.mainSid, S.mainToken, { accountSid: S.sub.sid }, 'parent-as-sub');
    await refused(pc.api.v2010.account.keys(k.sid).fetch(), { status: 404, code: 20404 });
    await refused(pc.api.v2010.account.keys(k.sid).update({ friendlyName: 'hijacked' }), { status: 404, code: 20404 });
    await refused(pc.api.v2010.account.keys(k.sid).remove(), { status: 404, code: 20404 });
    await refused(subc().api.v2010.account.keys(k.sid).remove(), { status: 404, code: 20404 });
    await refused(pc.api.v2010.account.signingKeys(k.sid).fetch(), { status: 404, code: 20404 });
    const f = await mainAcct().keys(k.sid).fetch();
    assert.equal(f.friendlyName, 'parent-owned', 'key untouched');
    assert.equal(await mainAcct().keys(k.sid).remove(), true);
  });

  await test("iam.v1.apiKey(parent's key) with subaccount credentials -> 404; key untouched", async () => {
    need({ sub: S.sub });
    const k = await iam().newApiKey.create({ accountSid: S.mainSid, friendlyName: 'parent-iam' });
    const c = subc();
    await refused(c.iam.v1.apiKey(k.sid).fetch(), { status: 404, code: 20404 });
    await refused(c.iam.v1.apiKey(k.sid).update({ friendlyName: 'hijacked' }), { status: 404, code: 20404 });
    await refused(c.iam.v1.apiKey(k.sid).remove(), { status: 404, code: 20404 });
    assert.equal((await iam().apiKey(k.sid).fetch()).friendlyName, 'parent-iam', 'key untouched');
    assert.equal(await iam().apiKey(k.sid).remove(), true);
  });

  await test('iam.v1.newApiKey.create with an invalid policy -> RestException 400', async (ctx) => {
    const bad = [
      ['not JSON', 'not-json'],
      ['empty allow list', { allow: [] }],
      ['101 permissions', { allow: Array.from({ length: 101 }, (_, i) => `/twilio/messaging/messages/p${i}`) }],
      ['allow not an array', { allow: '/twilio/messaging/messages/read' }],
    ];
    for (const [what, policy] of bad) {
      const e = await refused(iam().newApiKey.create({ accountSid: S.mainSid, friendlyName: 'bad-policy', keyType: 'restricted', policy }), { status: 400 });
      ctx.note(`${what}: ${errDesc(e)}`);
    }
    const ok = await iam().newApiKey.create({ accountSid: S.mainSid, friendlyName: 'max-policy', keyType: 'restricted', policy: { allow: Array.from({ length: 100 }, (_, i) => `/twilio/messaging/messages/p${i}`) } });
    assert.equal(ok.policy.allow.length, 100, '100 permissions are fine');
    await iam().apiKey(ok.sid).remove();
  });

  await test('iam.v1.newApiKey.create({accountSid: unknown AC}) -> RestException', async (ctx) => {
    const e = await refused(iam().newApiKey.create({ accountSid: 'AC0123456789abcdef0123456789abcdef', friendlyName: 'nowhere' }), { status: [401, 403, 404] });
    ctx.note(`iam key for an unknown account: ${errDesc(e)}`);
    const e2 = await refused(iam().getApiKeys.list({ accountSid: 'AC0123456789abcdef0123456789abcdef' }), { status: [401, 403, 404] });
    ctx.note(`iam key list for an unknown account: ${errDesc(e2)}`);
  });

  await test('main key (CLI) may rotate auth tokens (secondary create/remove)', async () => {
    need({ mainKey: S.mainKey });
    const kc = client(S.mainKey.sid, S.mainKey.secret, { accountSid: S.mainSid }, 'main-key');
    const s = await kc.accounts.v1.secondaryAuthToken().create();
    assert.equal(s.accountSid, S.mainSid);
    assert.equal(await kc.accounts.v1.secondaryAuthToken().remove(), true);
  });

  await test('client with region/edge options (host api.dublin.ie1.twilio.com) still works', async (ctx) => {
    const rc = client(S.mainSid, S.mainToken, { region: 'ie1', edge: 'dublin' }, 'main-ie1');
    const a = await rc.api.v2010.account.fetch();
    assert.equal(a.sid, S.mainSid);
    assert.equal(new URL(ctx.last().url).pathname, `/2010-04-01/Accounts/${S.mainSid}.json`);
    const l = await rc.iam.v1.getApiKeys.list({ accountSid: S.mainSid });
    assert.ok(Array.isArray(l));
  });

  await test('concurrent requests: 40 parallel fetches and 10 parallel key creations', async (ctx) => {
    const fetches = Array.from({ length: 40 }, () => mainc.api.v2010.account.fetch());
    const creates = Array.from({ length: 10 }, (_, i) => mainAcct().newKeys.create({ friendlyName: `par-${i}` }));
    const results = await Promise.allSettled([...fetches, ...creates]);
    const rejected = results.filter((r) => r.status === 'rejected');
    const throttled = rejected.filter((r) => r.reason instanceof RestException && r.reason.status === 429 && r.reason.code === 20429);
    if (throttled.length) ctx.note(`${throttled.length} requests throttled with 429 / 20429`);
    assert.deepEqual(rejected.filter((r) => !throttled.includes(r)).map((r) => String(r.reason && (r.reason.stack || r.reason))), [], 'failures other than 429');
    const keys = results.slice(40).filter((r) => r.status === 'fulfilled').map((r) => r.value);
    assert.equal(new Set(keys.map((k) => k.sid)).size, keys.length, 'distinct key SIDs');
    assert.equal(new Set(keys.map((k) => k.secret)).size, keys.length, 'distinct secrets');
    for (const r of results.slice(0, 40)) if (r.status === 'fulfilled') assert.equal(r.value.sid, S.mainSid);
    for (const k of keys) assert.equal(await mainAcct().keys(k.sid).remove(), true);
  });

  /* ---------------- replay of captured-requests.json ---------------- */

  await replay(S, accountsSeen, () => mainc);

  /* ---------------- destructive checks last ---------------- */

  await test('the main account cannot suspend itself', async (ctx) => {
    const e = await refused(mainc.api.v2010.account.update({ status: 'suspended' }), { status: [400, 403] });
    ctx.note(`main account suspending itself: ${errDesc(e)}`);
    assert.equal((await mainc.api.v2010.account.fetch()).status, 'active');
  });

  await test('server process still running at the end of the flow', async () => {
    assert.equal(serverExited, null, `server exited early: ${JSON.stringify(serverExited)}`);
  });

  await test('server exits with status 0 on SIGTERM', async () => {
    const r = await stopServer();
    assert.deepEqual(r, { code: 0, signal: null });
  });
}

/* ------------------------------------------------------------------------------------------ */
/* Replay of the 27 captured requests                                                          */
/* ------------------------------------------------------------------------------------------ */

const CAPTURED = JSON.parse(fs.readFileSync(CAPTURED_FILE, 'utf8')).requests;

function normSids(s) {
  return s.replace(/(AC|SK)[0-9a-fA-F]{32}/g, '$1<sid>');
}

/**
 * The request the library sent must match captured request #idx (1-based): method, path
 * (SIDs abstracted), query and body parameters (names, and values with SIDs abstracted,
 * except the names in `anyValue`), Content-Type and Accept.
 */
function matchCaptured(idx, e, anyValue = []) {
  const cap = CAPTURED[idx - 1];
  const got = new URL(e.url);
  const want = new URL(cap.url, 'http://captured');
  assert.equal(e.method, cap.method, `#${idx} method`);
  assert.equal(normSids(got.pathname), normSids(want.pathname), `#${idx} path`);
  const params = (sp) => [...sp].map(([k, v]) => [k, anyValue.includes(k) ? '*' : normSids(v)]).sort();
  assert.deepEqual(params(got.searchParams), params(want.searchParams), `#${idx} query parameters (${got.search} vs captured ${want.search})`);
  assert.deepEqual(params(new URLSearchParams(e.body)), params(new URLSearchParams(cap.body)), `#${idx} body parameters (${e.body} vs captured ${cap.body})`);
  assert.equal(e.contentType, cap.headers['content-type'], `#${idx} Content-Type`);
  assert.equal(e.accept, cap.headers.accept, `#${idx} Accept`);
}

async function replay(S, accountsSeen, getMain) {
  assert.equal(CAPTURED.length, 27, 'captured-requests.json holds 27 requests');
  const R = {};
  const m = () => getMain();
  const a = () => m().api.v2010.accounts;
  const title = (i, call) => `replay #${String(i).padStart(2, '0')} ${CAPTURED[i - 1].method} ${normSids(CAPTURED[i - 1].url)}: ${call}`;

  R.tenant = await test(title(1, 'accounts.create({friendlyName})'), async (ctx) => {
    const t = await a().create({ friendlyName: 'tenant-1' });
    matchCaptured(1, ctx.last());
    expectStatus(ctx, 201, 'create');
    checkAccount(ctx, t, { friendlyName: 'tenant-1', ownerAccountSid: S.mainSid, status: 'active' });
    accountsSeen.add(t.sid);
    return t;
  });

  await test(title(2, 'accounts.list({pageSize: 1}) first page') + ' / #03 next page', async (ctx) => {
    const l = await a().list({ pageSize: 1 });
    assert.ok(Array.isArray(l));
    assertUniqueSet(l.map((x) => x.sid), accountsSeen, 'accounts');
    const reqs = ctx.since();
    matchCaptured(2, reqs[0]);
    assert.ok(reqs.length >= 2, 'a second page was requested');
    matchCaptured(3, reqs[1], ['PageToken']);
    for (const e of reqs) check2010Envelope(e.resBody, 'accounts', '/2010-04-01/Accounts.json');
  });

  await test(title(4, 'accounts.list({friendlyName, status, pageSize: 5})'), async (ctx) => {
    need({ tenant: R.tenant });
    const l = await a().list({ friendlyName: 'tenant-1', status: 'active', pageSize: 5 });
    matchCaptured(4, ctx.last(), ['FriendlyName']);
    expectStatus(ctx, 200, 'list');
    assert.deepEqual(l.map((x) => x.sid), [R.tenant.sid]);
    checkAccount(ctx, l[0]);
  });

  await test(title(5, 'accounts(sid).fetch()'), async (ctx) => {
    need({ tenant: R.tenant });
    const t = await a()(R.tenant.sid).fetch();
    matchCaptured(5, ctx.last());
    expectStatus(ctx, 200, 'fetch');
    checkAccount(ctx, t, { sid: R.tenant.sid, friendlyName: 'tenant-1' });
  });

  await test(title(6, 'accounts(sid).update({friendlyName, status: "suspended"})'), async (ctx) => {
    need({ tenant: R.tenant });
    const t = await a()(R.tenant.sid).update({ friendlyName: 'renamed', status: 'suspended' });
    matchCaptured(6, ctx.last());
    expectStatus(ctx, 200, 'update');
    checkAccount(ctx, t, { sid: R.tenant.sid, friendlyName: 'renamed', status: 'suspended' });
  });

  await test(title(7, 'accounts(unknown sid).fetch() -> RestException 404 / 20404'), async (ctx) => {
    await refused(a()('AC00000000000000000000000000000000').fetch(), { status: 404, code: 20404 });
    matchCaptured(7, ctx.last());
  });

  const acct = () => m().api.v2010.accounts(S.mainSid);

  R.key = await test(title(8, 'accounts(sid).newKeys.create({friendlyName})'), async (ctx) => {
    const k = await acct().newKeys.create({ friendlyName: 'ci' });
    matchCaptured(8, ctx.last());
    expectStatus(ctx, 201, 'create');
    checkShape('newKey', k, lastBody(ctx));
    return k;
  });

  await test(title(9, 'accounts(sid).keys.list({limit: 20})'), async (ctx) => {
    need({ key: R.key });
    const l = await acct().keys.list({ limit: 20 });
    matchCaptured(9, ctx.last());
    expectStatus(ctx, 200, 'list');
    assert.ok(Array.isArray(l));
    const k = l.find((x) => x.sid === R.key.sid);
    assert.ok(k, 'listed');
    checkShape('key', k, rawItem(ctx, k.sid));
  });

  await test(title(10, 'accounts(sid).keys(sid).fetch()'), async (ctx) => {
    need({ key: R.key });
    const k = await acct().keys(R.key.sid).fetch();
    matchCaptured(10, ctx.last());
    expectStatus(ctx, 200, 'fetch');
    checkShape('key', k, lastBody(ctx));
    assert.equal(k.friendlyName, 'ci');
  });

  await test(title(11, 'accounts(sid).keys(sid).update({friendlyName})'), async (ctx) => {
    need({ key: R.key });
    const k = await acct().keys(R.key.sid).update({ friendlyName: 'ci-2' });
    matchCaptured(11, ctx.last());
    expectStatus(ctx, 200, 'update');
    checkShape('key', k, lastBody(ctx));
    assert.equal(k.friendlyName, 'ci-2');
  });

  await test(title(12, 'accounts(sid).keys(sid).remove()'), async (ctx) => {
    need({ key: R.key });
    assert.equal(await acct().keys(R.key.sid).remove(), true);
    matchCaptured(12, ctx.last());
    expectStatus(ctx, 204, 'remove');
  });

  R.signing = await test(title(13, 'accounts(sid).newSigningKeys.create({friendlyName})'), async (ctx) => {
    const k = await acct().newSigningKeys.create({ friendlyName: 'sign' });
    matchCaptured(13, ctx.last());
    expectStatus(ctx, 201, 'create');
    checkShape('newKey', k, lastBody(ctx));
    return k;
  });

  await test(title(14, 'accounts(sid).signingKeys.list()'), async (ctx) => {
    need({ signing: R.signing });
    const l = await acct().signingKeys.list();
    matchCaptured(14, ctx.last());
    expectStatus(ctx, 200, 'list');
    assert.ok(Array.isArray(l));
    const k = l.find((x) => x.sid === R.signing.sid);
    assert.ok(k, 'listed');
    checkShape('key', k, rawItem(ctx, k.sid));
  });

  await test(title(15, 'accounts(sid).signingKeys(sid).remove()'), async (ctx) => {
    need({ signing: R.signing });
    assert.equal(await acct().signingKeys(R.signing.sid).remove(), true);
    matchCaptured(15, ctx.last());
    expectStatus(ctx, 204, 'remove');
  });

  R.sec1 = await test(title(16, 'accounts.v1.secondaryAuthToken().create()'), async (ctx) => {
    const s = await m().accounts.v1.secondaryAuthToken().create();
    matchCaptured(16, ctx.last());
    expectStatus(ctx, 201, 'create');
    checkShape('secondary', s, lastBody(ctx));
    assert.equal(s.accountSid, S.mainSid);
    return s;
  });

  // #17 is a second create; remove the first secondary beforehand so the replayed call is
  // not also testing "create while one exists" (covered by its own case above).
  R.sec2 = await test(title(17, 'accounts.v1.secondaryAuthToken().create({suppressEmailNotification: true})'), async (ctx) => {
    need({ sec1: R.sec1 });
    assert.equal(await m().accounts.v1.secondaryAuthToken().remove(), true, 'setup: remove the first secondary');
    const s = await m().accounts.v1.secondaryAuthToken().create({ suppressEmailNotification: true });
    matchCaptured(17, ctx.last());
    expectStatus(ctx, 201, 'create');
    checkShape('secondary', s, lastBody(ctx));
    return s;
  });

  R.promoted = await test(title(18, 'accounts.v1.authTokenPromotion().update()'), async (ctx) => {
    need({ sec2: R.sec2 });
    const p = await m().accounts.v1.authTokenPromotion().update();
    matchCaptured(18, ctx.last());
    expectStatus(ctx, 200, 'promote');
    checkShape('promotion', p, lastBody(ctx));
    assert.equal(p.authToken, R.sec2.secondaryAuthToken);
    return p;
  });
  if (R.promoted) {
    S.mainToken = R.promoted.authToken;
    S.setMain(client(S.mainSid, S.mainToken, {}, 'main'));
  }

  await test(title(19, 'accounts.v1.secondaryAuthToken().remove({suppressEmailNotification: true})'), async (ctx) => {
    await m().accounts.v1.secondaryAuthToken().create(); // setup: promotion consumed the secondary
    assert.equal(await m().accounts.v1.secondaryAuthToken().remove({ suppressEmailNotification: true }), true);
    matchCaptured(19, ctx.last());
    expectStatus(ctx, 204, 'remove');
  });

  R.std = await test(title(20, 'iam.v1.newApiKey.create({accountSid, friendlyName})'), async (ctx) => {
    const k = await m().iam.v1.newApiKey.create({ accountSid: S.mainSid, friendlyName: 'std' });
    matchCaptured(20, ctx.last());
    expectStatus(ctx, 201, 'create');
    checkShape('iamNewKey', k, lastBody(ctx));
    assert.equal(k.policy, null);
    return k;
  });

  R.rk = await test(title(21, 'iam.v1.newApiKey.create({accountSid, friendlyName, keyType: "restricted", policy})'), async (ctx) => {
    const k = await m().iam.v1.newApiKey.create({ accountSid: S.mainSid, friendlyName: 'rk', keyType: 'restricted', policy: POLICY_RW });
    matchCaptured(21, ctx.last());
    expectStatus(ctx, 201, 'create');
    checkShape('iamNewKey', k, lastBody(ctx));
    assert.deepEqual(k.policy, POLICY_RW);
    return k;
  });

  await test(title(22, 'iam.v1.getApiKeys.list({accountSid})'), async (ctx) => {
    need({ std: R.std, rk: R.rk });
    const l = await m().iam.v1.getApiKeys.list({ accountSid: S.mainSid });
    matchCaptured(22, ctx.last());
    expectStatus(ctx, 200, 'list');
    assert.ok(Array.isArray(l));
    for (const k of [R.std, R.rk]) {
      const item = l.find((x) => x.sid === k.sid);
      assert.ok(item, `${k.friendlyName} listed`);
      checkShape('iamListKey', item, rawItem(ctx, k.sid));
    }
    checkV1Envelope(lastBody(ctx), 'keys');
  });

  await test(title(23, 'iam.v1.apiKey(sid).fetch()'), async (ctx) => {
    need({ rk: R.rk });
    const k = await m().iam.v1.apiKey(R.rk.sid).fetch();
    matchCaptured(23, ctx.last());
    expectStatus(ctx, 200, 'fetch');
    checkShape('iamKey', k, lastBody(ctx));
    assert.deepEqual(k.policy, POLICY_RW);
  });

  await test(title(24, 'iam.v1.apiKey(sid).update({policy})'), async (ctx) => {
    need({ rk: R.rk });
    const k = await m().iam.v1.apiKey(R.rk.sid).update({ policy: POLICY_R });
    matchCaptured(24, ctx.last());
    expectStatus(ctx, 200, 'update');
    checkShape('iamKey', k, lastBody(ctx));
    assert.deepEqual(k.policy, POLICY_R);
    assert.equal(k.friendlyName, 'rk', 'friendlyName unchanged');
  });

  await test(title(25, 'iam.v1.apiKey(sid).remove()'), async (ctx) => {
    need({ rk: R.rk });
    assert.equal(await m().iam.v1.apiKey(R.rk.sid).remove(), true);
    matchCaptured(25, ctx.last());
    expectStatus(ctx, 204, 'remove');
  });

  await test(title(26, 'accounts(sub).fetch() authenticated with an API key (main key)'), async (ctx) => {
    need({ tenant: R.tenant, mainKey: S.mainKey });
    const kc = client(S.mainKey.sid, S.mainKey.secret, { accountSid: S.mainSid }, 'main-key');
    const t = await kc.api.v2010.accounts(R.tenant.sid).fetch();
    matchCaptured(26, ctx.last());
    assert.match(ctx.last().authUser, RE.SK, 'authenticated as the key');
    expectStatus(ctx, 200, 'fetch');
    checkAccount(ctx, t, { sid: R.tenant.sid, friendlyName: 'renamed', status: 'suspended' });
  });

  await test(title(27, 'account.fetch() with a wrong password -> RestException 401 / 20003'), async (ctx) => {
    const bc = client(S.mainSid, 'bad', {}, 'bad-password');
    await refused(bc.api.v2010.account.fetch(), { status: 401, code: 20003 });
    matchCaptured(27, ctx.last());
  });
}

/* ------------------------------------------------------------------------------------------ */

process.on('exit', cleanup);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    out(`Bail out! interrupted by ${sig}`);
    cleanup();
    process.exit(1);
  });
}
const watchdog = setTimeout(() => {
  out(`Bail out! flow did not finish within ${WATCHDOG_MS / 1000} s`);
  cleanup();
  process.exit(1);
}, WATCHDOG_MS);

(async () => {
  let crashed = false;
  try {
    await main();
  } catch (err) {
    crashed = true;
    if (err instanceof BailOut) out(`Bail out! ${err.message}`);
    else out(`Bail out! ${err && err.stack ? err.stack.split('\n').slice(0, 4).join(' | ') : err}`);
  }
  if (server && !serverExited) await stopServer();
  clearTimeout(watchdog);
  if ((failures || crashed) && serverStderr.trim()) {
    diag('server stderr (last 40 lines):');
    diag(serverStderr.trim().split('\n').slice(-40).join('\n'));
  }
  cleanup();
  out(`1..${seq}`);
  const secs = ((Date.now() - RUN_START) / 1000).toFixed(2);
  diag(`${seq} cases, ${failures} failed, ${secs} s`);
  if (failures) diag(`failed: ${failedNames.slice(0, 15).join('; ')}${failedNames.length > 15 ? '; ...' : ''}`);
  process.exitCode = failures || crashed ? 1 : 0;
})();
