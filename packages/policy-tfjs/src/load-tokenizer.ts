/** Tokenizers from JSON and from directories: this package's word tokenizer or a Hugging Face `tokenizer.json`. */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { GigpoError } from '@gigpo/protocol'
import { readJson } from './checkpoint.js'
import { CheckpointError } from './errors.js'
import { HfTokenizer, isHfTokenizerJson, loadHfTokenizer, type HfTokenizerOptions } from './hf-tokenizer.js'
import { WordTokenizer, type Tokenizer, type WordTokenizerJSON } from './tokenizer.js'

/**
 * Rebuilds a tokenizer from its `toJSON()` output (the `tokenizer.json` of a saved policy): this package's word
 * tokenizer, or a Hugging Face `tokenizer.json` (without its `tokenizer_config.json`: use {@link loadTokenizer}
 * on the directory to get the chat template and EOS token too).
 */
export function tokenizerFromJSON(json: unknown): Tokenizer {
  const type = (json as { type?: unknown } | null)?.type
  if (type === 'gigpo-word') return new WordTokenizer(json as WordTokenizerJSON)
  if (isHfTokenizerJson(json)) return new HfTokenizer({ tokenizer: json })
  throw new GigpoError(
    'UNSUPPORTED',
    `tokenizer.json: unknown tokenizer type ${JSON.stringify(type)}; this version reads 'gigpo-word' and Hugging Face tokenizer.json files.`,
  )
}

/**
 * The tokenizer of a directory: a saved policy's word tokenizer, or a Hugging Face model's `tokenizer.json` with
 * its `tokenizer_config.json` and `generation_config.json` ({@link loadHfTokenizer}).
 */
export async function loadTokenizer(dir: string, options: HfTokenizerOptions = {}): Promise<Tokenizer> {
  const path = join(dir, 'tokenizer.json')
  if (!existsSync(path)) {
    throw new CheckpointError('not-found', `${dir}: no tokenizer.json; pass a tokenizer to loadPolicy.`, {
      path,
    })
  }
  const json = await readJson(path)
  if (isHfTokenizerJson(json)) return loadHfTokenizer(dir, options)
  return tokenizerFromJSON(json)
}
