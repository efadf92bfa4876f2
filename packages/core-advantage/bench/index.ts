/**
 * Benchmark of @gigpo/core-advantage (single-threaded): GiGPO advantages for the paper-size batch
 * (16 groups × 8 trajectories × 50 steps = 6,400 rows) and for 1,000,000 rows, with step-group ids given and rows
 * in shuffled order (plus 1M rows in rollout order), against a straightforward row-by-row implementation of the
 * same math (the way the Python reference loops: dicts of lists, one object per row), measured side by side in
 * the same run. The default configuration runs in the WebAssembly kernel; the general (TypeScript) path, which
 * takes everything else, is timed on the paper batch too.
 *
 * Run: `pnpm --filter @gigpo/core-advantage bench`. Targets: paper batch < 1 ms; 1M rows < 100 ms; ≥ 20× the
 * row-by-row version.
 */
import { performance } from 'node:perf_hooks'
import { createRng } from '@gigpo/random'
import { reportBench, type BenchFigure } from '../../../scripts/bench-report.js'
import {
  computeGigpoAdvantages,
  computeGrpoAdvantages,
  type GigpoOptions,
  type StepBatch,
} from '../src/index.js'
import { gigpoPrepared, resolveGigpoOptions } from '../src/gigpo.js'
import { prepareBatch } from '../src/prepare.js'
import { referenceGigpo, type ReferenceRow } from '../src/reference/row-by-row.js'
import { referenceLoopsGigpo } from './reference-loops.js'

interface Workload {
  readonly label: string
  readonly n: number
  readonly batch: StepBatch & { readonly stepGroup: Int32Array; readonly valid: Uint8Array }
}

/**
 * ALFWorld-like batch: each group's trajectories start from a shared anchor and revisit a small pool of anchors
 * (so step groups of many sizes appear), sparse 0/10 rewards at the last step, 5 % invalid actions. Columns only:
 * the row objects of the row-by-row versions are built just before they run, so millions of live objects do not
 * slow the garbage collector while the fast path is timed.
 */
function makeWorkload(
  label: string,
  shape: { groups: number; trajectoriesPerGroup: number; steps: number; order: 'shuffled' | 'rollout' },
): Workload {
  const { groups, trajectoriesPerGroup, steps } = shape
  const rng = createRng(`core-advantage-bench-${groups}`)
  const n = groups * trajectoriesPerGroup * steps
  // Row k of the canonical (trajectory-major) layout; the batch lists them in `order`.
  const canonical = Int32Array.from({ length: n }, (_, k) => k)
  // 'rollout': step-major, as the rollout loop emits rows; 'shuffled': any order (after balance_batch, say).
  const order =
    shape.order === 'shuffled'
      ? Int32Array.from(rng.shuffle(Array.from(canonical)))
      : Int32Array.from(
          { length: n },
          (_, k) =>
            (k % (groups * trajectoriesPerGroup)) * steps + Math.floor(k / (groups * trajectoriesPerGroup)),
        )
  const wins = Uint8Array.from({ length: groups * trajectoriesPerGroup }, () =>
    rng.nextFloat() < 0.3 ? 1 : 0,
  )
  const anchorOf = Int32Array.from({ length: n }, (_, k) => (k % steps === 0 ? 0 : 1 + rng.intBelow(40)))
  const validOf = Uint8Array.from({ length: n }, () => (rng.nextFloat() >= 0.05 ? 1 : 0))
  const batch = {
    episodeGroup: new Int32Array(n),
    trajectory: new Int32Array(n),
    step: new Int32Array(n),
    reward: new Float64Array(n),
    valid: new Uint8Array(n),
    stepGroup: new Int32Array(n),
  }
  for (let i = 0; i < n; i++) {
    const k = order[i]!
    const traj = Math.floor(k / steps)
    const s = k % steps
    const g = Math.floor(traj / trajectoriesPerGroup)
    batch.episodeGroup[i] = g
    batch.trajectory[i] = traj
    batch.step[i] = s
    batch.reward[i] = wins[traj] === 1 && s === steps - 1 ? 10 : 0
    batch.valid[i] = validOf[k]!
    batch.stepGroup[i] = g * 64 + anchorOf[k]!
  }
  return { label, n, batch }
}

/** The batch as row objects, in the same order (for the row-by-row versions). */
function toRows(w: Workload): ReferenceRow[] {
  const b = w.batch
  return Array.from({ length: w.n }, (_, i) => ({
    group: b.episodeGroup[i]!,
    traj: b.trajectory[i]!,
    step: b.step[i]!,
    reward: b.reward[i]!,
    valid: b.valid[i] === 1,
    stepGroup: b.stepGroup[i]!,
  }))
}

/** Wall-clock and process CPU time (user + system, ms) of one measurement. */
interface Timing {
  readonly wall: number
  readonly cpu: number
}

/**
 * The fastest of `reps` runs after `warmup` runs: wall time, and the process CPU time of that run. On a shared,
 * loaded machine (other engineers' jobs on the same 2 cores) the minimum wall time is the stablest estimate of the
 * work itself, and CPU time excludes time spent waiting for a core.
 */
function measure(run: () => unknown, options: { reps: number; warmup: number }): Timing {
  // Start each series from a collected heap (set-up garbage such as 1M-element shuffle arrays is not the
  // measured function's); only when the bench runs with --expose-gc.
  ;(globalThis as { gc?: () => void }).gc?.()
  for (let i = 0; i < options.warmup; i++) run()
  let best: Timing = { wall: Infinity, cpu: Infinity }
  for (let i = 0; i < options.reps; i++) {
    const c0 = process.cpuUsage()
    const t0 = performance.now()
    run()
    const wall = performance.now() - t0
    const c = process.cpuUsage(c0)
    if (wall < best.wall) best = { wall, cpu: (c.user + c.system) / 1000 }
  }
  return best
}

/** Best wall time in ms (see {@link measure}). */
function timeMs(run: () => unknown, options: { reps: number; warmup: number }): number {
  return measure(run, options).wall
}

const options: Required<Pick<GigpoOptions, 'gamma' | 'stepWeight' | 'mode' | 'epsilon' | 'invalidPenalty'>> =
  {
    gamma: 0.95,
    stepWeight: 1,
    mode: 'mean_std_norm',
    epsilon: 1e-6,
    invalidPenalty: 0.1,
  }

const figures: BenchFigure[] = []
const paper = makeWorkload('paper batch (16×8×50 = 6,400 rows)', {
  groups: 16,
  trajectoriesPerGroup: 8,
  steps: 50,
  order: 'shuffled',
})
const million = makeWorkload('1,000,000 rows (2,500×8×50)', {
  groups: 2500,
  trajectoriesPerGroup: 8,
  steps: 50,
  order: 'shuffled',
})

for (const w of [paper, million]) {
  const n = w.n
  const big = n > 100_000
  const fast = measure(() => computeGigpoAdvantages(w.batch, options), {
    reps: big ? 9 : 201,
    warmup: big ? 2 : 50,
  })
  let rows: ReferenceRow[] | null = toRows(w)
  const slow = measure(() => referenceGigpo(rows!, options), { reps: big ? 3 : 21, warmup: big ? 1 : 5 })
  rows = null
  figures.push(
    {
      name: `gigpo ${w.label}: time`,
      value: fast.wall,
      unit: 'ms',
      note: big ? 'target < 100 ms' : 'target < 1 ms',
    },
    { name: `gigpo ${w.label}: CPU time`, value: fast.cpu, unit: 'ms', note: 'process user+system' },
    { name: `gigpo ${w.label}: throughput`, value: n / (fast.wall / 1000), unit: 'rows/s' },
    {
      name: `row-by-row ${w.label}: time`,
      value: slow.wall,
      unit: 'ms',
      note: 'Python-shaped loops, same run',
    },
    {
      name: `speed-up vs row-by-row, ${w.label}`,
      value: slow.wall / fast.wall,
      unit: 'x',
      note: 'target ≥ 20x',
    },
    { name: `speed-up vs row-by-row (CPU time), ${w.label}`, value: slow.cpu / fast.cpu, unit: 'x' },
  )
}

// The reference's own O(rows²) loops, on the paper batch only; checked to agree with the fast path first.
{
  const fast = computeGigpoAdvantages(paper.batch, options).advantage
  const paperRows = toRows(paper)
  const loops = referenceLoopsGigpo(paperRows, options)
  for (let i = 0; i < fast.length; i++) {
    if (Math.abs(fast[i]! - loops[i]!) > 1e-9 * Math.max(1, Math.abs(loops[i]!))) {
      throw new Error(`reference-shaped loops disagree at row ${i}: ${loops[i]} vs ${fast[i]}`)
    }
  }
  const fastMs = timeMs(() => computeGigpoAdvantages(paper.batch, options), { reps: 201, warmup: 50 })
  const loopsMs = timeMs(() => referenceLoopsGigpo(paperRows, options), { reps: 3, warmup: 1 })
  figures.push(
    { name: `reference-shaped loops (np.where scans), ${paper.label}: time`, value: loopsMs, unit: 'ms' },
    { name: `speed-up vs reference-shaped loops, ${paper.label}`, value: loopsMs / fastMs, unit: 'x' },
  )
}

const rollout = makeWorkload('1,000,000 rows in rollout order', {
  groups: 2500,
  trajectoriesPerGroup: 8,
  steps: 50,
  order: 'rollout',
})
figures.push({
  name: `gigpo ${rollout.label}: time`,
  value: timeMs(() => computeGigpoAdvantages(rollout.batch, options), { reps: 7, warmup: 2 }),
  unit: 'ms',
  note: 'step-major rows, as collected',
})

const { stepGroup: _ids, ...noIds } = paper.batch
const anchors = { ...noIds, anchor: Array.from(paper.batch.stepGroup, (id) => `obs ${id}`) }
figures.push(
  {
    name: 'gigpo paper batch, anchors as strings (inline exact grouping)',
    value: timeMs(() => computeGigpoAdvantages(anchors, options), { reps: 101, warmup: 20 }),
    unit: 'ms',
  },
  {
    name: "gigpo paper batch, precision 'float32' (reference-exact)",
    value: timeMs(() => computeGigpoAdvantages(paper.batch, { ...options, precision: 'float32' }), {
      reps: 101,
      warmup: 20,
    }),
    unit: 'ms',
  },
  {
    name: 'gigpo paper batch, general path (TypeScript, as without WebAssembly)',
    value: timeMs(() => gigpoPrepared(prepareBatch(paper.batch), paper.batch, resolveGigpoOptions(options)), {
      reps: 201,
      warmup: 50,
    }),
    unit: 'ms',
  },
  {
    name: 'grpo paper batch',
    value: timeMs(() => computeGrpoAdvantages(paper.batch, options), { reps: 201, warmup: 50 }),
    unit: 'ms',
  },
)

reportBench('@gigpo/core-advantage', figures)
