import { describe, expect, it } from 'vitest'
import { ACTIONS, alfworldPrompt, tinyTokenizer } from '../test/helpers.js'
import { wrapAction } from './constraint.js'
import {
  buildWordTokenizer,
  DEFAULT_ADDED_TOKENS,
  splitPieces,
  WORD_SPECIAL_TOKENS,
  WordTokenizer,
} from './tokenizer.js'
import { tokenizerFromJSON } from './load-tokenizer.js'

describe('splitPieces', () => {
  it('splits GPT-2 style: a leading space stays with its word, whitespace runs keep their last space', () => {
    expect(splitPieces("go to desk 12, then 'look'.\n\n  ok")).toEqual([
      'go',
      ' to',
      ' desk',
      ' 12',
      ',',
      ' then',
      " '",
      'look',
      "'.",
      '\n\n ',
      ' ok',
    ])
  })

  it('concatenates back to the input', () => {
    const text = alfworldPrompt()
    expect(splitPieces(text).join('')).toBe(text)
  })
})

describe('WordTokenizer', () => {
  const tokenizer = tinyTokenizer()

  it('puts specials, added tokens and the 256 bytes first', () => {
    expect(tokenizer.idToToken(0)).toBe(WORD_SPECIAL_TOKENS[0])
    expect(tokenizer.eosId).toBe(1)
    expect(tokenizer.idToToken(1)).toBe('<eos>')
    DEFAULT_ADDED_TOKENS.forEach((t, i) => expect(tokenizer.idToToken(2 + i)).toBe(t))
    expect(tokenizer.idToToken(6)).toBe('<0x00>')
    expect(tokenizer.idToToken(6 + 255)).toBe('<0xFF>')
  })

  it('encodes the response tags as single tokens and env words as one token each', () => {
    const ids = tokenizer.encode(wrapAction('go to drawer 2'))
    expect(Array.from(ids, (i) => tokenizer.idToToken(i))).toEqual([
      '<think>',
      '</think>',
      '<action>',
      'go',
      ' to',
      ' drawer',
      ' 2',
      '</action>',
    ])
  })

  it('keeps an ALFWorld prompt short (about one token per word)', () => {
    const prompt = alfworldPrompt()
    const words = prompt.split(/\s+/u).length
    expect(tokenizer.encode(prompt).length).toBeLessThan(words * 1.6)
  })

  it('round-trips text outside the vocabulary through characters and UTF-8 bytes', () => {
    for (const text of ['zebra 999 quux', 'e‑commerce café 🍎 naïve', '\t\r\n  ', '', '<eos> is text here']) {
      expect(tokenizer.decode(tokenizer.encode(text))).toBe(text)
    }
    const ids = tokenizer.encode('🍎')
    expect(ids.length).toBe(4)
    expect(Array.from(ids, (i) => tokenizer.idToToken(i))).toEqual(['<0xF0>', '<0x9F>', '<0x8D>', '<0x8E>'])
  })

  it('drops special tokens when decoding unless asked to keep them', () => {
    const ids = [...tokenizer.encode('look'), tokenizer.eosId]
    expect(tokenizer.decode(ids)).toBe('look')
    expect(tokenizer.decode(ids, { keepSpecial: true })).toBe('look<eos>')
  })

  it('rejects ids outside the vocabulary', () => {
    expect(() => tokenizer.decode([tokenizer.vocabSize])).toThrow(/outside/u)
  })

  it('serialises to JSON and back to the same tokenizer', () => {
    const copy = tokenizerFromJSON(JSON.parse(JSON.stringify(tokenizer.toJSON())))
    expect(copy).toBeInstanceOf(WordTokenizer)
    const text = alfworldPrompt() + ACTIONS.join(' | ')
    expect(Array.from(copy.encode(text))).toEqual(Array.from(tokenizer.encode(text)))
  })

  it('rejects unknown or malformed tokenizer files', () => {
    expect(() => tokenizerFromJSON({ type: 'bpe' })).toThrow(/unknown tokenizer type/u)
    expect(
      () =>
        new WordTokenizer({ type: 'gigpo-word', version: 1, vocab: ['a'], specialCount: 2, addedCount: 0 }),
    ).toThrow(/not a gigpo-word tokenizer/u)
  })
})

describe('buildWordTokenizer', () => {
  it('is deterministic and orders words by frequency, ties by code point', () => {
    const corpus = ['b b b a a c', 'a c b']
    const a = buildWordTokenizer(corpus, { minFrequency: 1 })
    const b = buildWordTokenizer([...corpus], { minFrequency: 1 })
    expect(a.toJSON()).toEqual(b.toJSON())
    // 'a' and 'b' are base characters already; the learned pieces follow the base vocabulary.
    const words = a.toJSON().vocab.slice(-3)
    expect(words).toEqual([' b', ' a', ' c'])
    expect(a.vocabSize).toBe(buildWordTokenizer([]).vocabSize + 3)
  })

  it('respects maxVocabSize and minFrequency', () => {
    const tok = buildWordTokenizer(['alpha beta beta gamma gamma gamma'], {
      maxVocabSize: 400,
      minFrequency: 2,
    })
    expect(tok.vocabSize).toBeLessThanOrEqual(400)
    expect(tok.tokenToId(' gamma')).toBeDefined()
    expect(tok.tokenToId(' beta')).toBeDefined()
    expect(tok.tokenToId('alpha')).toBeUndefined()
    expect(() => buildWordTokenizer([], { maxVocabSize: 10 })).toThrow(/maxVocabSize/u)
  })
})
