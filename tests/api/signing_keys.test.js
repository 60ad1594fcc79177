'use strict';
/*
 * signing_keys -- 2010-04-01 SigningKeys: the same contract as Keys under its own path and
 * list key ("signing_keys"); a signing key has standard reach.
 */
const keyFamily = require('./lib/keys2010');

module.exports = (t) => {
    keyFamily(t, { family: 'SigningKeys', listKey: 'signing_keys', other: 'Keys', otherListKey: 'keys' });
};
