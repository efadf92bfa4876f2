import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import type { FileHandle } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createRng } from '@gigpo/random'
import { beforeAll, describe, expect, it } from 'vitest'
import { GOLDEN_DIR, materialize } from '../test/helpers.js'
import { initBackend } from './backend.js'
import { readJson, SafetensorsCheckpoint } from './checkpoint.js'
import { resolveCheckpointConfig } from './config.js'
import { CheckpointError } from './errors.js'
import { loadQwen2Model } from './load-model.js'
import type { NamedTensor } from './named-tensor.js'
import { parseSafetensors, readSafetensorsHeader, readSafetensorsTensor } from './safetensors.js'
import { tf } from './tf.js'

/** float32 → bfloat16 bits, round to nearest even (as torch does). */
function toBf16(x: number): number {
  const bits = new Uint32Array(Float32Array.of(x).buffer)[0]!
  return ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16) & 0xffff
}

/** float32 → float16 bits, round to nearest even (finite, normal-range inputs suffice here). */
function toF16(x: number): number {
  const f = new Float32Array(1)
  const u = new Uint32Array(f.buffer)
  f[0] = x
  const bits = u[0]!
  const sign = (bits >>> 16) & 0x8000
  const exp = ((bits >>> 23) & 0xff) - 127 + 15
  let mant = bits & 0x7fffff
  if (exp <= 0) {
    // subnormal half
    mant = (mant | 0x800000) >>> (1 - exp)
    const rounded = (mant + 0xfff + ((mant >>> 13) & 1)) >>> 13
    return sign | rounded
  }
  const rounded = (mant + 0xfff + ((mant >>> 13) & 1)) >>> 13
  return sign | ((exp << 10) + rounded)
}

/** A safetensors file with tensors in a given dtype each (F32, F16, BF16, or F64/I64 raw for error tests). */
function writeSafetensors(
  path: string,
  tensors: readonly { name: string; dtype: string; shape: readonly number[]; data: ArrayLike<number> }[],
): void {
  const width: Record<string, number> = { F32: 4, F16: 2, BF16: 2, F64: 8, I64: 8 }
  const header: Record<string, unknown> = {}
  let offset = 0
  for (const t of tensors) {
    const bytes = t.data.length * width[t.dtype]!
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + bytes] }
    offset += bytes
  }
  let json = Buffer.from(JSON.stringify(header))
  json = Buffer.concat([json, Buffer.alloc((8 - (json.length % 8)) % 8, 0x20)])
  const out = Buffer.alloc(8 + json.length + offset)
  out.writeBigUInt64LE(BigInt(json.length), 0)
  json.copy(out, 8)
  let at = 8 + json.length
  for (const t of tensors) {
    for (let i = 0; i < t.data.length; i++) {
      const v = t.data[i]!
      if (t.dtype === 'F32') at = out.writeFloatLE(v, at)
      else if (t.dtype === 'BF16') at = out.writeUInt16LE(toBf16(v), at)
      else if (t.dtype === 'F16') at = out.writeUInt16LE(toF16(v), at)
      else if (t.dtype === 'F64') at = out.writeDoubleLE(v, at)
      else at = out.writeBigInt64LE(BigInt(Math.round(v)), at)
    }
  }
  writeFileSync(path, out)
}

function randomTensor(seed: number, shape: readonly number[]): Float32Array {
  const rng = createRng(seed)
  return Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal(0, 1))
}

const tmp = () => mkdtempSync(join(tmpdir(), 'gigpo-ckpt-test-'))

describe('streaming safetensors reader', () => {
  it('converts F32, F16 and BF16 like the in-memory parser, transposed or not, whatever the chunk size', async () => {
    const dir = tmp()
    const path = join(dir, 'm.safetensors')
    const shape = [7, 5] as const
    const values = randomTensor(1, shape)
    writeSafetensors(path, [
      { name: 'f32', dtype: 'F32', shape, data: values },
      { name: 'f16', dtype: 'F16', shape, data: values },
      { name: 'bf16', dtype: 'BF16', shape, data: values },
    ])
    const reference = parseSafetensors(readFileSync(path), path).tensors
    const header = await readSafetensorsHeader(path)
    const { open } = await import('node:fs/promises')
    const handle = await open(path, 'r')
    try {
      for (const name of ['f32', 'f16', 'bf16']) {
        const want = reference.get(name)!.data
        const transposed = new Float32Array(want.length)
        for (let r = 0; r < 7; r++) for (let c = 0; c < 5; c++) transposed[c * 7 + r] = want[r * 5 + c]!
        for (const chunkBytes of [1, 6, 10, 64, 1 << 20]) {
          const entry = header.entries.get(name)!
          expect(await readSafetensorsTensor(handle, entry, { source: path, chunkBytes })).toEqual(want)
          expect(
            await readSafetensorsTensor(handle, entry, { source: path, chunkBytes, transpose: true }),
          ).toEqual(transposed)
        }
      }
    } finally {
      await handle.close()
    }
    // BF16 keeps the top 16 bits (round to nearest even when writing); F16 is within half an ulp.
    const bf16 = reference.get('bf16')!.data
    values.forEach((v, i) => expect(Math.abs(bf16[i]! - v)).toBeLessThanOrEqual(Math.abs(v) * 2 ** -8))
    rmSync(dir, { recursive: true })
  })

  it("reads only the tensor's own byte range, in bounded chunks", async () => {
    const dir = tmp()
    const path = join(dir, 'm.safetensors')
    writeSafetensors(path, [
      { name: 'a', dtype: 'BF16', shape: [64, 16], data: randomTensor(2, [64, 16]) },
      { name: 'b', dtype: 'BF16', shape: [32, 8], data: randomTensor(3, [32, 8]) },
    ])
    const bytes = readFileSync(path)
    const header = await readSafetensorsHeader(path)
    const entry = header.entries.get('b')!
    const reads: { position: number; length: number }[] = []
    const fake = {
      read: async (buffer: Uint8Array, offset: number, length: number, position: number) => {
        reads.push({ position, length })
        buffer.set(bytes.subarray(position, position + length), offset)
        return { bytesRead: length, buffer }
      },
    } as unknown as FileHandle
    const data = await readSafetensorsTensor(fake, entry, { source: path, chunkBytes: 100, transpose: true })
    expect(data.length).toBe(32 * 8)
    expect(reads.reduce((n, r) => n + r.length, 0)).toBe(entry.end - entry.begin)
    expect(Math.min(...reads.map((r) => r.position))).toBe(entry.begin)
    expect(Math.max(...reads.map((r) => r.position + r.length))).toBe(entry.end)
    // Whole rows (16 bytes each) per chunk, at most 100 bytes.
    expect(reads.every((r) => r.length <= 100 && r.length % 16 === 0)).toBe(true)
    rmSync(dir, { recursive: true })
  })
})

describe('Hugging Face checkpoint directories', () => {
  let golden: string
  let goldenTensors: Map<string, NamedTensor>
  let config: Record<string, unknown>

  beforeAll(async () => {
    await initBackend()
    golden = materialize(join(GOLDEN_DIR, 'qwen2-tiny', 'untied-f32'))
    goldenTensors = parseSafetensors(readFileSync(join(golden, 'model.safetensors'))).tensors
    config = (await readJson(join(golden, 'config.json'))) as Record<string, unknown>
  })

  /** A checkpoint directory with the golden untied model's tensors, edited. */
  function writeDir(options: {
    readonly dtype?: string
    readonly config?: Record<string, unknown>
    readonly drop?: string
    readonly shards?: number
    readonly dtypeOf?: (name: string) => string
  }): string {
    const dir = tmp()
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...config, ...options.config }))
    const entries = [...goldenTensors]
      .filter(([name]) => name !== options.drop)
      .map(([name, t]) => ({
        name,
        dtype: options.dtypeOf?.(name) ?? options.dtype ?? 'F32',
        shape: t.shape,
        data: t.data,
      }))
    const shards = options.shards ?? 1
    if (shards === 1) {
      writeSafetensors(join(dir, 'model.safetensors'), entries)
    } else {
      const weightMap: Record<string, string> = {}
      for (let s = 0; s < shards; s++) {
        const file = `model-${String(s + 1).padStart(5, '0')}-of-${String(shards).padStart(5, '0')}.safetensors`
        const part = entries.filter((_, i) => i % shards === s)
        for (const e of part) weightMap[e.name] = file
        writeSafetensors(join(dir, file), part)
      }
      writeFileSync(
        join(dir, 'model.safetensors.index.json'),
        JSON.stringify({ metadata: {}, weight_map: weightMap }),
      )
    }
    return dir
  }

  it('streams BF16, F16 and sharded checkpoints to exactly the values their files hold', async () => {
    for (const [dtype, shards] of [
      ['BF16', 1],
      ['F16', 1],
      ['BF16', 3],
      ['F32', 4],
    ] as const) {
      const dir = writeDir({ dtype, shards })
      const expected = new Map<string, NamedTensor>()
      const checkpoint = await SafetensorsCheckpoint.open(dir)
      for (const file of checkpoint.files) {
        for (const [name, t] of parseSafetensors(readFileSync(file), file).tensors) expected.set(name, t)
      }
      expect(checkpoint.bytesByDtype()).toEqual({ [dtype]: expect.any(Number) as number })
      await checkpoint.close()
      const model = await loadQwen2Model(dir)
      const got = model.toTensors()
      model.dispose()
      expect([...got.keys()].sort()).toEqual([...expected.keys()].sort())
      for (const [name, t] of got)
        expect(t.data, `${dtype}/${shards}: ${name}`).toEqual(expected.get(name)!.data)
      rmSync(dir, { recursive: true })
    }
  })

  it('uploads one tensor at a time (memory grows tensor by tensor while loading)', async () => {
    const dir = writeDir({ dtype: 'BF16' })
    const before = tf.memory().numBytes
    const seen: number[] = []
    const model = await loadQwen2Model(dir, { onProgress: () => seen.push(tf.memory().numBytes - before) })
    // Each step adds exactly one tensor's float32 bytes (plus the rotary tables once, at construction).
    const sizes = model.specs.map((s) => s.hfShape.reduce((a, b) => a * b, 1) * 4)
    seen.forEach((bytes, i) => expect(bytes).toBe(sizes.slice(0, i + 1).reduce((a, b) => a + b, 0)))
    model.dispose()
    rmSync(dir, { recursive: true })
  })

  const expectError = async (dir: string, reason: string, pattern: RegExp) => {
    const tensors = tf.memory().numTensors
    const error = await loadQwen2Model(dir).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(CheckpointError)
    expect((error as CheckpointError).reason).toBe(reason)
    expect((error as Error).message).toMatch(pattern)
    expect(tf.memory().numTensors).toBe(tensors)
    rmSync(dir, { recursive: true })
  }

  it('rejects a missing tensor, naming it (and the tie setting for lm_head)', async () => {
    await expectError(
      writeDir({ drop: 'lm_head.weight' }),
      'missing-tensor',
      /lm_head\.weight.*tie_word_embeddings|tie_word_embeddings.*lm_head\.weight/su,
    )
    await expectError(
      writeDir({ drop: 'model.layers.1.self_attn.k_proj.bias' }),
      'missing-tensor',
      /model\.layers\.1\.self_attn\.k_proj\.bias/u,
    )
  })

  it('rejects shapes that disagree with config.json', async () => {
    await expectError(
      writeDir({ config: { intermediate_size: 96 } }),
      'shape-mismatch',
      /mlp\.gate_proj\.weight' has shape \[64, 32\], the config needs \[96, 32\]/u,
    )
    // A tied config on untied weights still needs the embedding only; a wider vocabulary does not fit.
    await expectError(writeDir({ config: { vocab_size: 128 } }), 'shape-mismatch', /embed_tokens/u)
  })

  it('rejects unsupported dtypes before uploading anything', async () => {
    await expectError(
      writeDir({ dtypeOf: (name) => (name === 'model.norm.weight' ? 'F64' : 'F32') }),
      'unsupported-dtype',
      /model\.norm\.weight' is stored as F64; only F32, F16 and BF16/u,
    )
  })

  it('rejects other architectures and unimplemented Qwen2 options', async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ model_type: 'llama' }, /model_type is "llama"/u],
      [{ architectures: ['Qwen2MoeForCausalLM'] }, /Qwen2MoeForCausalLM/u],
      [{ hidden_act: 'gelu' }, /hidden_act/u],
      [{ rope_scaling: { type: 'yarn', factor: 4 } }, /rope_scaling/u],
      [{ use_sliding_window: true }, /sliding-window/u],
    ]
    for (const [edit, pattern] of cases) {
      await expectError(writeDir({ config: edit }), 'unsupported-architecture', pattern)
    }
    expect(() =>
      resolveCheckpointConfig({ ...config, rope_scaling: null, num_key_value_heads: null }),
    ).not.toThrow()
    expect(resolveCheckpointConfig({ ...config, num_key_value_heads: undefined }).num_key_value_heads).toBe(
      config['num_attention_heads'],
    )
  })

  it('reads rope_theta, rms_norm_eps, max_position_embeddings and tie_word_embeddings from config.json', () => {
    const c = resolveCheckpointConfig({
      ...config,
      rope_theta: 12345,
      rms_norm_eps: 1e-5,
      max_position_embeddings: 77,
      tie_word_embeddings: true,
    })
    expect([c.rope_theta, c.rms_norm_eps, c.max_position_embeddings, c.tie_word_embeddings]).toEqual([
      12345,
      1e-5,
      77,
      true,
    ])
  })

  it('rejects broken directories: no weights, a missing shard, an index that disagrees, a truncated file', async () => {
    const empty = tmp()
    writeFileSync(join(empty, 'config.json'), JSON.stringify(config))
    await expectError(empty, 'not-found', /no model\.safetensors/u)

    const sharded = writeDir({ shards: 2 })
    rmSync(join(sharded, 'model-00002-of-00002.safetensors'))
    await expectError(sharded, 'not-found', /model-00002-of-00002\.safetensors/u)

    const lying = writeDir({ shards: 2 })
    const indexPath = join(lying, 'model.safetensors.index.json')
    const index = JSON.parse(readFileSync(indexPath, 'utf8')) as { weight_map: Record<string, string> }
    index.weight_map['model.norm.weight'] =
      index.weight_map['model.norm.weight'] === 'model-00001-of-00002.safetensors'
        ? 'model-00002-of-00002.safetensors'
        : 'model-00001-of-00002.safetensors'
    writeFileSync(indexPath, JSON.stringify(index))
    await expectError(lying, 'malformed', /model\.norm\.weight/u)

    const truncated = writeDir({})
    const file = join(truncated, 'model.safetensors')
    const bytes = readFileSync(file)
    writeFileSync(file, bytes.subarray(0, bytes.length - 100))
    await expectError(truncated, 'malformed', /truncated/u)
  })
})
