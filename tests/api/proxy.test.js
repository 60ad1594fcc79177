'use strict';
/*
 * proxy -- X-Forwarded-For: ignored by default (a client could write anything there); believed
 * only from peers listed in --trusted-proxies, and then only its last entry (the one the load
 * balancer appended), and only when it is an IP address.  What is believed is what the audit
 * log records as the remote address.
 */
const { spawn } = require('child_process');
const { assert } = require('./lib/check');

function serve(bin, args) {
    return new Promise((resolve, reject) => {
        const proc = spawn(bin, ['serve', ...args, '--listen', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        let err = '';
        const timer = setTimeout(() => { proc.kill('SIGKILL'); reject(new Error('serve hung')); }, 15000);
        proc.stdout.on('data', (d) => {
            out += d;
            const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
            if (m) {
                clearTimeout(timer);
                resolve({ url: m[1], proc });
            }
        });
        proc.stderr.on('data', (d) => { err += d; });
        proc.on('close', (code) => { clearTimeout(timer); reject(new Error(`serve exited ${code}: ${err}`)); });
    });
}

function stop(proc) {
    return new Promise((resolve) => { proc.removeAllListeners('close'); proc.on('close', resolve); proc.kill('SIGTERM'); });
}

/* Creates a subaccount through url with an X-Forwarded-For header; resolves its SID. */
async function createWith(url, root, xff) {
    const auth = 'Basic ' + Buffer.from(`${root.user}:${root.pass}`).toString('base64');
    const headers = { Authorization: auth, 'Content-Type': 'application/x-www-form-urlencoded' };
    if (xff !== undefined) {
        headers['X-Forwarded-For'] = xff;
    }
    const res = await fetch(`${url}/2010-04-01/Accounts.json`, { method: 'POST', headers, body: 'FriendlyName=proxied' });
    assert.strictEqual(res.status, 201);
    return (await res.json()).sid;
}

async function recordedAddress(c, sid) {
    const ev = (await c.g.audit()).filter((e) => e.action === 'account.create' && e.target === sid);
    assert.strictEqual(ev.length, 1);
    return ev[0].remote_addr;
}

module.exports = (t) => {
    t.test('X-Forwarded-For is ignored unless the peer is a trusted proxy', async (c) => {
        const sid = await createWith(c.g.url, c.root, '198.51.100.7');
        assert.strictEqual(await recordedAddress(c, sid), '127.0.0.1');
    });

    t.test('from a trusted proxy, the last X-Forwarded-For entry is the client, if it is an IP address', async (c) => {
        const s = await serve(c.g.bin, [...c.g.dataArgs(), '--trusted-proxies', '10.0.0.9, 127.0.0.1']);
        try {
            let sid = await createWith(s.url, c.root, '198.51.100.7, 203.0.113.9');
            assert.strictEqual(await recordedAddress(c, sid), '203.0.113.9');
            sid = await createWith(s.url, c.root, '2001:db8::5');
            assert.strictEqual(await recordedAddress(c, sid), '2001:db8::5');
            sid = await createWith(s.url, c.root, '203.0.113.9, not-an-address');
            assert.strictEqual(await recordedAddress(c, sid), '127.0.0.1');
            sid = await createWith(s.url, c.root);
            assert.strictEqual(await recordedAddress(c, sid), '127.0.0.1');
        } finally {
            await stop(s.proc);
        }
        const other = await serve(c.g.bin, [...c.g.dataArgs(), '--trusted-proxies', '10.0.0.9']);
        try {
            const sid = await createWith(other.url, c.root, '203.0.113.9');
            assert.strictEqual(await recordedAddress(c, sid), '127.0.0.1', 'an untrusted peer was believed');
        } finally {
            await stop(other.proc);
        }
    });
};
