'use strict';
// corpus.js -- the fixed corpus of candidate passphrases for bench/strength/run.sh.
//
// Usage: node corpus.js COUNT SEED > corpus.tsv
// Prints COUNT lines "<category>\t<candidate>" (UTF-8, no tabs or newlines inside a
// candidate), drawn by a seeded PRNG (mulberry32), so the same COUNT and SEED always give the
// same bytes on any machine.  Every list the generator draws from is written out below: the
// corpus does not depend on files installed on the machine.

const count = Number(process.argv[2] || 20000);
const seed = Number(process.argv[3] || 20261128);
if (!Number.isInteger(count) || count < 1 || !Number.isInteger(seed)) {
    process.stderr.write('usage: node corpus.js COUNT SEED\n');
    process.exit(2);
}

// mulberry32: a small, well-known 32-bit PRNG; deterministic across platforms.
let state = seed >>> 0;
function random() {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const int = (n) => Math.floor(random() * n);
const pick = (list) => list[int(list.length)];
const chance = (p) => random() < p;

const common = ('password 123456 123456789 qwerty 12345678 111111 1234567890 1234567 password1 ' +
    '123123 abc123 qwerty123 1q2w3e4r admin qwertyuiop 654321 555555 lovely 7777777 welcome ' +
    '888888 princess dragon password123 123qwe 666666 1qaz2wsx 333333 michael sunshine liverpool ' +
    '777777 1234 football iloveyou monkey charlie superman letmein trustno1 baseball shadow ' +
    'master jennifer hunter2 starwars whatever freedom passw0rd zaq12wsx ashley bailey access ' +
    'mustang 121212 flower hello loveme 696969 batman computer tigger sophie jordan23 ' +
    'Password123456 P@ssw0rd correcthorsebatterystaple Summer2024 Winter2023! changeme ' +
    'letmein123 qazwsx 000000 987654321 abcdef aaaaaa').split(' ');

const words = ('time year people way day man thing woman life child world school state family ' +
    'student group country problem hand part place case week company system program question ' +
    'work government number night point home water room mother area money story fact month ' +
    'lot right study book eye job word business issue side kind head house service friend ' +
    'father power hour game line end member law car city community name president team minute ' +
    'idea kid body information back parent face others level office door health person art war ' +
    'history party result change morning reason research girl guy moment air teacher force ' +
    'education correct horse battery staple purple monkey dishwasher orange river mountain ' +
    'quiet thunder velvet lantern copper meadow falcon harbor glacier pepper canyon marble ' +
    'willow ember socket tundra violin walrus cobalt saddle pickle nebula cactus ' +
    'anchor biscuit compass dolphin eclipse fossil gravel hammock igloo jigsaw kettle ' +
    'lemonade magnet noodle oyster pretzel quartz ribbon sherbet tractor umbrella vortex ' +
    'whistle yogurt zephyr').split(' ');

const names = ('james mary robert patricia john jennifer michael linda david elizabeth william ' +
    'barbara richard susan joseph jessica thomas sarah charles karen alice bob carol dave ' +
    'emma olivia noah liam sophia mia lucas ava').split(' ');

const keyboard = ['qwertyuiop', 'asdfghjkl', 'zxcvbnm', '1qaz2wsx3edc', 'qazwsxedc', '!QAZ2wsx',
    'poiuytrewq', '1234qwer', 'asdf1234', 'zaq1xsw2'];

const cyrillic = ['пароль', 'привет', 'любовь', 'солнце', 'правильная', 'лошадь', 'батарея',
    'скоба', 'собака', 'кошка', 'москва', 'зима', 'весна', 'дружба', 'книга', 'звезда'];
const cjk = ['我', '的', '猫', '喜', '欢', '在', '阳', '光', '下', '睡', '觉', '和', '吃', '鱼', '密',
    '码', '安', '全', '中', '国', '日', '本', '月', '山', '水', '火', '木', '金', '土', '人'];
const emoji = ['😀', '😂', '🥰', '😎', '🐴', '🔋', '📎', '🔒', '🌈', '🍕', '🚀', '❤️', '👍🏽',
    '👨‍👩‍👧‍👦', '🇫🇷', '🎉', '🐱', '⭐'];
const accented = ['café', 'naïve', 'résumé', 'piñata', 'jalapeño', 'crème', 'brûlée', 'façade',
    'über', 'straße', 'smörgåsbord', 'déjà', 'vu', 'coöperate', 'señor', 'mañana'];

const leetMap = {a: ['4', '@'], e: ['3'], i: ['1', '!'], o: ['0'], s: ['5', '$'], t: ['7'],
    l: ['1'], g: ['9'], b: ['8']};

function leet(w) {
    return Array.from(w).map((c) => (leetMap[c] && chance(0.6) ? pick(leetMap[c]) : c)).join('');
}

function capitalise(w) {
    return w.charAt(0).toUpperCase() + w.slice(1);
}

function year() {
    return String(1950 + int(76));
}

function date() {
    const d = String(1 + int(28)).padStart(2, '0');
    const m = String(1 + int(12)).padStart(2, '0');
    const y = year();
    return pick([`${d}/${m}/${y}`, `${y}${m}${d}`, `${d}${m}${y}`, `${m}-${d}-${y}`,
        `${d}.${m}.${y.slice(2)}`]);
}

function randomString(len, alphabet) {
    let s = '';
    for (let i = 0; i < len; i++) {
        s += alphabet[int(alphabet.length)];
    }
    return s;
}

// All 95 printable ASCII characters, space included.
const printable = Array.from({length: 95}, (_, i) => String.fromCharCode(32 + i)).join('');
const alnum = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

function phrase(n, sep) {
    return Array.from({length: n}, () => pick(words)).join(sep);
}

// Each generator returns one candidate; the weights follow what people actually type.
const generators = [
    ['common', 6, () => pick(common)],
    ['common_suffix', 6, () => pick(common) + pick(['1', '!', '123', '2024', year(), '!!'])],
    ['word_digits', 8, () => (chance(0.5) ? capitalise(pick(words)) : pick(words)) +
        String(int(1000))],
    ['name_date', 7, () => (chance(0.5) ? capitalise(pick(names)) : pick(names)) + date()],
    ['name_year', 5, () => pick(names) + pick(names) + year()],
    ['date', 3, () => date()],
    ['leet', 8, () => leet(pick(words) + pick(words)) + (chance(0.5) ? year() : '')],
    ['keyboard', 3, () => pick(keyboard) + (chance(0.5) ? pick(keyboard) : '')],
    ['repeat', 3, () => pick(['a', 'ab', 'abc', '12', 'xo', 'ha', 'love']).repeat(3 + int(8))],
    ['passphrase_2', 6, () => phrase(2, pick([' ', '-', '', '.']))],
    ['passphrase_3', 7, () => phrase(3, pick([' ', '-', '', '_']))],
    ['passphrase_4', 7, () => phrase(4, pick([' ', '-', '']))],
    ['passphrase_6', 3, () => phrase(6, ' ')],
    ['random_ascii', 8, () => randomString(8 + int(17), printable)],
    ['random_alnum', 5, () => randomString(8 + int(13), alnum)],
    ['cyrillic', 4, () => Array.from({length: 1 + int(4)}, () => pick(cyrillic))
        .join(pick([' ', '', '-'])) + (chance(0.4) ? year() : '')],
    ['cjk', 3, () => Array.from({length: 4 + int(14)}, () => pick(cjk)).join('')],
    ['emoji', 3, () => (chance(0.5) ? pick(emoji).repeat(4 + int(12))
        : Array.from({length: 3 + int(12)}, () => pick(emoji)).join(''))],
    ['emoji_words', 2, () => phrase(2 + int(3), ' ') + ' ' + pick(emoji)],
    ['accented', 3, () => Array.from({length: 2 + int(4)}, () => pick(accented)).join(' ')],
];
const total = generators.reduce((s, g) => s + g[1], 0);

function generate() {
    let r = int(total);
    for (const [category, weight, make] of generators) {
        if (r < weight) {
            return [category, make()];
        }
        r -= weight;
    }
    throw new Error('unreachable');
}

const out = [];
for (let i = 0; i < count; i++) {
    const [category, candidate] = generate();
    if (/[\t\n\r]/.test(candidate)) {
        throw new Error('a candidate holds a tab or newline');
    }
    out.push(`${category}\t${candidate}\n`);
}
process.stdout.write(out.join(''));
