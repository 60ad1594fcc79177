'use strict';
// compare.js -- bench/strength's score agreement: puts both estimates of every candidate into
// zxcvbn's score buckets (0-4, from guesses < 10^3, < 10^6, < 10^8, < 10^10, and above) and
// prints key=value lines, then '#' lines for humans (the confusion matrix and each category).
//
// Usage: node compare.js CORPUS GATEHOUSE_OUT ZXCVBN_OUT
const fs = require('fs');

const [corpusPath, ghPath, jsPath] = process.argv.slice(2);
const lines = (p) => fs.readFileSync(p, 'utf8').split('\n').filter((l) => l !== '');
const categories = lines(corpusPath).map((l) => l.slice(0, l.indexOf('\t')));
const gh = lines(ghPath).map((l) => l.split('\t'));
const js = lines(jsPath).map(Number);
if (gh.length !== categories.length || js.length !== categories.length) {
    process.stderr.write('compare: the result files do not match the corpus\n');
    process.exit(1);
}

const score = (log10) => (log10 < 3 ? 0 : log10 < 6 ? 1 : log10 < 8 ? 2 : log10 < 10 ? 3 : 4);
const n = categories.length;
const matrix = Array.from({length: 5}, () => [0, 0, 0, 0, 0]); // [gatehouse][zxcvbn]
const perCategory = new Map();
let agree = 0, verdictAgree = 0, lower = 0, higher = 0, absDiff = 0, fallback = 0;
let fallbackAgree = 0;

for (let i = 0; i < n; i++) {
    const g = Number(gh[i][0]);
    const a = score(g), b = score(js[i]);
    const c = perCategory.get(categories[i]) || {n: 0, agree: 0, diff: 0};

    matrix[a][b]++;
    agree += a === b;
    verdictAgree += (g >= 10) === (js[i] >= 10);
    lower += a < b;
    higher += a > b;
    absDiff += Math.abs(g - js[i]);
    if (gh[i][1] === 'fallback') {
        fallback++;
        fallbackAgree += a === b;
    }
    c.n++;
    c.agree += a === b;
    c.diff += g - js[i];
    perCategory.set(categories[i], c);
}

const f3 = (x) => x.toFixed(3);
process.stdout.write([
    `score_agreement=${f3(agree / n)}`,
    `score_lower=${f3(lower / n)}`,
    `score_higher=${f3(higher / n)}`,
    `verdict_agreement=${f3(verdictAgree / n)}`,
    `mean_abs_log10_diff=${f3(absDiff / n)}`,
    `fallback_candidates=${fallback}`,
    `fallback_score_agreement=${fallback ? f3(fallbackAgree / fallback) : 'n/a'}`,
].join('\n') + '\n');

const out = ['# score buckets: rows gatehouse, columns zxcvbn (npm)',
    '#            z0     z1     z2     z3     z4'];
for (let a = 0; a < 5; a++) {
    out.push(`# g${a}  ` + matrix[a].map((v) => String(v).padStart(7)).join(''));
}
out.push('# category        count  agree  mean(gatehouse - zxcvbn) log10');
for (const [name, c] of [...perCategory.entries()].sort()) {
    out.push(`# ${name.padEnd(15)} ${String(c.n).padStart(6)}  ${f3(c.agree / c.n)}  ` +
        `${(c.diff / c.n >= 0 ? '+' : '') + (c.diff / c.n).toFixed(2)}`);
}
process.stdout.write(out.join('\n') + '\n');
