/**
 * Typed-array allocation for the hot paths. Allocating many large typed arrays separately is slow in V8 (each has
 * its own backing store, and external-memory accounting triggers extra garbage collections), so each public call
 * carves its row-sized arrays out of one or two ArrayBuffers instead. Internal.
 */
export interface Alloc {
  f64(n: number): Float64Array
  i32(n: number): Int32Array
  u8(n: number): Uint8Array
}

/** Plain allocation (one backing store per array). */
export const heapAlloc: Alloc = {
  f64: (n) => new Float64Array(n),
  i32: (n) => new Int32Array(n),
  u8: (n) => new Uint8Array(n),
}

/** Bump allocation from one zero-filled ArrayBuffer; falls back to plain allocation when it runs out. */
export function createArena(bytes: number): Alloc {
  return new Arena(bytes)
}

/** A class rather than an object of closures, so that every arena has the same hidden class and call targets. */
class Arena implements Alloc {
  readonly #buffer: ArrayBuffer
  #offset = 0

  constructor(bytes: number) {
    this.#buffer = new ArrayBuffer(bytes)
  }

  f64(n: number): Float64Array {
    const at = this.#take(n * 8, 8)
    return at < 0 ? new Float64Array(n) : new Float64Array(this.#buffer, at, n)
  }

  i32(n: number): Int32Array {
    const at = this.#take(n * 4, 4)
    return at < 0 ? new Int32Array(n) : new Int32Array(this.#buffer, at, n)
  }

  u8(n: number): Uint8Array {
    const at = this.#take(n, 1)
    return at < 0 ? new Uint8Array(n) : new Uint8Array(this.#buffer, at, n)
  }

  #take(size: number, align: number): number {
    const start = Math.ceil(this.#offset / align) * align
    if (start + size > this.#buffer.byteLength) return -1
    this.#offset = start + size
    return start
  }
}

/** Bytes per row of the scratch arrays {@link prepareBatch} allocates (valid, two id maps, CSR, rewards), padded. */
export const PREPARE_BYTES_PER_ROW = 1 + 4 + 4 + 4 + 8
/** Alignment slack for an arena holding `arrays` arrays. */
export const arenaSlack = (arrays: number): number => arrays * 8
