'use strict';
// zxcvbn-rate.js -- bench/strength's reference side: times Dropbox's zxcvbn (npm, pinned in
// package-lock.json) over the same corpus as driver.c, with the same user inputs Gatehouse
// always gives zxcvbn (its product names), and writes each candidate's guesses_log10.
//
// Usage: node zxcvbn-rate.js CORPUS OUT MIN_SECONDS
// Prints "rate=<estimates per second>", "checks=<n>", "seconds=<s>" and "version=<zxcvbn's>".
// A first pass records the results (and warms up the JIT); then it estimates the whole corpus
// again and again until MIN_SECONDS have passed (at least once), and divides.
const fs = require('fs');
const path = require('path');
const zxcvbn = require('zxcvbn');

const [corpusPath, outPath, minArg] = process.argv.slice(2);
if (!corpusPath || !outPath) {
    process.stderr.write('usage: node zxcvbn-rate.js CORPUS OUT MIN_SECONDS\n');
    process.exit(2);
}
const minSeconds = Number(minArg || 0);
const userInputs = ['gatehouse', 'twilio'];
const candidates = fs.readFileSync(corpusPath, 'utf8').split('\n').filter((l) => l !== '')
    .map((l) => l.slice(l.indexOf('\t') + 1));

const results = candidates.map((c) => zxcvbn(c, userInputs).guesses_log10.toFixed(4));
fs.writeFileSync(outPath, results.join('\n') + '\n');

let checks = 0;
const start = process.hrtime.bigint();
let elapsed = 0;
do {
    for (const c of candidates) {
        zxcvbn(c, userInputs);
    }
    checks += candidates.length;
    elapsed = Number(process.hrtime.bigint() - start) / 1e9;
} while (elapsed < minSeconds);

const pkg = JSON.parse(fs.readFileSync(path.join(path.dirname(require.resolve('zxcvbn')), '..',
    'package.json'), 'utf8'));
process.stdout.write(`rate=${(checks / elapsed).toFixed(1)}\nchecks=${checks}\n` +
    `seconds=${elapsed.toFixed(3)}\nversion=${pkg.version}\n`);
