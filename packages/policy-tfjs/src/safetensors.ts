import { open, type FileHandle } from 'node:fs/promises'
import { InvalidArgumentError } from '@gigpo/protocol'
import { CheckpointError } from './errors.js'
import type { NamedTensor } from './named-tensor.js'

/** Element types this package converts to float32. */
export type SafetensorsDtype = 'F32' | 'F16' | 'BF16'

/** Bytes per element of every safetensors dtype (to check offsets of tensors that are never read). */
const DTYPE_BYTES: Readonly<Record<string, number>> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U64: 8,
  U32: 4,
  U16: 2,
  U8: 1,
  BOOL: 1,
  F8_E4M3: 1,
  F8_E5M2: 1,
}

const CONVERTED = new Set<string>(['F32', 'F16', 'BF16'])

/** The contents of a safetensors file: float32 tensors by name, plus the optional string metadata. */
export interface SafetensorsContents {
  readonly tensors: Map<string, NamedTensor>
  readonly metadata: Readonly<Record<string, string>>
}

/** One tensor of a safetensors file, as its header describes it. */
export interface SafetensorsEntry {
  readonly name: string
  /** The stored element type (`F32`, `BF16`, …; only F32, F16 and BF16 can be read). */
  readonly dtype: string
  readonly shape: readonly number[]
  /** Absolute byte offset of the first byte in the file. */
  readonly begin: number
  /** Absolute byte offset after the last byte. */
  readonly end: number
}

/** The parsed header of a safetensors file. */
export interface SafetensorsHeader {
  readonly path: string
  readonly entries: ReadonlyMap<string, SafetensorsEntry>
  readonly metadata: Readonly<Record<string, string>>
}

/**
 * Parses a safetensors header (`headerJson` is the JSON text after the 8-byte length; `dataStart` the offset of
 * the data section; `fileSize` the whole file's size) and checks every entry's offsets against its shape.
 */
function parseHeader(
  headerJson: Uint8Array,
  options: { readonly source: string; readonly dataStart: number; readonly fileSize: number },
): { entries: Map<string, SafetensorsEntry>; metadata: Record<string, string> } {
  const { source, dataStart, fileSize } = options
  const fail = (message: string, tensor?: string): never => {
    throw new CheckpointError('malformed', `${source}: ${message}`, {
      path: source,
      ...(tensor === undefined ? {} : { tensor }),
    })
  }
  let header: Record<string, unknown>
  try {
    header = JSON.parse(new TextDecoder().decode(headerJson)) as Record<string, unknown>
  } catch (error) {
    throw new CheckpointError('malformed', `${source}: the header is not valid JSON`, {
      path: source,
      cause: error,
    })
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header))
    fail('the header is not an object')
  const dataLength = fileSize - dataStart
  const entries = new Map<string, SafetensorsEntry>()
  let metadata: Record<string, string> = {}
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') {
      metadata = { ...(entry as Record<string, string>) }
      continue
    }
    const {
      dtype,
      shape,
      data_offsets: offsets,
    } = (entry ?? {}) as {
      dtype?: unknown
      shape?: unknown
      data_offsets?: unknown
    }
    if (typeof dtype !== 'string') fail(`tensor '${name}' has no dtype`, name)
    if (!Array.isArray(shape) || shape.some((n) => !Number.isInteger(n) || (n as number) < 0)) {
      fail(`tensor '${name}' has an invalid shape ${JSON.stringify(shape)}`, name)
    }
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((n) => Number.isInteger(n))) {
      fail(`tensor '${name}' has invalid data_offsets`, name)
    }
    const [begin, end] = offsets as [number, number]
    const count = (shape as number[]).reduce((a, b) => a * b, 1)
    const width = DTYPE_BYTES[dtype as string]
    const sizeOk = width === undefined ? end >= begin : end - begin === count * width
    if (!(begin >= 0 && end <= dataLength && sizeOk)) {
      fail(
        `tensor '${name}': data_offsets [${begin}, ${end}] do not match shape [${String(shape)}] of ${String(dtype)}` +
          ` within ${dataLength} data bytes (truncated file?)`,
        name,
      )
    }
    entries.set(name, {
      name,
      dtype: dtype as string,
      shape: shape as number[],
      begin: dataStart + begin,
      end: dataStart + end,
    })
  }
  return { entries, metadata }
}

function unsupportedDtype(entry: SafetensorsEntry, source: string): CheckpointError {
  return new CheckpointError(
    'unsupported-dtype',
    `${source}: tensor '${entry.name}' is stored as ${entry.dtype}; only F32, F16 and BF16 are supported ` +
      '(convert the checkpoint, e.g. with transformers: model.to(torch.bfloat16).save_pretrained(dir)).',
    { path: source, tensor: entry.name },
  )
}

/**
 * Parses a safetensors file held in memory (the Hugging Face format: an 8-byte little-endian header length, a
 * JSON header of `{name: {dtype, shape, data_offsets}}`, then the raw little-endian data). F32, F16 and BF16
 * tensors are converted to float32; any other dtype is a {@link CheckpointError} (`unsupported-dtype`).
 *
 * @param source - where the bytes came from, used in error messages.
 */
export function parseSafetensors(bytes: Uint8Array, source = 'safetensors'): SafetensorsContents {
  if (bytes.byteLength < 8) {
    throw new CheckpointError('malformed', `${source}: file is shorter than the 8-byte header length`, {
      path: source,
    })
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const headerLength = Number(view.getBigUint64(0, true))
  if (headerLength > bytes.byteLength - 8) {
    throw new CheckpointError('malformed', `${source}: header length ${headerLength} exceeds the file size`, {
      path: source,
    })
  }
  const { entries, metadata } = parseHeader(bytes.subarray(8, 8 + headerLength), {
    source,
    dataStart: 8 + headerLength,
    fileSize: bytes.byteLength,
  })
  const tensors = new Map<string, NamedTensor>()
  for (const entry of entries.values()) {
    if (!CONVERTED.has(entry.dtype)) throw unsupportedDtype(entry, source)
    const count = entry.shape.reduce((a, b) => a * b, 1)
    const out = new Float32Array(count)
    decodeInto(bytes.subarray(entry.begin, entry.end), entry.dtype as SafetensorsDtype, out, 0)
    tensors.set(entry.name, { shape: entry.shape, data: out })
  }
  return { tensors, metadata }
}

/** Reads only the header of a safetensors file (a few kilobytes, whatever the file's size). */
export async function readSafetensorsHeader(path: string): Promise<SafetensorsHeader> {
  let handle: FileHandle
  try {
    handle = await open(path, 'r')
  } catch (error) {
    throw new CheckpointError(
      'not-found',
      `${path}: cannot open the weight file (${(error as Error).message}).`,
      {
        path,
        cause: error,
      },
    )
  }
  try {
    const { size } = await handle.stat()
    if (size < 8)
      throw new CheckpointError('malformed', `${path}: file is shorter than the 8-byte header length`, {
        path,
      })
    const lengthBytes = Buffer.alloc(8)
    await handle.read(lengthBytes, 0, 8, 0)
    const headerLength = Number(lengthBytes.readBigUInt64LE(0))
    if (headerLength > size - 8 || headerLength > 100_000_000) {
      throw new CheckpointError('malformed', `${path}: header length ${headerLength} exceeds the file size`, {
        path,
      })
    }
    const json = Buffer.alloc(headerLength)
    await handle.read(json, 0, headerLength, 8)
    const { entries, metadata } = parseHeader(json, {
      source: path,
      dataStart: 8 + headerLength,
      fileSize: size,
    })
    return { path, entries, metadata }
  } finally {
    await handle.close()
  }
}

/** Raw bytes read per file access while streaming a tensor. */
const CHUNK_BYTES = 16 * 1024 * 1024

/**
 * Reads one tensor's byte range from an open safetensors file and converts it to float32, in chunks of 16 MiB:
 * only the float32 result (and one chunk of raw bytes) is ever held. With `transpose`, a 2-D `[rows, cols]`
 * tensor comes out as `[cols, rows]` (the transposition is done while converting, so no second copy).
 */
export async function readSafetensorsTensor(
  handle: FileHandle,
  entry: SafetensorsEntry,
  options: {
    /** The file's path, for messages. */
    readonly source: string
    /** Return a 2-D tensor transposed. @defaultValue `false` */
    readonly transpose?: boolean
    /** Raw bytes per read (rounded to whole rows when transposing). @defaultValue 16 MiB */
    readonly chunkBytes?: number
  },
): Promise<Float32Array> {
  if (!CONVERTED.has(entry.dtype)) throw unsupportedDtype(entry, options.source)
  const dtype = entry.dtype as SafetensorsDtype
  const width = dtype === 'F32' ? 4 : 2
  const count = entry.shape.reduce((a, b) => a * b, 1)
  const out = new Float32Array(count)
  const transpose = options.transpose === true
  if (transpose && entry.shape.length !== 2) {
    throw new InvalidArgumentError(
      `readSafetensorsTensor: only 2-D tensors can be transposed ('${entry.name}').`,
    )
  }
  const rows = transpose ? entry.shape[0]! : 1
  const cols = transpose ? entry.shape[1]! : count
  // Whole rows per chunk when transposing (so a chunk converts into complete columns of the result).
  const rowBytes = transpose ? cols * width : width
  const chunkBytes = options.chunkBytes ?? CHUNK_BYTES
  const perChunk = Math.max(rowBytes, Math.floor(chunkBytes / rowBytes) * rowBytes)
  const total = count * width
  if (!transpose && dtype === 'F32' && LITTLE_ENDIAN) {
    const target = new Uint8Array(out.buffer)
    for (let at = 0; at < total; at += perChunk)
      await readFully(
        handle,
        target.subarray(at, Math.min(total, at + perChunk)),
        entry.begin + at,
        options.source,
      )
    return out
  }
  const raw = Buffer.alloc(Math.min(perChunk, total))
  const scratch = transpose ? new Float32Array(raw.byteLength / width) : undefined
  for (let at = 0; at < total; at += perChunk) {
    const length = Math.min(perChunk, total - at)
    const chunk = raw.subarray(0, length)
    await readFully(handle, chunk, entry.begin + at, options.source)
    const first = at / width
    if (scratch === undefined) {
      decodeInto(chunk, dtype, out, first)
    } else {
      const n = length / width
      decodeInto(chunk, dtype, scratch, 0)
      const row0 = first / cols
      const chunkRows = n / cols
      for (let r = 0; r < chunkRows; r++) {
        const src = r * cols
        const dst = row0 + r
        for (let c = 0; c < cols; c++) out[c * rows + dst] = scratch[src + c]!
      }
    }
  }
  return out
}

async function readFully(
  handle: FileHandle,
  target: Uint8Array,
  position: number,
  source: string,
): Promise<void> {
  let done = 0
  while (done < target.byteLength) {
    const { bytesRead } = await handle.read(target, done, target.byteLength - done, position + done)
    if (bytesRead === 0) {
      throw new CheckpointError(
        'malformed',
        `${source}: unexpected end of file at byte ${position + done}.`,
        {
          path: source,
        },
      )
    }
    done += bytesRead
  }
}

const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1

let halfTable: Float32Array | undefined

/** float16 bit pattern → float32 value, for all 65,536 patterns (256 KiB, built once). */
function halfToFloatTable(): Float32Array {
  if (halfTable !== undefined) return halfTable
  const table = new Float32Array(65536)
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1
    const exponent = (h >> 10) & 0x1f
    const fraction = h & 0x3ff
    if (exponent === 0) table[h] = sign * fraction * 2 ** -24
    else if (exponent === 0x1f) table[h] = fraction === 0 ? sign * Infinity : NaN
    else table[h] = sign * (1 + fraction / 1024) * 2 ** (exponent - 15)
  }
  halfTable = table
  return table
}

/** Converts little-endian raw elements of `dtype` into `out` starting at element `offset`. */
function decodeInto(raw: Uint8Array, dtype: SafetensorsDtype, out: Float32Array, offset: number): void {
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength)
  if (dtype === 'F32') {
    const n = raw.byteLength / 4
    for (let i = 0; i < n; i++) out[offset + i] = view.getFloat32(i * 4, true)
    return
  }
  const n = raw.byteLength / 2
  const aligned = LITTLE_ENDIAN && raw.byteOffset % 2 === 0
  const halves = aligned ? new Uint16Array(raw.buffer, raw.byteOffset, n) : undefined
  const get = (i: number) => (halves !== undefined ? halves[i]! : view.getUint16(i * 2, true))
  if (dtype === 'BF16') {
    // bfloat16 is the top half of a float32: shift the bits into place.
    const bits = new Uint32Array(out.buffer, out.byteOffset, out.length)
    for (let i = 0; i < n; i++) bits[offset + i] = get(i) << 16
    return
  }
  const table = halfToFloatTable()
  for (let i = 0; i < n; i++) out[offset + i] = table[get(i)]!
}

/**
 * Serialises float32 tensors as a safetensors file (F32, little-endian, header padded to 8 bytes, tensors laid
 * out contiguously in the given order), readable by Python's `safetensors`.
 */
export function serializeSafetensors(
  tensors: ReadonlyMap<string, NamedTensor>,
  metadata: Readonly<Record<string, string>> = {},
): Uint8Array {
  const header: Record<string, unknown> = {}
  if (Object.keys(metadata).length > 0) header['__metadata__'] = metadata
  let offset = 0
  for (const [name, t] of tensors) {
    const count = t.shape.reduce((a, b) => a * b, 1)
    if (count !== t.data.length) {
      throw new InvalidArgumentError(
        `tensor '${name}': shape [${t.shape.join(', ')}] holds ${count} values but data has ${t.data.length}.`,
      )
    }
    header[name] = { dtype: 'F32', shape: [...t.shape], data_offsets: [offset, offset + count * 4] }
    offset += count * 4
  }
  let json = new TextEncoder().encode(JSON.stringify(header))
  const padded = Math.ceil(json.byteLength / 8) * 8
  if (padded !== json.byteLength) {
    const p = new Uint8Array(padded).fill(0x20)
    p.set(json)
    json = p
  }
  const out = new Uint8Array(8 + json.byteLength + offset)
  const view = new DataView(out.buffer)
  view.setBigUint64(0, BigInt(json.byteLength), true)
  out.set(json, 8)
  let at = 8 + json.byteLength
  for (const t of tensors.values()) {
    for (let i = 0; i < t.data.length; i++, at += 4) view.setFloat32(at, t.data[i]!, true)
  }
  return out
}
