// The text analyzer shared by keyword search and embeddings. Both sides must see the same
// terms for a paper and for a query, so every normalisation decision lives here.
import { stemmer } from "stemmer";

// Lucene's English stop set plus pronouns and auxiliaries that fill abstracts ("we show that
// our ..."). Kept small on purpose: BM25's idf already discounts common words, the list
// mainly saves postings (memory and query time) on words that never carry meaning.
const STOPWORD_LIST = [
  "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is",
  "it", "no", "not", "of", "on", "or", "such", "that", "the", "their", "then", "there",
  "these", "they", "this", "to", "was", "will", "with",
  "we", "our", "us", "its", "from", "which", "has", "have", "had", "been", "were", "than",
  "also", "do", "does", "did", "i", "you", "your", "he", "she", "his", "her", "them",
  "those", "so", "can", "may", "via",
];
export const STOPWORDS: ReadonlySet<string> = new Set(STOPWORD_LIST);

// Greek letters are written three ways in papers ("α-synuclein", "$\alpha$-synuclein",
// "alpha-synuclein"); all three must meet on the same term.
const GREEK_NAMES = [
  "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa",
  "lambda", "mu", "nu", "xi", "omicron", "pi", "rho", "sigma", "tau", "upsilon", "phi",
  "chi", "psi", "omega",
];
const GREEK_LOWER = "αβγδεζηθικλμνξοπρστυφχψω";
const GREEK_CHAR_TO_NAME = new Map<string, string>();
for (let i = 0; i < GREEK_NAMES.length; i++) {
  GREEK_CHAR_TO_NAME.set(GREEK_LOWER[i], GREEK_NAMES[i]);
}
GREEK_CHAR_TO_NAME.set("ς", "sigma");
GREEK_CHAR_TO_NAME.set("ϵ", "epsilon");
GREEK_CHAR_TO_NAME.set("ϑ", "theta");
GREEK_CHAR_TO_NAME.set("ϕ", "phi");
GREEK_CHAR_TO_NAME.set("ϱ", "rho");
GREEK_CHAR_TO_NAME.set("ϖ", "pi");
// TeX spellings of the same letters (lowercase names only after lowercasing; \Gamma -> gamma).
const TEX_GREEK = new Set([...GREEK_NAMES, "varepsilon", "vartheta", "varphi", "varrho", "varsigma", "varpi", "ell"]);
const TEX_GREEK_CANONICAL: Record<string, string> = {
  varepsilon: "epsilon", vartheta: "theta", varphi: "phi", varrho: "rho", varsigma: "sigma", varpi: "pi",
};

// Tokens longer than this are base64, hashes or URLs glued together: noise that would only
// bloat the vocabulary.
const MAX_TOKEN_LENGTH = 48;

// Only the Latin/Greek accent block: stripping every mark would also strip kana voicing
// marks, and NFC afterwards re-joins Hangul syllables that NFKD split into jamo.
const COMBINING_ACCENTS = /[\u0300-\u036f]+/g;
// Anything outside 7-bit ASCII (written as a range from U+0080 to keep control characters out of the pattern).
const NON_ASCII = /[\u0080-\uffff]/;
const MATH_SPAN = /\$\$[^$]*\$\$|\$[^$]*\$|\\\(.*?\\\)|\\\[.*?\\\]/gs;
// A TeX control word (\mathcal) or control symbol (\", \{, \\).
const TEX_COMMAND = /\\([a-zA-Z]+|[^a-zA-Z])/g;
const WORD = /[\p{L}\p{N}]+/gu;
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;
const CJK_CHAR = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]|[^\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]+/gu;
const GREEK_CHAR = /[\u0370-\u03ff]/;
const GREEK_RUN = /[\u0370-\u03ff]/g;
const DIGITS = /^[0-9]+$/;
const HAS_DIGIT = /[0-9]/;

/** Rewrites TeX so that only words a reader would type survive. */
function detex(text: string, inMath: boolean): string {
  return text.replace(TEX_COMMAND, (_m, name: string) => {
    const lower = name.toLowerCase();
    if (TEX_GREEK.has(lower)) return ` ${TEX_GREEK_CANONICAL[lower] ?? lower} `;
    // A control symbol such as \" in G\"odel is an accent on the next letter: drop it so the
    // word stays whole. Control words (\mathcal, \frac, \textbf) are formatting, never content.
    if (name.length === 1 && !/[a-zA-Z]/.test(name)) return name === "\\" || inMath ? " " : "";
    return " ";
  });
}

// Slow path for a run that contains non-ASCII characters (Greek, CJK, symbols).
function pushUnicodeRun(text: string, inMath: boolean, out: string[]): void {
  for (const m of text.matchAll(WORD)) {
    let w = m[0];
    if (GREEK_CHAR.test(w)) {
      w = w.replace(GREEK_RUN, (c) => {
        const name = GREEK_CHAR_TO_NAME.get(c);
        return name === undefined ? c : ` ${name} `;
      });
      for (const part of w.split(" ")) if (part) pushWord(part, inMath, out);
      continue;
    }
    if (CJK.test(w)) {
      // No spaces between CJK words: index each ideograph/kana so queries still meet.
      for (const part of w.match(CJK_CHAR) ?? []) pushWord(part, inMath, out);
      continue;
    }
    pushWord(w, inMath, out);
  }
}

// ASCII letters and digits; everything else below 128 separates words.
const ALNUM = new Uint8Array(128);
for (let c = 48; c <= 57; c++) ALNUM[c] = 1;
for (let c = 97; c <= 122; c++) ALNUM[c] = 1;
for (let c = 65; c <= 90; c++) ALNUM[c] = 1;

// Hand-rolled scanner: tokenizing dominates index build time and a regex with Unicode
// classes over mostly-ASCII text is several times slower than this loop.
function pushWords(text: string, inMath: boolean, out: string[]): void {
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c < 128 && ALNUM[c] === 0) {
      i++;
      continue;
    }
    let j = i;
    let ascii = true;
    while (j < n) {
      const d = text.charCodeAt(j);
      if (d < 128) {
        if (ALNUM[d] === 0) break;
      } else ascii = false;
      j++;
    }
    if (ascii) pushWord(text.slice(i, j), inMath, out);
    else pushUnicodeRun(text.slice(i, j), inMath, out);
    i = j;
  }
}

function pushWord(w: string, inMath: boolean, out: string[]): void {
  if (w.length > MAX_TOKEN_LENGTH) return;
  // Single letters are variables (n, x, k in "top-k") and carry no topic.
  if (w.length === 1) {
    const c = w.charCodeAt(0);
    if (c >= 97 && c <= 122) return;
  }
  // Inside formulas, bare numbers are exponents and indices, not quantities anyone searches.
  if (inMath && DIGITS.test(w)) return;
  out.push(w);
}

/**
 * Lowercased, accent-free words with TeX markup removed; stopwords kept, no stemming.
 * Never throws.
 */
export function words(text: string): string[] {
  if (typeof text !== "string" || text.length === 0) return [];
  let s = text;
  if (NON_ASCII.test(s)) s = s.normalize("NFKD").replace(COMBINING_ACCENTS, "").normalize("NFC");
  s = s.toLowerCase();
  const out: string[] = [];
  if (s.includes("\\") || s.includes("$")) {
    let last = 0;
    for (const m of s.matchAll(MATH_SPAN)) {
      const start = m.index ?? 0;
      pushWords(detex(s.slice(last, start), false), false, out);
      pushWords(detex(m[0], true), true, out);
      last = start + m[0].length;
    }
    pushWords(detex(s.slice(last), false), false, out);
  } else {
    pushWords(s, false, out);
  }
  return out;
}

export function isStopword(word: string): boolean {
  return STOPWORDS.has(word);
}

// Stemming and the stopword test dominate indexing time; the vocabulary of a corpus is small
// next to its token count, so one bounded memo (word -> term, "" for stopwords) pays off.
const TERM_CACHE_LIMIT = 200_000;
let termCache = new Map<string, string>();

function porter(word: string): string {
  return HAS_DIGIT.test(word) || NON_ASCII.test(word) ? word : stemmer(word);
}

/** Porter stem of one analysed word; words with digits are identifiers and left alone. */
export function stem(word: string): string {
  return porter(word);
}

/** Analysed words without stopwords, unstemmed (for display, vocabularies, embeddings). */
export function tokenizeUnstemmed(text: string): string[] {
  return words(text).filter((w) => !STOPWORDS.has(w));
}

/** The term for one word from words(): "" for a stopword, else its stem. */
export function analyzeWord(word: string): string {
  let t = termCache.get(word);
  if (t === undefined) {
    t = STOPWORDS.has(word) ? "" : porter(word);
    if (termCache.size >= TERM_CACHE_LIMIT) termCache = new Map();
    termCache.set(word, t);
  }
  return t;
}

/** The index/query terms: analysed words, stopwords removed, Porter-stemmed. Never throws. */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  for (const w of words(text)) {
    const t = analyzeWord(w);
    if (t.length > 0) out.push(t);
  }
  return out;
}
