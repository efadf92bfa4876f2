import { buildDiagnostics } from './diagnostics.js'
import type { GigpoResult, ResolvedGigpoOptions } from './gigpo-types.js'
import { GIGPO_KERNEL_WASM } from './gigpo-kernel.generated.js'
import { isIntegerTypedArray } from './prepare.js'
import type { FlagColumn, IdColumn, NumberColumn, StepBatch } from './types.js'

/**
 * The GiGPO fast path: the float64, step-row-statistics configuration with step-group ids given (the default and
 * the trainer's) runs in a small WebAssembly kernel (`wasm/gigpo-kernel.wat`, about 3 kB). It does the general
 * path's arithmetic in the same order (discounted returns per trajectory, then every group sum in input row
 * order), so the results are bit-identical; what changes is the cost per row: a typed-array access in optimised
 * JavaScript costs several instructions (map check, length and data-pointer loads, bounds check), in
 * WebAssembly about one.
 *
 * The kernel's memory is reused across calls while the garbage collector keeps it (a `WeakRef`); columns are
 * copied in, results copied out into fresh arrays. Where WebAssembly is unavailable, or for anything unusual (ids
 * too large for lookup tables, a step-group id shared by two episode groups when (group, id) pairs are too many
 * for a table, any input error), this returns `null` and the caller takes the general path, which reports input
 * errors as it always has.
 */

/** Header layout (byte offsets), shared with the `.wat`. */
const H_N = 0
const H_BY_STD = 4
const H_EPISODE_GROUP = 8
const H_TRAJECTORY = 12
const H_STEP = 16
const H_REWARD = 20
const H_VALID = 24
const H_STEP_GROUP = 28
const H_FREE = 32
const H_GAMMA = 64
const H_PENALTY = 72
const H_EPSILON = 80
const H_STEP_WEIGHT = 88
const H_NEEDED = 132
const H_EPISODE_GROUPS = 136
const H_TRAJECTORIES = 140
const H_STEP_GROUPS = 144
const H_INVALID = 148
const H_OUTPUTS = 152
const H_EPISODE_COUNTS = 156
const H_STEP_COUNTS = 160
const HEADER_BYTES = 256
const STATUS_DONE = 0
const STATUS_GROW = 3
const PAGE = 65536
/** Byte offsets are int32 in the kernel; this many rows keep every offset well below 2^31. */
const MAX_ROWS = 1 << 22

/** The part of the WebAssembly JavaScript API used here (the project's `lib` has no DOM types). */
interface WasmMemory {
  readonly buffer: ArrayBuffer
  grow(pages: number): number
}
interface WasmApi {
  readonly Module: new (bytes: Uint8Array) => object
  readonly Instance: new (module: object, imports: object) => { readonly exports: Record<string, unknown> }
}

interface Kernel {
  readonly memory: WasmMemory
  readonly run: () => number
}

/** The compiled module (`null`: WebAssembly unavailable), and the live instance while it is kept. */
let compiled: object | null | undefined
let live: WeakRef<Kernel> | undefined
/** Set while a call uses the kernel's memory. */
let busy = false

function instantiate(): Kernel | null {
  const kept = live?.deref()
  if (kept !== undefined) return kept
  const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly
  if (compiled === undefined) {
    try {
      compiled = new wasm!.Module(decodeBase64(GIGPO_KERNEL_WASM))
    } catch {
      compiled = null
    }
  }
  if (compiled === null) return null
  try {
    const exports = new wasm!.Instance(compiled, {}).exports
    const kernel: Kernel = {
      memory: exports.memory as WasmMemory,
      run: exports.run as () => number,
    }
    live = new WeakRef(kernel)
    return kernel
  } catch {
    return null
  }
}

function decodeBase64(text: string): Uint8Array {
  const binary = atob(text)
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
  return bytes
}

/** GiGPO in the kernel, or `null` when the general path must run (see the module comment). */
export function gigpoKernel64(batch: StepBatch, opts: ResolvedGigpoOptions): GigpoResult | null {
  if (batch === null || typeof batch !== 'object' || batch.stepGroup === undefined) return null
  const n = lengthOf(batch.episodeGroup)
  if (n <= 0 || n > MAX_ROWS) return null
  if (
    lengthOf(batch.trajectory) !== n ||
    lengthOf(batch.step) !== n ||
    lengthOf(batch.reward) !== n ||
    lengthOf(batch.stepGroup) !== n ||
    (batch.valid !== undefined && lengthOf(batch.valid) !== n) ||
    (batch.anchor !== undefined && lengthOf(batch.anchor) !== n)
  ) {
    return null
  }
  // Reading a column could run user code (a getter) that calls back in; the inner call takes the general path.
  if (busy) return null
  const kernel = instantiate()
  if (kernel === null) return null
  busy = true
  try {
    return runKernel(kernel, { batch, stepGroup: batch.stepGroup, opts, n })
  } finally {
    busy = false
  }
}

function runKernel(
  kernel: Kernel,
  call: { batch: StepBatch; stepGroup: IdColumn; opts: ResolvedGigpoOptions; n: number },
): GigpoResult | null {
  const { batch, stepGroup, opts, n } = call
  // Inputs after the header: four int32 columns, the rewards, the flags; the kernel allocates from `free`.
  const at = {
    episodeGroup: HEADER_BYTES,
    trajectory: HEADER_BYTES + align8(4 * n),
    step: HEADER_BYTES + 2 * align8(4 * n),
    stepGroup: HEADER_BYTES + 3 * align8(4 * n),
    reward: HEADER_BYTES + 4 * align8(4 * n),
    valid: HEADER_BYTES + 4 * align8(4 * n) + 8 * n,
  }
  const free = at.valid + align8(n)
  // What the kernel needs for typical ids (it asks for more when it needs it).
  if (!ensureBytes(kernel.memory, free + 176 * n + PAGE)) return null
  let buffer = kernel.memory.buffer
  const int32 = new Int32Array(buffer)
  if (
    !copyIds(batch.episodeGroup, int32, at.episodeGroup >> 2) ||
    !copyIds(batch.trajectory, int32, at.trajectory >> 2) ||
    !copyIds(batch.step, int32, at.step >> 2) ||
    !copyIds(stepGroup, int32, at.stepGroup >> 2) ||
    !copyRewards(batch.reward, new Float64Array(buffer), at.reward >> 3) ||
    !copyFlags(batch.valid, new Uint8Array(buffer, at.valid, n))
  ) {
    return null
  }
  int32[H_N >> 2] = n
  int32[H_BY_STD >> 2] = opts.mode === 'mean_std_norm' ? 1 : 0
  int32[H_EPISODE_GROUP >> 2] = at.episodeGroup
  int32[H_TRAJECTORY >> 2] = at.trajectory
  int32[H_STEP >> 2] = at.step
  int32[H_REWARD >> 2] = at.reward
  int32[H_VALID >> 2] = at.valid
  int32[H_STEP_GROUP >> 2] = at.stepGroup
  int32[H_FREE >> 2] = free
  const float64 = new Float64Array(buffer, 0, HEADER_BYTES >> 3)
  float64[H_GAMMA >> 3] = opts.gamma
  float64[H_PENALTY >> 3] = opts.invalidPenalty
  float64[H_EPSILON >> 3] = opts.epsilon
  float64[H_STEP_WEIGHT >> 3] = opts.stepWeight

  let status = kernel.run()
  if (status === STATUS_GROW) {
    if (!ensureBytes(kernel.memory, new Int32Array(kernel.memory.buffer)[H_NEEDED >> 2]!)) return null
    status = kernel.run()
  }
  if (status !== STATUS_DONE) return null
  buffer = kernel.memory.buffer
  const header = new Int32Array(buffer, 0, HEADER_BYTES >> 2)
  const out = header[H_OUTPUTS >> 2]!
  const numEg = header[H_EPISODE_GROUPS >> 2]!
  const numSg = header[H_STEP_GROUPS >> 2]!
  const f64 = (k: number) => new Float64Array(buffer, out + 8 * k * n, n).slice()
  return {
    stepReturn: f64(0),
    stepReward: f64(1),
    episodeScore: f64(2),
    episodeAdvantage: f64(3),
    stepAdvantage: f64(4),
    advantage: f64(5),
    stepGroup: new Int32Array(buffer, out + 48 * n, n).slice(),
    diagnostics: buildDiagnostics(
      {
        n,
        numEg,
        numTraj: header[H_TRAJECTORIES >> 2]!,
        invalidRows: header[H_INVALID >> 2]!,
      },
      { count: new Int32Array(buffer, header[H_EPISODE_COUNTS >> 2]!, numEg) },
      { count: new Int32Array(buffer, header[H_STEP_COUNTS >> 2]!, numSg) },
    ),
  }
}

function align8(bytes: number): number {
  return Math.ceil(bytes / 8) * 8
}

function lengthOf(col: unknown): number {
  if (col === null || typeof col !== 'object') return -1
  const length = (col as { length?: unknown }).length
  return typeof length === 'number' ? length : -1
}

/** Grows the kernel's memory to at least `bytes`; false when it cannot grow. */
function ensureBytes(memory: WasmMemory, bytes: number): boolean {
  const have = memory.buffer.byteLength
  if (have >= bytes) return true
  try {
    memory.grow(Math.ceil((bytes - have) / PAGE))
    return true
  } catch {
    return false
  }
}

/**
 * Copies an id column into the kernel's memory. Integer typed arrays copy as they are (an id of 2^31 or more
 * turns negative, which the kernel rejects); other columns must hold non-negative integers below 2^31.
 */
function copyIds(col: IdColumn, memory: Int32Array, at: number): boolean {
  if (isIntegerTypedArray(col) || col instanceof Uint8ClampedArray) {
    memory.set(col, at)
    return true
  }
  const n = col.length
  for (let i = 0; i < n; i++) {
    const v = col[i]
    if (typeof v !== 'number' || !(v >= 0 && v <= 0x7fffffff) || Math.floor(v) !== v) return false
    memory[at + i] = v
  }
  return true
}

/** Copies the rewards (the kernel checks that they are finite); false if some entry is not a number. */
function copyRewards(col: NumberColumn, memory: Float64Array, at: number): boolean {
  if (col instanceof Float64Array || col instanceof Float32Array || isIntegerTypedArray(col)) {
    memory.set(col, at)
    return true
  }
  const n = col.length
  for (let i = 0; i < n; i++) {
    const v = col[i]
    if (typeof v !== 'number') return false
    memory[at + i] = v
  }
  return true
}

/** Copies the flags as 0 (invalid) / non-zero (valid); false for an entry that is neither boolean nor number. */
function copyFlags(col: FlagColumn | undefined, memory: Uint8Array): boolean {
  if (col === undefined) {
    memory.fill(1)
    return true
  }
  if (col instanceof Uint8Array || col instanceof Int8Array || col instanceof Uint8ClampedArray) {
    memory.set(col)
    return true
  }
  const n = memory.length
  for (let i = 0; i < n; i++) {
    const v = col[i]
    if (typeof v === 'boolean') memory[i] = v ? 1 : 0
    else if (typeof v === 'number' && !Number.isNaN(v)) memory[i] = v !== 0 ? 1 : 0
    else return false
  }
  return true
}
