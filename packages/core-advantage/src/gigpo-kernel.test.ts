/**
 * The WebAssembly kernel against the general path, bit for bit: every output and the diagnostics, over seeded
 * random batches (any row order, typed and plain columns, local and global step-group ids, both modes), plus the
 * inputs it must hand back to the general path (which then reports the same errors as always).
 */
import { readFileSync } from 'node:fs'
import { fc, test } from '@fast-check/vitest'
import { createRng } from '@gigpo/random'
import { describe, expect, it, vi } from 'vitest'
import { assembleKernel, GENERATED_PATH, generatedSource } from '../scripts/build-wasm.js'
import { AdvantageInputError } from './errors.js'
import {
  computeGigpoAdvantages,
  gigpoPrepared,
  resolveGigpoOptions,
  type GigpoOptions,
  type GigpoResult,
} from './gigpo.js'
import { gigpoKernel64 } from './gigpo-kernel.js'
import { prepareBatch } from './prepare.js'
import type { StepBatch } from './types.js'

const FIELDS = [
  'stepReturn',
  'stepReward',
  'episodeScore',
  'episodeAdvantage',
  'stepGroup',
  'stepAdvantage',
  'advantage',
] as const

/** The general path's result (what the kernel must reproduce). */
function general(batch: StepBatch, options: GigpoOptions): GigpoResult {
  return gigpoPrepared(prepareBatch(batch), batch, resolveGigpoOptions(options))
}

/** Every element identical (`Object.is`: also tells −0 from +0 and NaN from NaN). */
function expectIdentical(got: GigpoResult, want: GigpoResult): void {
  for (const field of FIELDS) {
    const a = got[field]
    const b = want[field]
    expect(a.length, field).toBe(b.length)
    const diff = Array.from(a).findIndex((x, i) => !Object.is(x, b[i]))
    expect(diff, `${field}[${diff}]: ${a[diff]} vs ${b[diff]}`).toBe(-1)
  }
  expect(got.diagnostics).toEqual(want.diagnostics)
}

/** Kernel result, which must exist for these inputs. */
function kernel(batch: StepBatch, options: GigpoOptions): GigpoResult {
  const result = gigpoKernel64(batch, resolveGigpoOptions(options))
  expect(result).not.toBeNull()
  return result!
}

interface Shape {
  readonly groups: number
  readonly trajectories: number
  readonly maxSteps: number
  readonly anchors: number
  readonly invalidRate: number
  readonly rewards: 'sparse' | 'dense' | 'integer'
  readonly order: 'shuffled' | 'rollout' | 'trajectory'
  /** Step-group ids unique across episode groups, or restarting at 0 in each. */
  readonly ids: 'global' | 'local'
  readonly typed: boolean
}

function makeBatch(seed: number, shape: Shape): StepBatch {
  const rng = createRng(seed)
  const rows: { g: number; t: number; s: number; r: number; v: boolean; a: number }[] = []
  let traj = 0
  for (let g = 0; g < shape.groups; g++) {
    const count = 1 + rng.intBelow(shape.trajectories)
    for (let k = 0; k < count; k++, traj++) {
      const len = 1 + rng.intBelow(shape.maxSteps)
      const win = rng.nextFloat() < 0.4
      for (let s = 0; s < len; s++) {
        const r =
          shape.rewards === 'dense'
            ? (rng.nextFloat() - 0.3) * 7
            : shape.rewards === 'integer'
              ? rng.intBelow(5)
              : win && s === len - 1
                ? 10
                : 0
        rows.push({
          g: 3 * g + 1,
          t: 2 * traj,
          s,
          r,
          v: rng.nextFloat() >= shape.invalidRate,
          a: rng.intBelow(shape.anchors),
        })
      }
    }
  }
  const ordered =
    shape.order === 'shuffled'
      ? rng.shuffle(rows)
      : shape.order === 'rollout'
        ? [...rows].sort((x, y) => x.s - y.s || x.t - y.t)
        : rows
  const id = (x: { g: number; a: number }) => (shape.ids === 'global' ? x.g * 16 + x.a : x.a)
  if (shape.typed) {
    return {
      episodeGroup: Int32Array.from(ordered, (x) => x.g),
      trajectory: Int32Array.from(ordered, (x) => x.t),
      step: Int32Array.from(ordered, (x) => x.s),
      reward: Float64Array.from(ordered, (x) => x.r),
      valid: Uint8Array.from(ordered, (x) => (x.v ? 1 : 0)),
      stepGroup: Int32Array.from(ordered, id),
    }
  }
  return {
    episodeGroup: ordered.map((x) => x.g),
    trajectory: ordered.map((x) => x.t),
    step: ordered.map((x) => x.s),
    reward: ordered.map((x) => x.r),
    valid: ordered.map((x) => x.v),
    stepGroup: ordered.map(id),
  }
}

const shapeArb: fc.Arbitrary<Shape> = fc.record({
  groups: fc.integer({ min: 1, max: 12 }),
  trajectories: fc.integer({ min: 1, max: 8 }),
  maxSteps: fc.integer({ min: 1, max: 20 }),
  anchors: fc.integer({ min: 1, max: 6 }),
  invalidRate: fc.constantFrom(0, 0.1, 0.5, 1),
  rewards: fc.constantFrom('sparse' as const, 'dense' as const, 'integer' as const),
  order: fc.constantFrom('shuffled' as const, 'rollout' as const, 'trajectory' as const),
  ids: fc.constantFrom('global' as const, 'local' as const),
  typed: fc.boolean(),
})
const optionsArb: fc.Arbitrary<GigpoOptions> = fc.record({
  gamma: fc.constantFrom(0, 0.5, 0.95, 1),
  stepWeight: fc.constantFrom(0, 0.7, 1),
  mode: fc.constantFrom('mean_norm' as const, 'mean_std_norm' as const),
  invalidPenalty: fc.constantFrom(0, 0.1, 1.5),
  epsilon: fc.constantFrom(0, 1e-6),
})

describe('WebAssembly kernel = general path, bit for bit', () => {
  test.prop([fc.nat(), shapeArb, optionsArb])('random batches', (seed, shape, options) => {
    const batch = makeBatch(seed, shape)
    expectIdentical(kernel(batch, options), general(batch, options))
    expectIdentical(computeGigpoAdvantages(batch, options), general(batch, options))
  })

  it('the paper-size batch, and a large one after it (the kernel grows its memory)', () => {
    const shape: Shape = {
      groups: 16,
      trajectories: 8,
      maxSteps: 50,
      anchors: 40,
      invalidRate: 0.05,
      rewards: 'sparse',
      order: 'shuffled',
      ids: 'global',
      typed: true,
    }
    for (const batch of [makeBatch(1, shape), makeBatch(2, { ...shape, groups: 600 })]) {
      for (const mode of ['mean_norm', 'mean_std_norm'] as const) {
        expectIdentical(kernel(batch, { mode }), general(batch, { mode }))
      }
    }
  })

  it('ids near the table limit (a fresh kernel asks for more memory than its first estimate)', async () => {
    // Every row its own trajectory and episode group, ids up to about 4n: tables larger than the first estimate.
    const n = 3000
    const rng = createRng(7)
    const batch: StepBatch = {
      episodeGroup: Int32Array.from({ length: n }, (_, i) => 4 * i),
      trajectory: Int32Array.from({ length: n }, (_, i) => 4 * i + 3),
      step: new Int32Array(n),
      reward: Float64Array.from({ length: n }, () => rng.intBelow(3)),
      stepGroup: Int32Array.from({ length: n }, (_, i) => 4 * n - i),
    }
    vi.resetModules()
    try {
      const fresh = await import('./gigpo-kernel.js')
      const result = fresh.gigpoKernel64(batch, resolveGigpoOptions({}))
      expect(result).not.toBeNull()
      expectIdentical(result!, general(batch, {}))
    } finally {
      vi.resetModules()
    }
  })

  it('column types: integer and float typed arrays, plain arrays, flags as numbers or booleans', () => {
    const base = makeBatch(3, {
      groups: 3,
      trajectories: 4,
      maxSteps: 6,
      anchors: 3,
      invalidRate: 0.3,
      rewards: 'integer',
      order: 'shuffled',
      ids: 'global',
      typed: false,
    })
    const flags = Array.from(base.valid as readonly boolean[])
    const variants: StepBatch[] = [
      { ...base, valid: undefined },
      { ...base, valid: Uint8Array.from(flags, (v) => (v ? 2 : 0)) },
      { ...base, valid: Int32Array.from(flags, (v) => (v ? 256 : 0)) },
      { ...base, valid: flags.map((v) => (v ? -1 : 0)) },
      { ...base, reward: Float32Array.from(base.reward) },
      { ...base, reward: Int16Array.from(base.reward) },
      {
        ...base,
        episodeGroup: Uint16Array.from(base.episodeGroup),
        trajectory: Float64Array.from(base.trajectory),
        step: Uint8Array.from(base.step),
        stepGroup: Uint32Array.from(base.stepGroup!),
      },
    ]
    for (const batch of variants) expectIdentical(kernel(batch, {}), general(batch, {}))
  })

  it('step-group ids shared by episode groups: (episode group, id) pairs, as the general path numbers them', () => {
    const batch = makeBatch(4, {
      groups: 5,
      trajectories: 4,
      maxSteps: 8,
      anchors: 3,
      invalidRate: 0.1,
      rewards: 'dense',
      order: 'shuffled',
      ids: 'local',
      typed: true,
    })
    expectIdentical(kernel(batch, { mode: 'mean_std_norm' }), general(batch, { mode: 'mean_std_norm' }))
  })
})

describe('inputs the kernel leaves to the general path', () => {
  const ok = {
    episodeGroup: [0, 0, 0, 1],
    trajectory: [0, 0, 1, 2],
    step: [0, 1, 0, 0],
    reward: [0, 10, 0, 1],
    stepGroup: [0, 1, 0, 2],
  }
  const opts = resolveGigpoOptions({})
  const cases: readonly [string, StepBatch][] = [
    ['a negative id', { ...ok, trajectory: Int32Array.from([0, 0, -1, 2]) }],
    ['an id of 2^31 or more', { ...ok, stepGroup: Uint32Array.from([0, 1, 2 ** 31, 2]) }],
    ['a fractional step', { ...ok, step: [0, 1, 0.5, 0] }],
    ['a NaN reward', { ...ok, reward: Float64Array.from([0, Number.NaN, 0, 1]) }],
    ['an infinite reward', { ...ok, reward: [0, 10, Number.POSITIVE_INFINITY, 1] }],
    ['a string reward', { ...ok, reward: [0, '10', 0, 1] as unknown as number[] }],
    ['a duplicate step', { ...ok, step: [0, 0, 0, 0] }],
    ['a missing step', { ...ok, step: [0, 2, 0, 0] }],
    ['a trajectory in two episode groups', { ...ok, trajectory: [0, 0, 1, 1] }],
    ['a bad flag', { ...ok, valid: [true, true, 'no', true] as unknown as boolean[] }],
    ['ids too large for tables', { ...ok, stepGroup: [0, 1, 0, 10 ** 9] }],
    ['mismatched lengths', { ...ok, reward: [0, 10, 0] }],
    ['no step-group ids', { ...ok, stepGroup: undefined, anchor: ['a', 'b', 'a', 'c'] }],
  ]
  it.each(cases)('%s', (_name, batch) => {
    expect(gigpoKernel64(batch, opts)).toBeNull()
    let want: unknown
    try {
      want = general(batch, {})
    } catch (e) {
      want = e
    }
    if (want instanceof AdvantageInputError) {
      expect(() => computeGigpoAdvantages(batch)).toThrow(want)
      try {
        computeGigpoAdvantages(batch)
      } catch (e) {
        expect(e).toBeInstanceOf(AdvantageInputError)
        expect((e as AdvantageInputError).field).toBe(want.field)
        expect((e as AdvantageInputError).row).toBe(want.row)
      }
    } else {
      expectIdentical(computeGigpoAdvantages(batch), want as GigpoResult)
    }
  })

  it('shared ids whose (episode group, id) table would be too large', () => {
    const n = 40
    const batch: StepBatch = {
      episodeGroup: Int32Array.from({ length: n }, (_, i) => i),
      trajectory: Int32Array.from({ length: n }, (_, i) => i),
      step: new Int32Array(n),
      reward: Float64Array.from({ length: n }, (_, i) => i % 3),
      stepGroup: Int32Array.from({ length: n }, (_, i) => (i % 2) * 1000),
    }
    expect(gigpoKernel64(batch, opts)).toBeNull()
    expectIdentical(computeGigpoAdvantages(batch), general(batch, {}))
  })

  it('without WebAssembly, everything still works (general path)', async () => {
    vi.resetModules()
    vi.stubGlobal('WebAssembly', undefined)
    try {
      const fresh = await import('./gigpo-kernel.js')
      expect(fresh.gigpoKernel64(ok, opts)).toBeNull()
      const { computeGigpoAdvantages: compute } = await import('./gigpo.js')
      expectIdentical(compute(ok), general(ok, {}))
    } finally {
      vi.unstubAllGlobals()
      vi.resetModules()
    }
  })
})

describe('the generated module', () => {
  it('is what wasm/gigpo-kernel.wat assembles to (run `pnpm build:wasm` after editing the .wat)', async () => {
    expect(readFileSync(GENERATED_PATH, 'utf8')).toBe(generatedSource(await assembleKernel()))
  })
})
