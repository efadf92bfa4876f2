import { GigpoError, InvalidArgumentError } from '@gigpo/protocol'

/**
 * What the policy needs from a tokenizer. {@link WordTokenizer} is the built-in one; a Hugging Face
 * `tokenizer.json` adapter implements the same interface.
 */
export interface Tokenizer {
  /** Format name written to `tokenizer.json` (`gigpo-word` for {@link WordTokenizer}). */
  readonly kind: string
  /** Number of token ids; the model's `vocab_size` must be at least this. */
  readonly vocabSize: number
  /** The id that ends a response. */
  readonly eosId: number
  /** Text → ids. Must round-trip: `decode(encode(s)) === s` for any string without special-token text. */
  encode(text: string): Int32Array
  /** Ids → text. Special tokens (EOS, padding) are dropped unless `keepSpecial`. */
  decode(ids: ArrayLike<number>, options?: { readonly keepSpecial?: boolean }): string
  /** The token string of an id (for debugging and tests). */
  idToToken(id: number): string | undefined
  /**
   * Wraps a user message into the model's prompt format (e.g. a chat template). Absent: the prompt is used
   * as is.
   */
  applyChatTemplate?(userMessage: string): string
  /** A JSON-serialisable description from which {@link tokenizerFromJSON} rebuilds the tokenizer. */
  toJSON(): unknown
  /** Tokens that end a free response (EOS and any others). Absent: `[eosId]`. */
  readonly stopIds?: readonly number[]
  /** Other files a saved policy writes next to `tokenizer.json` (e.g. `tokenizer_config.json`), by name. */
  extraFiles?(): ReadonlyMap<string, string>
}

/** Serialised form of a {@link WordTokenizer} (`tokenizer.json`). */
export interface WordTokenizerJSON {
  readonly type: 'gigpo-word'
  readonly version: 1
  /** Token strings in id order: specials, added tokens, 256 byte tokens, single characters, words. */
  readonly vocab: readonly string[]
  /** Number of special tokens at the start of `vocab` (`<pad>`, `<eos>`). */
  readonly specialCount: number
  /** Number of added tokens (matched verbatim before splitting, decoded as text) after the specials. */
  readonly addedCount: number
}

/** Options of {@link buildWordTokenizer}. */
export interface BuildWordTokenizerOptions {
  /** Total vocabulary size, base tokens included. @defaultValue `4096` */
  readonly maxVocabSize?: number
  /** A piece must occur at least this often to get its own id. @defaultValue `2` */
  readonly minFrequency?: number
  /**
   * Extra tokens matched verbatim before splitting (decoded as text).
   * @defaultValue `['<think>', '</think>', '<action>', '</action>']`
   */
  readonly addedTokens?: readonly string[]
}

/** The special tokens of a {@link WordTokenizer}: id 0 pads, id 1 ends a response. */
export const WORD_SPECIAL_TOKENS = ['<pad>', '<eos>'] as const

/** The reference's response tags, single tokens in the built-in tokenizer. */
export const DEFAULT_ADDED_TOKENS = ['<think>', '</think>', '<action>', '</action>'] as const

// GPT-2 style pieces: an optional leading space, then a run of letters, of digits, or of other symbols;
// whitespace runs are kept (a run before a word leaves its last space to the word).
const PIECE = / ?[\p{L}\p{M}]+| ?\p{N}+| ?[^\s\p{L}\p{M}\p{N}]+|\s+(?!\S)|\s+/gu

const SINGLE_CHARS: readonly string[] = (() => {
  const chars = ['\n', '\t']
  for (let c = 0x20; c < 0x7f; c++) chars.push(String.fromCharCode(c))
  return chars
})()

/** Splits text into the pieces the word tokenizer looks up (added tokens are not handled here). */
export function splitPieces(text: string): string[] {
  return text.match(PIECE) ?? []
}

/**
 * The built-in tokenizer: a word-level vocabulary learned from the environments' own text, with a
 * character and UTF-8 byte fallback so that every string round-trips exactly.
 *
 * Text is first split at the added tokens (`<think>`, `</think>`, `<action>`, `</action>`), then into
 * GPT-2-style pieces (` word`, ` 12`, `',`, `\n`). A piece in the vocabulary is one token; otherwise it is
 * spelled with single-character tokens (printable ASCII, newline, tab) and, for anything else, its UTF-8
 * bytes (`<0xE2>`…). ALFWorld and WebShop prompts come out at roughly one token per word, 3–5x shorter than
 * with a character vocabulary.
 */
export class WordTokenizer implements Tokenizer {
  readonly kind = 'gigpo-word'
  readonly vocabSize: number
  readonly eosId = 1
  readonly padId = 0
  readonly #vocab: readonly string[]
  readonly #ids: ReadonlyMap<string, number>
  readonly #specialCount: number
  readonly #added: readonly string[]
  readonly #byteBase: number
  readonly #addedPattern: RegExp | undefined

  constructor(json: WordTokenizerJSON) {
    validateJSON(json)
    this.#vocab = [...json.vocab]
    this.vocabSize = json.vocab.length
    this.#specialCount = json.specialCount
    this.#added = json.vocab.slice(json.specialCount, json.specialCount + json.addedCount)
    this.#byteBase = json.specialCount + json.addedCount
    const ids = new Map<string, number>()
    json.vocab.forEach((token, id) => {
      // Byte tokens are addressed by value, never by their display string.
      if (id < this.#byteBase || id >= this.#byteBase + 256) ids.set(token, id)
    })
    this.#ids = ids
    const sorted = [...this.#added].sort((a, b) => b.length - a.length)
    this.#addedPattern =
      sorted.length === 0 ? undefined : new RegExp(sorted.map((t) => escapeRegExp(t)).join('|'), 'gu')
  }

  encode(text: string): Int32Array {
    const out: number[] = []
    const encodePlain = (segment: string) => {
      for (const piece of splitPieces(segment)) this.#encodePiece(piece, out)
    }
    if (this.#addedPattern === undefined) {
      encodePlain(text)
    } else {
      let last = 0
      for (const m of text.matchAll(this.#addedPattern)) {
        if (m.index > last) encodePlain(text.slice(last, m.index))
        out.push(this.#ids.get(m[0])!)
        last = m.index + m[0].length
      }
      if (last < text.length) encodePlain(text.slice(last))
    }
    return Int32Array.from(out)
  }

  decode(ids: ArrayLike<number>, options: { readonly keepSpecial?: boolean } = {}): string {
    let text = ''
    const bytes: number[] = []
    const flush = () => {
      if (bytes.length > 0) {
        text += new TextDecoder().decode(Uint8Array.from(bytes))
        bytes.length = 0
      }
    }
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!
      if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize) {
        throw new InvalidArgumentError(
          `decode: token id ${id} at index ${i} is outside [0, ${this.vocabSize}).`,
        )
      }
      if (id >= this.#byteBase && id < this.#byteBase + 256) {
        bytes.push(id - this.#byteBase)
        continue
      }
      flush()
      if (id < this.#specialCount && options.keepSpecial !== true) continue
      text += this.#vocab[id]!
    }
    flush()
    return text
  }

  idToToken(id: number): string | undefined {
    return this.#vocab[id]
  }

  /** The id of a token string (words, single characters, specials, added tokens), if any. */
  tokenToId(token: string): number | undefined {
    return this.#ids.get(token)
  }

  toJSON(): WordTokenizerJSON {
    return {
      type: 'gigpo-word',
      version: 1,
      vocab: [...this.#vocab],
      specialCount: this.#specialCount,
      addedCount: this.#added.length,
    }
  }

  #encodePiece(piece: string, out: number[]): void {
    const id = this.#ids.get(piece)
    if (id !== undefined) {
      out.push(id)
      return
    }
    if (piece.length > 1 && piece.startsWith(' ')) {
      const rest = this.#ids.get(piece.slice(1))
      if (rest !== undefined) {
        out.push(this.#ids.get(' ')!, rest)
        return
      }
    }
    for (const ch of piece) {
      const charId = this.#ids.get(ch)
      if (charId !== undefined) {
        out.push(charId)
      } else {
        for (const byte of new TextEncoder().encode(ch)) out.push(this.#byteBase + byte)
      }
    }
  }
}

/**
 * Learns a {@link WordTokenizer} from text (prompts, observations and actions of the environments): the most
 * frequent pieces, ties broken by code-point order, so the same corpus always gives the same vocabulary.
 *
 * @example
 * ```ts
 * const tokenizer = buildWordTokenizer(['You arrive at loc 1.', 'go to desk 1'], { maxVocabSize: 512 })
 * tokenizer.decode(tokenizer.encode('go to desk 1')) // 'go to desk 1'
 * ```
 */
export function buildWordTokenizer(
  corpus: Iterable<string>,
  options: BuildWordTokenizerOptions = {},
): WordTokenizer {
  const added = [...(options.addedTokens ?? DEFAULT_ADDED_TOKENS)]
  const maxVocab = options.maxVocabSize ?? 4096
  const minFrequency = options.minFrequency ?? 2
  const base: string[] = [...WORD_SPECIAL_TOKENS, ...added]
  for (let b = 0; b < 256; b++) base.push(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`)
  const taken = new Set(base)
  for (const ch of SINGLE_CHARS) {
    if (!taken.has(ch)) {
      base.push(ch)
      taken.add(ch)
    }
  }
  if (maxVocab < base.length) {
    throw new InvalidArgumentError(
      `maxVocabSize: must be at least ${base.length} (specials, added tokens, 256 bytes, ASCII characters), ` +
        `got ${maxVocab}.`,
    )
  }
  const counts = new Map<string, number>()
  const addedPattern =
    added.length === 0
      ? undefined
      : new RegExp(
          [...added]
            .sort((a, b) => b.length - a.length)
            .map(escapeRegExp)
            .join('|'),
          'gu',
        )
  for (const text of corpus) {
    const segments = addedPattern === undefined ? [text] : text.split(addedPattern)
    for (const segment of segments) {
      for (const piece of splitPieces(segment)) counts.set(piece, (counts.get(piece) ?? 0) + 1)
    }
  }
  const words = [...counts.entries()]
    .filter(([piece, n]) => n >= minFrequency && !taken.has(piece))
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, maxVocab - base.length)
    .map(([piece]) => piece)
  return new WordTokenizer({
    type: 'gigpo-word',
    version: 1,
    vocab: [...base, ...words],
    specialCount: WORD_SPECIAL_TOKENS.length,
    addedCount: added.length,
  })
}

function validateJSON(json: WordTokenizerJSON): void {
  const ok =
    json !== null &&
    typeof json === 'object' &&
    json.type === 'gigpo-word' &&
    json.version === 1 &&
    Array.isArray(json.vocab) &&
    json.vocab.every((t) => typeof t === 'string') &&
    Number.isInteger(json.specialCount) &&
    Number.isInteger(json.addedCount) &&
    json.specialCount >= 2 &&
    json.vocab.length >= json.specialCount + json.addedCount + 256
  if (!ok) {
    throw new GigpoError(
      'DATA_FORMAT',
      'tokenizer.json: not a gigpo-word tokenizer (expected {type: "gigpo-word", version: 1, vocab, specialCount, addedCount}).',
    )
  }
  if (new Set(json.vocab).size !== json.vocab.length) {
    throw new GigpoError('DATA_FORMAT', 'tokenizer.json: the vocabulary has duplicate tokens.')
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
