'use strict';
/*
 * keys_2010 -- 2010-04-01 Keys (standard keys under an account): create/list/fetch/update/
 * delete, secret shown once, reach of parent and subaccount credentials, audit events.
 */
const keyFamily = require('./lib/keys2010');
const { assert, ok, error, page2010 } = require('./lib/check');

module.exports = (t) => {
    keyFamily(t, { family: 'Keys', listKey: 'keys', other: 'SigningKeys', otherListKey: 'signing_keys' });

    t.test('the main key made by the CLI is listed under Keys (without secret) and cannot be fetched with a secret', async (c) => {
        const body = ok(await c.get(`/2010-04-01/Accounts/${c.root.sid}/Keys.json?PageSize=1000`));
        const res = await c.get(`/2010-04-01/Accounts/${c.root.sid}/Keys/${c.mainKey.sid}.json`);
        const k = ok(res);
        assert.strictEqual(k.sid, c.mainKey.sid);
        assert.ok(page2010(body, 'keys').some((x) => x.sid === c.mainKey.sid), 'main key listed');
        assert.ok(!res.text.includes(c.mainKey.secret));
    });

    t.test('a v1 standard key can be fetched and deleted through the 2010 Keys resource', async (c) => {
        const k = await c.createKeyV1(c.root.sid, { FriendlyName: 'v1-made' });
        const f = ok(await c.get(`/2010-04-01/Accounts/${c.root.sid}/Keys/${k.sid}.json`));
        assert.strictEqual(f.friendly_name, 'v1-made');
        assert.strictEqual((await c.del(`/2010-04-01/Accounts/${c.root.sid}/Keys/${k.sid}.json`)).status, 204);
        error(await c.get(`/v1/Keys/${k.sid}`), 404, 20404);
    });
};
