import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  CHAT_TEMPLATE,
  CORPUS,
  referenceEncode,
  SPECIAL_TOKENS,
  tokenizerConfigJson,
  tokenizerJson,
  trainByteLevelBpe,
} from './__fixtures__/byte-level-bpe.js'
import { CheckpointError } from './errors.js'
import { HfTokenizer, loadHfTokenizer, QWEN_DEFAULT_SYSTEM_PROMPT, qwenChatML } from './hf-tokenizer.js'
import { loadTokenizer, tokenizerFromJSON } from './load-tokenizer.js'

const bpe = trainByteLevelBpe([...CORPUS, ...CORPUS], 400)
const files = { tokenizer: tokenizerJson(bpe), tokenizerConfig: tokenizerConfigJson(bpe) }

const ROUND_TRIP = [
  ...CORPUS,
  '',
  ' ',
  'x',
  '\n\n\n',
  "  leading spaces, 'S and 'LL in capitals",
  'mixed 東京 emoji 🧑‍🍳 and flags 🇯🇵 in one line\r\nCRLF',
  'Unseen words: zyxwvut qwerty ÆØÅ ŒŸ ǅ',
  '<think>plan</think><action>go to drawer 1</action>',
]

describe('HfTokenizer (byte-level BPE from tokenizer.json)', () => {
  it('the training fixture learned merges', () => {
    expect(bpe.merges.length).toBeGreaterThan(100)
  })

  for (const mergesAsPairs of [false, true]) {
    it(`encodes exactly as an independent BPE reference and round-trips (merges as ${mergesAsPairs ? 'pairs' : 'strings'})`, () => {
      const tok = new HfTokenizer({ ...files, tokenizer: tokenizerJson(bpe, { mergesAsPairs }) })
      for (const text of ROUND_TRIP) {
        const ids = tok.encode(text)
        expect(Array.from(ids), JSON.stringify(text)).toEqual(referenceEncode(bpe, text))
        expect(tok.decode(ids)).toBe(text)
      }
    })
  }

  it('applies the NFC normalizer, as Qwen2 does', () => {
    const tok = new HfTokenizer(files)
    const decomposed = 'Cafe\u0301'
    expect(tok.decode(tok.encode(decomposed))).toBe('Café')
    expect(Array.from(tok.encode(decomposed))).toEqual(Array.from(tok.encode('Café')))
  })

  it('special tokens are single ids, recognised in text, dropped when decoding unless kept', () => {
    const tok = new HfTokenizer(files)
    const ids = SPECIAL_TOKENS.map((t) => tok.tokenToId(t)!)
    expect(ids).toEqual([bpe.vocab.size, bpe.vocab.size + 1, bpe.vocab.size + 2])
    expect(tok.vocabSize).toBe(bpe.vocab.size + 3)
    expect(tok.eosId).toBe(tok.tokenToId('<|im_end|>'))
    const text = '<|im_start|>user\nhi 🍎<|im_end|>\n'
    const encoded = Array.from(tok.encode(text))
    expect(encoded[0]).toBe(ids[1])
    expect(encoded.filter((id) => ids.includes(id))).toEqual([ids[1], ids[2]])
    expect(tok.decode(encoded, { keepSpecial: true })).toBe(text)
    expect(tok.decode(encoded)).toBe('user\nhi 🍎\n')
    expect(tok.isSpecial(ids[2]!)).toBe(true)
    expect(tok.idToToken(ids[0]!)).toBe('<|endoftext|>')
    expect(() => tok.decode([tok.vocabSize])).toThrow(/outside/u)
  })

  it("renders Qwen2.5's chat template for one user message with the default system prompt", () => {
    const message =
      "You are in the middle of a room.\nYour task is to: put a clean apple in fridge. Don't {{ escape }}."
    const expected =
      '<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n' +
      `<|im_start|>user\n${message}<|im_end|>\n` +
      '<|im_start|>assistant\n'
    expect(qwenChatML(message)).toBe(expected)
    expect(QWEN_DEFAULT_SYSTEM_PROMPT).toBe(
      'You are Qwen, created by Alibaba Cloud. You are a helpful assistant.',
    )
    const rendered = new HfTokenizer(files)
    expect(rendered.chatTemplate).toBe('checkpoint')
    expect(rendered.applyChatTemplate(message)).toBe(expected)
    const builtIn = new HfTokenizer(
      { ...files, tokenizerConfig: tokenizerConfigJson(bpe, { chatTemplate: null }) },
      {},
    )
    expect(builtIn.chatTemplate).toBe('qwen-chatml')
    expect(builtIn.applyChatTemplate(message)).toBe(expected)
    expect(new HfTokenizer(files, { chatTemplate: 'none' }).applyChatTemplate(message)).toBe(message)
    // The template's special tokens become single ids.
    const ids = rendered.encode(expected)
    expect(ids.filter((id) => id === rendered.tokenToId('<|im_start|>')).length).toBe(3)
    expect(ids.filter((id) => id === rendered.eosId).length).toBe(2)
  })

  it('renders another checkpoint template through Jinja (e.g. Qwen2-Instruct without the Qwen persona)', () => {
    const qwen2 = CHAT_TEMPLATE.replace(
      'You are Qwen, created by Alibaba Cloud. You are a helpful assistant.',
      'You are a helpful assistant.',
    )
    const tok = new HfTokenizer({
      ...files,
      tokenizerConfig: tokenizerConfigJson(bpe, { chatTemplate: qwen2 }),
    })
    expect(tok.applyChatTemplate('hi')).toBe(qwenChatML('hi', 'You are a helpful assistant.'))
  })

  it('stops on EOS and generation_config.json eos_token_id, and saves its files', () => {
    const endoftext = bpe.vocab.size
    const tok = new HfTokenizer({
      ...files,
      generationConfig: { eos_token_id: [bpe.vocab.size + 2, endoftext] },
    })
    expect([...tok.stopIds].sort()).toEqual([endoftext, bpe.vocab.size + 2])
    expect(tok.toJSON()).toBe(files.tokenizer)
    expect([...tok.extraFiles().keys()].sort()).toEqual(['generation_config.json', 'tokenizer_config.json'])
  })

  it('loads from a model directory (and tokenizerFromJSON reads a bare tokenizer.json); rejects bad files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gigpo-hf-tok-'))
    writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(files.tokenizer))
    writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify(files.tokenizerConfig))
    const tok = await loadHfTokenizer(dir)
    const viaGeneric = await loadTokenizer(dir)
    expect(viaGeneric).toBeInstanceOf(HfTokenizer)
    expect(Array.from(viaGeneric.encode('hello world'))).toEqual(Array.from(tok.encode('hello world')))
    const bare = tokenizerFromJSON(files.tokenizer)
    expect(bare.kind).toBe('huggingface')
    expect(bare.eosId).toBe(bpe.vocab.size) // <|endoftext|> without a tokenizer_config.json
    await expect(loadHfTokenizer(tmpdir() + '/gigpo-no-such-dir')).rejects.toBeInstanceOf(CheckpointError)
    expect(() => new HfTokenizer({ tokenizer: { version: '1.0' } })).toThrow(/not a Hugging Face tokenizer/u)
    expect(() => new HfTokenizer(files, { eosToken: '<|nope|>' })).toThrow(/EOS token/u)
    expect(
      () =>
        new HfTokenizer(
          { ...files, tokenizerConfig: tokenizerConfigJson(bpe, { chatTemplate: null }) },
          { chatTemplate: 'checkpoint' },
        ),
    ).toThrow(/no chat_template/u)
  })
})
