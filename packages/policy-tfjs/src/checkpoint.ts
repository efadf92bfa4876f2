import { existsSync } from 'node:fs'
import { mkdir, open, readFile, rename, rm, writeFile, type FileHandle } from 'node:fs/promises'
import { basename, dirname, join, resolve } from 'node:path'
import { CheckpointError } from './errors.js'
import type { WeightSource } from './model.js'
import type { NamedTensor } from './named-tensor.js'
import { readSafetensorsHeader, readSafetensorsTensor, type SafetensorsEntry } from './safetensors.js'

let tempCounter = 0

/**
 * Writes `files` into directory `dir` atomically: everything goes to a fresh sibling directory first, which then
 * replaces `dir` by rename (an existing `dir` is moved aside and removed only after the new one is in place).
 * A crash leaves either the old or the new checkpoint, never a mix.
 */
export async function writeDirectoryAtomic(
  dir: string,
  files: ReadonlyMap<string, Uint8Array | string>,
): Promise<void> {
  const target = resolve(dir)
  const parent = dirname(target)
  await mkdir(parent, { recursive: true })
  const stamp = `${process.pid}-${Date.now()}-${tempCounter++}`
  const temp = join(parent, `.${basename(target)}.tmp-${stamp}`)
  await mkdir(temp)
  try {
    for (const [name, content] of files) await writeFile(join(temp, name), content)
    if (existsSync(target)) {
      const old = join(parent, `.${basename(target)}.old-${stamp}`)
      await rename(target, old)
      await rename(temp, target)
      await rm(old, { recursive: true, force: true })
    } else {
      await rename(temp, target)
    }
  } catch (error) {
    await rm(temp, { recursive: true, force: true })
    throw error
  }
}

/** Reads a JSON file, with a clear {@link CheckpointError} naming the file when it is missing or malformed. */
export async function readJson(path: string): Promise<unknown> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    throw new CheckpointError('not-found', `${path}: cannot read the file (${(error as Error).message}).`, {
      path,
      cause: error,
    })
  }
  try {
    return JSON.parse(text) as unknown
  } catch (error) {
    throw new CheckpointError('malformed', `${path}: not valid JSON.`, { path, cause: error })
  }
}

/** One tensor of a checkpoint directory: its header entry and the file holding it. */
export interface CheckpointTensor extends SafetensorsEntry {
  /** The weight file (absolute path). */
  readonly file: string
}

/**
 * The weight files of a Hugging Face checkpoint directory, opened for streaming: `model.safetensors`, or the
 * shards listed in `model.safetensors.index.json`. Only the headers are read when it is opened; {@link read}
 * then reads one tensor's byte range at a time and converts it (F32, F16, BF16) to float32, so loading never
 * holds more than the converted tensor being uploaded.
 *
 * @example
 * ```ts
 * const ckpt = await SafetensorsCheckpoint.open(dir)
 * try { const embed = await ckpt.read('model.embed_tokens.weight') } finally { await ckpt.close() }
 * ```
 */
export class SafetensorsCheckpoint {
  /** The directory. */
  readonly dir: string
  /** The weight files, in index order. */
  readonly files: readonly string[]
  /** Every tensor of every weight file, by name. */
  readonly tensors: ReadonlyMap<string, CheckpointTensor>
  readonly #handles = new Map<string, FileHandle>()

  private constructor(dir: string, files: readonly string[], tensors: ReadonlyMap<string, CheckpointTensor>) {
    this.dir = dir
    this.files = files
    this.tensors = tensors
  }

  /**
   * Reads the headers of a checkpoint directory's weight files. Throws a {@link CheckpointError}: `not-found`
   * without weight files, `malformed` for a broken header or an index that disagrees with its shards.
   */
  static async open(dir: string): Promise<SafetensorsCheckpoint> {
    const single = join(dir, 'model.safetensors')
    if (existsSync(single)) {
      const header = await readSafetensorsHeader(single)
      const tensors = new Map<string, CheckpointTensor>()
      for (const entry of header.entries.values()) tensors.set(entry.name, { ...entry, file: single })
      return new SafetensorsCheckpoint(dir, [single], tensors)
    }
    const indexPath = join(dir, 'model.safetensors.index.json')
    if (!existsSync(indexPath)) {
      throw new CheckpointError(
        'not-found',
        `${dir}: no model.safetensors or model.safetensors.index.json; not a Hugging Face checkpoint directory ` +
          '(download all files of the model, e.g. `huggingface-cli download Qwen/Qwen2.5-1.5B-Instruct --local-dir DIR`).',
        { path: dir },
      )
    }
    const index = (await readJson(indexPath)) as { weight_map?: unknown } | null
    const weightMap = index?.weight_map
    if (weightMap === null || typeof weightMap !== 'object' || Array.isArray(weightMap)) {
      throw new CheckpointError('malformed', `${indexPath}: missing "weight_map" object.`, {
        path: indexPath,
      })
    }
    const map = weightMap as Record<string, unknown>
    const shards: string[] = []
    for (const [name, shard] of Object.entries(map)) {
      if (typeof shard !== 'string' || shard.includes('/') || shard.includes('\\')) {
        throw new CheckpointError(
          'malformed',
          `${indexPath}: weight_map['${name}'] must be a file name in the directory, got ${JSON.stringify(shard)}.`,
          { path: indexPath, tensor: name },
        )
      }
      if (!shards.includes(shard)) shards.push(shard)
    }
    const tensors = new Map<string, CheckpointTensor>()
    const files: string[] = []
    for (const shard of shards) {
      const path = join(dir, shard)
      if (!existsSync(path)) {
        throw new CheckpointError(
          'not-found',
          `${indexPath}: lists shard '${shard}', which is missing from ${dir}.`,
          {
            path,
          },
        )
      }
      files.push(path)
      const header = await readSafetensorsHeader(path)
      for (const entry of header.entries.values()) {
        const previous = tensors.get(entry.name)
        if (previous !== undefined) {
          throw new CheckpointError(
            'malformed',
            `${dir}: tensor '${entry.name}' is in two shards (${basename(previous.file)} and ${shard}).`,
            { path, tensor: entry.name },
          )
        }
        tensors.set(entry.name, { ...entry, file: path })
      }
    }
    for (const [name, shard] of Object.entries(map)) {
      const found = tensors.get(name)
      if (found === undefined || basename(found.file) !== shard) {
        throw new CheckpointError(
          'malformed',
          `${indexPath}: weight_map puts '${name}' in ${String(shard)}, but that shard's header does not list it.`,
          { path: indexPath, tensor: name },
        )
      }
    }
    return new SafetensorsCheckpoint(dir, files, tensors)
  }

  /** Bytes stored per dtype (what the files hold, before conversion). */
  bytesByDtype(): Record<string, number> {
    const out: Record<string, number> = {}
    for (const t of this.tensors.values()) out[t.dtype] = (out[t.dtype] ?? 0) + (t.end - t.begin)
    return out
  }

  /**
   * Reads one tensor as float32 (converting F16/BF16), optionally transposed (2-D only). Throws a
   * {@link CheckpointError} (`missing-tensor`, `unsupported-dtype`, `malformed`).
   */
  async read(name: string, options: { readonly transpose?: boolean } = {}): Promise<NamedTensor> {
    const entry = this.tensors.get(name)
    if (entry === undefined) {
      throw new CheckpointError('missing-tensor', `${this.dir}: no weight file has tensor '${name}'.`, {
        path: this.dir,
        tensor: name,
      })
    }
    let handle = this.#handles.get(entry.file)
    if (handle === undefined) {
      handle = await open(entry.file, 'r')
      this.#handles.set(entry.file, handle)
    }
    const transpose = options.transpose === true
    const data = await readSafetensorsTensor(handle, entry, { source: entry.file, transpose })
    const shape = transpose ? [entry.shape[1]!, entry.shape[0]!] : [...entry.shape]
    return { shape, data }
  }

  /** This checkpoint as the weight source of {@link Qwen2Model.load}. */
  asWeightSource(): WeightSource {
    return {
      description: this.dir,
      shapeOf: (name) => this.tensors.get(name)?.shape,
      dtypeOf: (name) => this.tensors.get(name)?.dtype,
      read: (name, options) => this.read(name, options),
    }
  }

  /** Elements of the largest tensor (the most memory one conversion needs). */
  largestTensor(): number {
    let largest = 0
    for (const t of this.tensors.values())
      largest = Math.max(
        largest,
        t.shape.reduce((a, b) => a * b, 1),
      )
    return largest
  }

  /** Closes the open files. */
  async close(): Promise<void> {
    const handles = [...this.#handles.values()]
    this.#handles.clear()
    await Promise.all(handles.map((h) => h.close()))
  }
}

/**
 * Reads every tensor of a Hugging Face checkpoint directory (`model.safetensors`, or the shards of
 * `model.safetensors.index.json`) into memory as float32 (F32, F16 and BF16 files). For large checkpoints use
 * `loadPolicy`/`loadQwen2Model`, which stream each tensor to the backend instead.
 */
export async function readSafetensorsDirectory(dir: string): Promise<Map<string, NamedTensor>> {
  const checkpoint = await SafetensorsCheckpoint.open(dir)
  try {
    const out = new Map<string, NamedTensor>()
    for (const name of checkpoint.tensors.keys()) out.set(name, await checkpoint.read(name))
    return out
  } finally {
    await checkpoint.close()
  }
}
