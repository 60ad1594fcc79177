'use strict';
/*
 * client.js -- the requests a scenario sends, over fetch (Node's built-in undici).
 *
 * A test gets a Context: its own User-Agent, a record of every exchange (printed as TAP
 * diagnostics when the test fails) and helpers for the calls most scenarios make.
 */
const REQUEST_TIMEOUT_MS = 15000;

/* Form/query encoding the way twilio-node sends it: RFC 3986, space as %20, repeated keys. */
function encodeForm(params) {
    if (params === undefined || params === null) {
        return undefined;
    }
    if (typeof params === 'string') {
        return params; /* raw, for malformed-input tests */
    }
    const pairs = Array.isArray(params) ? params : Object.entries(params);
    const out = [];
    for (const [k, v] of pairs) {
        const values = Array.isArray(v) ? v : [v];
        for (const one of values) {
            out.push(`${encodeURIComponent(k)}=${encodeURIComponent(String(one))}`);
        }
    }
    return out.join('&');
}

function basic(user, pass) {
    return 'Basic ' + Buffer.from(`${user}:${pass}`, 'utf8').toString('base64');
}

/* Accepts {user, pass}, a raw Authorization string, or null/undefined (no header). */
function authHeader(auth) {
    if (auth === undefined || auth === null || auth === false) {
        return null;
    }
    if (typeof auth === 'string') {
        return auth;
    }
    if (auth.user !== undefined) {
        return basic(auth.user, auth.pass);
    }
    throw new Error('auth must be {user, pass} or a header string');
}

function short(s, n = 300) {
    if (s === undefined || s === null) {
        return '';
    }
    s = String(s);
    return s.length > n ? `${s.slice(0, n)}... (${s.length} chars)` : s;
}

class Context {
    constructor(g, { ua, label }) {
        this.g = g;
        this.ua = ua;
        this.label = label;
        this.exchanges = [];
        this.notes = [];
    }

    get url() { return this.g.url; }
    get root() { return this.g.root; }
    get mainKey() { return this.g.mainKey; }
    get data() { return this.g.data; }

    diag(msg) {
        this.notes.push(String(msg));
    }

    /*
     * One request.  opts: auth ({user, pass} | header string | null; default: the main
     * account's token), query (object/pairs/raw string), form (object/pairs/raw string; sets the
     * form Content-Type unless contentType is given), body (string/Buffer, raw), contentType,
     * headers (extra), ua (User-Agent override).  Resolves {status, headers, text, json, ms}.
     */
    async req(method, urlPath, opts = {}) {
        const headers = {};
        const auth = authHeader(opts.auth === undefined ? this.g.root : opts.auth);
        if (auth !== null) {
            headers.Authorization = auth;
        }
        headers['User-Agent'] = opts.ua === undefined ? this.ua : opts.ua;
        let body;
        if (opts.form !== undefined) {
            body = encodeForm(opts.form);
            headers['Content-Type'] = 'application/x-www-form-urlencoded';
        }
        if (opts.body !== undefined) {
            body = opts.body;
        }
        if (opts.contentType !== undefined) {
            if (opts.contentType === null) {
                delete headers['Content-Type'];
            } else {
                headers['Content-Type'] = opts.contentType;
            }
        }
        Object.assign(headers, opts.headers || {});
        let target = urlPath;
        const q = encodeForm(opts.query);
        if (q !== undefined && q !== '') {
            target += (target.includes('?') ? '&' : '?') + q;
        }
        if (body !== undefined && typeof body === 'string') {
            body = Buffer.from(body, 'utf8'); /* Buffer: fetch adds no Content-Type of its own */
        }
        const base = opts.baseUrl || this.g.url;
        if (!base) {
            throw new Error('server is not running');
        }
        const ex = { method, target, auth: auth ? auth.split(' ')[0] : '(none)',
                     body: body ? short(body.toString('utf8'), 200) : '' };
        this.exchanges.push(ex);
        const t0 = process.hrtime.bigint();
        let r;
        try {
            r = await fetch(base + target, { method, headers, body,
                                             signal: AbortSignal.timeout(opts.timeout ||
                                                                         REQUEST_TIMEOUT_MS) });
        } catch (e) {
            ex.error = `${e.message}${e.cause ? ` (${e.cause.code || e.cause.message})` : ''}`;
            throw e;
        }
        this.g.responses++;
        const text = await r.text();
        const ms = Number(process.hrtime.bigint() - t0) / 1e6;
        let json;
        try {
            json = text === '' ? undefined : JSON.parse(text);
        } catch (e) {
            json = undefined;
        }
        const res = { status: r.status, headers: r.headers, text, json, ms, method, target };
        ex.status = r.status;
        ex.text = short(text, 400);
        return res;
    }

    get(p, opts = {}) { return this.req('GET', p, opts); }
    post(p, form, opts = {}) { return this.req('POST', p, { ...opts, form: form || {} }); }
    del(p, opts = {}) { return this.req('DELETE', p, opts); }

    /* Creates a subaccount (as auth, default the main account); returns {sid, user, pass, token, json}. */
    async createSub(friendlyName, auth) {
        const form = friendlyName === undefined ? {} : { FriendlyName: friendlyName };
        const res = await this.post('/2010-04-01/Accounts.json', form,
                                    { auth: auth === undefined ? this.g.root : auth });
        if (res.status !== 201 || !res.json) {
            throw new Error(`creating a subaccount failed: ${res.status} ${short(res.text)}`);
        }
        return { sid: res.json.sid, token: res.json.auth_token, user: res.json.sid,
                 pass: res.json.auth_token, json: res.json };
    }

    /* Creates a 2010 key (family 'Keys' or 'SigningKeys') under account; returns {sid, secret, user, pass, json}. */
    async createKey2010(accountSid, { family = 'Keys', friendlyName, auth } = {}) {
        const form = friendlyName === undefined ? {} : { FriendlyName: friendlyName };
        const res = await this.post(`/2010-04-01/Accounts/${accountSid}/${family}.json`, form,
                                    { auth: auth === undefined ? this.g.root : auth });
        if (res.status !== 201 || !res.json) {
            throw new Error(`creating a ${family} key failed: ${res.status} ${short(res.text)}`);
        }
        return { sid: res.json.sid, secret: res.json.secret, user: res.json.sid,
                 pass: res.json.secret, json: res.json };
    }

    /* Creates an iam v1 key; form adds KeyType/Policy/FriendlyName. */
    async createKeyV1(accountSid, form = {}, auth) {
        const res = await this.post('/v1/Keys', { AccountSid: accountSid, ...form },
                                    { auth: auth === undefined ? this.g.root : auth });
        if (res.status !== 201 || !res.json) {
            throw new Error(`creating a v1 key failed: ${res.status} ${short(res.text)}`);
        }
        return { sid: res.json.sid, secret: res.json.secret, user: res.json.sid,
                 pass: res.json.secret, json: res.json };
    }

    /* Audit events appended after seq `after` (see Gatehouse.audit). */
    audit(after) { return this.g.audit(after); }
    auditMark() { return this.g.auditMark(); }

    /* Lines for failure diagnostics: the last exchanges and any notes. */
    report() {
        const out = [];
        for (const ex of this.exchanges.slice(-4)) {
            out.push(`request: ${ex.method} ${short(ex.target, 200)} auth=${ex.auth}` +
                     (ex.body ? ` body=${JSON.stringify(ex.body)}` : ''));
            if (ex.error) {
                out.push(`  -> error: ${ex.error}`);
            } else {
                out.push(`  -> ${ex.status} ${ex.text}`);
            }
        }
        for (const n of this.notes) {
            out.push(n);
        }
        return out;
    }
}

module.exports = { Context, encodeForm, basic, short };
