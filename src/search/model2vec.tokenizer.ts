/**
 * The subset of Hugging Face `tokenizer.json` that static embedding models use:
 * normalizers (BertNormalizer, Lowercase, StripAccents, NFx, Replace, Strip, Sequence),
 * pre-tokenizers (BertPreTokenizer, Whitespace, WhitespaceSplit, Metaspace, Sequence) and the
 * WordPiece and Unigram models. Special tokens are never added: Model2Vec embeds raw text.
 * Anything else in a tokenizer.json is rejected loudly rather than silently mis-tokenised.
 */

export interface Tokenizer {
  /** Token ids for a text, unknown pieces included as `unkId`. */
  encode(text: string): number[];
  /** Id of the unknown token, or -1. */
  readonly unkId: number;
  /** Whether Model2Vec drops unknown tokens before pooling (it does for WordPiece models). */
  readonly dropUnknown: boolean;
  /** All tokens by id (for vocab statistics such as the median token length). */
  readonly vocab: readonly string[];
}

type Json = Record<string, unknown>;

// ---------------------------------------------------------------- normalisation

const CONTROL = /\p{C}/u;
const WHITESPACE = /[\t\n\r\p{White_Space}]/u;
const COMBINING_MARK = /\p{Mn}/gu;

function isChineseChar(cp: number): boolean {
  return (
    (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0x3400 && cp <= 0x4dbf) || (cp >= 0x20000 && cp <= 0x2a6df) ||
    (cp >= 0x2a700 && cp <= 0x2b73f) || (cp >= 0x2b740 && cp <= 0x2b81f) || (cp >= 0x2b820 && cp <= 0x2ceaf) ||
    (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0x2f800 && cp <= 0x2fa1f)
  );
}

export interface BertNormalizerOptions {
  cleanText: boolean;
  handleChineseChars: boolean;
  /** null follows `lowercase`, as in the reference implementation. */
  stripAccents: boolean | null;
  lowercase: boolean;
}

export const BERT_UNCASED: BertNormalizerOptions = {
  cleanText: true, handleChineseChars: true, stripAccents: null, lowercase: true,
};

const PRINTABLE_ASCII = /^[\x20-\x7e\t\n\r]*$/;

export function stripAccents(text: string): string {
  return text.normalize("NFD").replace(COMBINING_MARK, "");
}

/** BERT normalisation: drop control chars, unify whitespace, space out CJK, strip accents, lowercase. */
export function bertNormalize(text: string, opts: BertNormalizerOptions = BERT_UNCASED): string {
  // Fast path for printable ASCII (most abstracts): no controls, accents or CJK to handle.
  if (PRINTABLE_ASCII.test(text)) {
    const spaced = opts.cleanText ? text.replace(/[\t\n\r]/g, " ") : text;
    return opts.lowercase ? spaced.toLowerCase() : spaced;
  }
  let out = text;
  if (opts.cleanText || opts.handleChineseChars) {
    let s = "";
    for (const ch of out) {
      const cp = ch.codePointAt(0)!;
      if (opts.cleanText) {
        if (cp === 0 || cp === 0xfffd) continue;
        if (WHITESPACE.test(ch)) { s += " "; continue; }
        if (CONTROL.test(ch)) continue;
      }
      if (opts.handleChineseChars && isChineseChar(cp)) s += ` ${ch} `;
      else s += ch;
    }
    out = s;
  }
  if (opts.stripAccents ?? opts.lowercase) out = stripAccents(out);
  if (opts.lowercase) out = out.toLowerCase();
  return out;
}

const ASCII_PUNCT = /[!-/:-@[-`{-~]/;
const UNICODE_PUNCT = /\p{P}/u;

export function isBertPunctuation(ch: string): boolean {
  return ASCII_PUNCT.test(ch) || UNICODE_PUNCT.test(ch);
}

/** BERT pre-tokenisation: split on whitespace, and every punctuation char is its own word. */
export function bertPreTokenize(text: string): string[] {
  return text.match(BERT_WORD_OR_PUNCT) ?? [];
}

// One regex pass (native speed): a run of non-space non-punctuation chars, or one punctuation char.
const BERT_WORD_OR_PUNCT = /[^\t\n\r\p{White_Space}\p{P}!-/:-@[-`{-~]+|[\p{P}!-/:-@[-`{-~]/gu;

/** Char-by-char reference version of `bertPreTokenize` (kept for tests). */
export function bertPreTokenizeSlow(text: string): string[] {
  const words: string[] = [];
  let cur = "";
  for (const ch of text) {
    if (WHITESPACE.test(ch)) {
      if (cur) { words.push(cur); cur = ""; }
    } else if (isBertPunctuation(ch)) {
      if (cur) { words.push(cur); cur = ""; }
      words.push(ch);
    } else {
      cur += ch;
    }
  }
  if (cur) words.push(cur);
  return words;
}

/** The words a BERT-uncased WordPiece tokenizer would see for a text (used by training too). */
export function bertBasicWords(text: string): string[] {
  return bertPreTokenize(bertNormalize(text));
}

type Normalizer = (text: string) => string;

function buildNormalizer(spec: Json | null | undefined): Normalizer {
  if (!spec) return (t) => t;
  switch (spec.type) {
    case "BertNormalizer": {
      const opts: BertNormalizerOptions = {
        cleanText: spec.clean_text !== false,
        handleChineseChars: spec.handle_chinese_chars !== false,
        stripAccents: typeof spec.strip_accents === "boolean" ? spec.strip_accents : null,
        lowercase: spec.lowercase !== false,
      };
      return (t) => bertNormalize(t, opts);
    }
    case "Lowercase": return (t) => t.toLowerCase();
    case "StripAccents": return (t) => t.normalize("NFD").replace(COMBINING_MARK, "");
    case "NFC": case "NFD": case "NFKC": case "NFKD": {
      const form = spec.type;
      return (t) => t.normalize(form);
    }
    case "Strip": {
      const left = spec.strip_left !== false, right = spec.strip_right !== false;
      return (t) => (left && right ? t.trim() : left ? t.trimStart() : right ? t.trimEnd() : t);
    }
    case "Replace": {
      const pattern = spec.pattern as { String?: string; Regex?: string };
      const content = String(spec.content ?? "");
      if (pattern.String !== undefined) {
        const needle = pattern.String;
        return (t) => t.split(needle).join(content);
      }
      if (pattern.Regex !== undefined) {
        const re = new RegExp(pattern.Regex, "gu");
        return (t) => t.replace(re, () => content);
      }
      throw new Error("tokenizer.json: Replace normalizer without pattern");
    }
    case "Prepend": {
      const prefix = String(spec.prepend ?? "");
      return (t) => (t ? prefix + t : t);
    }
    case "Sequence": {
      const steps = (spec.normalizers as Json[]).map(buildNormalizer);
      return (t) => steps.reduce((acc, f) => f(acc), t);
    }
    default: throw new Error(`tokenizer.json: unsupported normalizer ${String(spec.type)}`);
  }
}

type PreTokenizer = (text: string) => string[];

function buildPreTokenizer(spec: Json | null | undefined): PreTokenizer {
  if (!spec) return (t) => (t ? [t] : []);
  switch (spec.type) {
    case "BertPreTokenizer": return bertPreTokenize;
    case "WhitespaceSplit": return (t) => t.split(/\s+/u).filter(Boolean);
    case "Whitespace": return (t) => t.match(/\w+|[^\w\s]+/gu) ?? [];
    case "Metaspace": {
      const rep = String(spec.replacement ?? "▁");
      const prepend = spec.prepend_scheme === undefined ? spec.add_prefix_space !== false : spec.prepend_scheme !== "never";
      const split = spec.split !== false;
      return (t) => {
        let s = t.split(" ").join(rep);
        if (prepend && s && !s.startsWith(rep)) s = rep + s;
        if (!split) return s ? [s] : [];
        // Split before every replacement char, keeping it as the word's prefix.
        const parts: string[] = [];
        let cur = "";
        for (const ch of s) {
          if (ch === rep && cur) { parts.push(cur); cur = ""; }
          cur += ch;
        }
        if (cur) parts.push(cur);
        return parts;
      };
    }
    case "Sequence": {
      const steps = (spec.pretokenizers as Json[]).map(buildPreTokenizer);
      return (t) => steps.reduce<string[]>((words, f) => words.flatMap(f), [t]);
    }
    default: throw new Error(`tokenizer.json: unsupported pre_tokenizer ${String(spec.type)}`);
  }
}

// ---------------------------------------------------------------- models

export class WordPieceModel {
  private readonly ids: Map<string, number>;
  readonly unkId: number;
  constructor(
    readonly vocab: readonly string[],
    unkToken = "[UNK]",
    private readonly prefix = "##",
    private readonly maxCharsPerWord = 100,
  ) {
    this.ids = new Map(vocab.map((tok, i) => [tok, i]));
    this.unkId = this.ids.get(unkToken) ?? -1;
  }

  /** Greedy longest-match-first; a word with any unmatchable remainder becomes one unknown. */
  encodeWord(word: string, out: number[]): void {
    const chars = Array.from(word);
    if (chars.length > this.maxCharsPerWord) { out.push(this.unkId); return; }
    const whole = this.ids.get(word);
    if (whole !== undefined) { out.push(whole); return; }
    const pieces: number[] = [];
    let start = 0;
    while (start < chars.length) {
      let end = chars.length;
      let found = -1;
      while (end > start) {
        let sub = chars.slice(start, end).join("");
        if (start > 0) sub = this.prefix + sub;
        const id = this.ids.get(sub);
        if (id !== undefined) { found = id; break; }
        end--;
      }
      if (found < 0) { out.push(this.unkId); return; }
      pieces.push(found);
      start = end;
    }
    for (const p of pieces) out.push(p);
  }
}

/** Viterbi segmentation over a scored vocabulary (SentencePiece-style unigram LM). */
export class UnigramModel {
  private readonly ids: Map<string, number>;
  private readonly maxPieceChars: number;
  private readonly unkScore: number;
  constructor(
    readonly vocab: readonly string[],
    private readonly scores: Float64Array,
    readonly unkId: number,
  ) {
    this.ids = new Map(vocab.map((tok, i) => [tok, i]));
    let maxLen = 1, minScore = Infinity;
    vocab.forEach((tok, i) => {
      maxLen = Math.max(maxLen, Array.from(tok).length);
      minScore = Math.min(minScore, scores[i]);
    });
    this.maxPieceChars = maxLen;
    // Same penalty as the reference: unknown chars score 10 below the rarest piece.
    this.unkScore = minScore - 10;
  }

  encodeWord(word: string, out: number[]): void {
    const chars = Array.from(word);
    const n = chars.length;
    const best = new Float64Array(n + 1).fill(-Infinity);
    const backLen = new Int32Array(n + 1);
    const backId = new Int32Array(n + 1);
    best[0] = 0;
    for (let i = 0; i < n; i++) {
      if (best[i] === -Infinity) continue;
      let sub = "";
      let matchedSingle = false;
      for (let len = 1; len <= this.maxPieceChars && i + len <= n; len++) {
        sub += chars[i + len - 1];
        const id = this.ids.get(sub);
        if (id === undefined) continue;
        if (len === 1) matchedSingle = true;
        const s = best[i] + this.scores[id];
        if (s > best[i + len]) { best[i + len] = s; backLen[i + len] = len; backId[i + len] = id; }
      }
      if (!matchedSingle) {
        const s = best[i] + this.unkScore;
        if (s > best[i + 1]) { best[i + 1] = s; backLen[i + 1] = 1; backId[i + 1] = this.unkId; }
      }
    }
    const rev: number[] = [];
    for (let pos = n; pos > 0; pos -= backLen[pos]) rev.push(backId[pos]);
    // Consecutive unknowns are fused into one, as the reference does.
    let prevUnk = false;
    for (let i = rev.length - 1; i >= 0; i--) {
      const isUnk = rev[i] === this.unkId;
      if (!(isUnk && prevUnk)) out.push(rev[i]);
      prevUnk = isUnk;
    }
  }
}

interface WordModel {
  readonly vocab: readonly string[];
  readonly unkId: number;
  encodeWord(word: string, out: number[]): void;
}

/** Build a tokenizer from a parsed tokenizer.json. */
export function tokenizerFromJson(json: unknown): Tokenizer {
  const spec = json as Json;
  const model = spec.model as Json | undefined;
  if (!model) throw new Error("tokenizer.json: no model");
  const normalize = buildNormalizer(spec.normalizer as Json | null);
  const preTokenize = buildPreTokenizer(spec.pre_tokenizer as Json | null);
  let wordModel: WordModel;
  let dropUnknown: boolean;
  if (model.type === "WordPiece" || (model.type === undefined && model.continuing_subword_prefix !== undefined)) {
    const vocabObj = model.vocab as Record<string, number>;
    const vocab: string[] = [];
    for (const [tok, id] of Object.entries(vocabObj)) vocab[id] = tok;
    wordModel = new WordPieceModel(
      vocab,
      String(model.unk_token ?? "[UNK]"),
      String(model.continuing_subword_prefix ?? "##"),
      Number(model.max_input_chars_per_word ?? 100),
    );
    // Model2Vec removes the unknown token for models whose tokenizer names one (WordPiece).
    dropUnknown = true;
  } else if (model.type === "Unigram") {
    const entries = model.vocab as [string, number][];
    const scores = new Float64Array(entries.length);
    entries.forEach(([, s], i) => (scores[i] = s));
    wordModel = new UnigramModel(entries.map(([t]) => t), scores, typeof model.unk_id === "number" ? model.unk_id : -1);
    dropUnknown = false;
  } else {
    throw new Error(`tokenizer.json: unsupported model ${String(model.type)}`);
  }
  return {
    unkId: wordModel.unkId,
    dropUnknown,
    vocab: wordModel.vocab,
    encode(text: string): number[] {
      const ids: number[] = [];
      for (const word of preTokenize(normalize(text))) wordModel.encodeWord(word, ids);
      return ids;
    },
  };
}

/**
 * A tokenizer.json for a whole-word WordPiece vocabulary with the BERT-uncased pipeline, so that
 * models trained here load with the same code (and in other Model2Vec runtimes).
 * `vocab[0]` should be "[PAD]" and `vocab[1]` "[UNK]".
 */
export function wordPieceTokenizerJson(vocab: readonly string[]): Json {
  const ids: Record<string, number> = {};
  vocab.forEach((tok, i) => (ids[tok] = i));
  const special = vocab.filter((t) => /^\[[A-Z]+\]$/.test(t));
  return {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: special.map((content) => ({
      id: ids[content], content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true,
    })),
    normalizer: { type: "BertNormalizer", clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: "BertPreTokenizer" },
    post_processor: null,
    decoder: { type: "WordPiece", prefix: "##", cleanup: true },
    model: { type: "WordPiece", unk_token: "[UNK]", continuing_subword_prefix: "##", max_input_chars_per_word: 100, vocab: ids },
  };
}
