import { arenaSlack, createArena, heapAlloc, type Alloc } from './arena.js'
import { buildDiagnostics } from './diagnostics.js'
import { gigpoKernel64 } from './gigpo-kernel.js'
import { episodeAdvantagesPrepared, episodeScoresPrepared } from './episode.js'
import { applyNormalization, groupStatistics } from './normalize.js'
import { choiceOption, MODES, numberOption, resolveCommon } from './options.js'
import { maxId, prepareBatch } from './prepare.js'
import { returnsPrepared } from './returns.js'
import { stepGroupsPrepared } from './step-groups.js'
import type { GigpoOptions, GigpoResult, ResolvedGigpoOptions } from './gigpo-types.js'
import type { StepBatch } from './types.js'

export type { GigpoOptions, GigpoResult, ResolvedGigpoOptions } from './gigpo-types.js'

const f32 = Math.fround

/** Validates GiGPO options and fills in the defaults. */
export function resolveGigpoOptions(options: GigpoOptions = {}): ResolvedGigpoOptions {
  const common = resolveCommon(options)
  return {
    ...common,
    gamma: numberOption('gamma', options.gamma, { default: 0.95, min: 0, max: 1 }),
    stepWeight: numberOption('stepWeight', options.stepWeight, { default: 1 }),
    mode: choiceOption('mode', options.mode, { default: 'mean_norm', allowed: MODES }),
  }
}

/**
 * GiGPO advantages (Eq. 3, 5, 6, 7, 8) for a batch of step rows, as verl-agent's `compute_gigpo_outcome_advantage`
 * computes them: discounted step returns with the invalid-action penalty applied afterwards to the invalid row
 * only; episode-relative advantages over all step rows of each episode group (singleton group → raw score);
 * exact anchor-state step groups within each episode group; step-relative advantages (singleton → 0); and
 * their sum A^E + ω·A^S.
 *
 * Rows may come in any order; the result arrays follow the input row order. Runs in O(rows); with the default
 * float64 precision, step-row statistics and `stepGroup` ids, in a WebAssembly kernel (same results, bit for bit,
 * as the TypeScript path, which takes every other case).
 *
 * @example
 * ```ts
 * const result = computeGigpoAdvantages(
 *   {
 *     episodeGroup: [0, 0, 0, 0],
 *     trajectory: [0, 0, 1, 1],
 *     step: [0, 1, 0, 1],
 *     reward: [0, 10, 0, 0],
 *     anchor: ['start', 'room', 'start', 'hall'],
 *   },
 *   { gamma: 0.95, stepWeight: 1, mode: 'mean_norm' },
 * )
 * result.episodeAdvantage // [5, 5, -5, -5]
 * result.stepAdvantage    // [4.75, 0, -4.75, 0]
 * ```
 */
export function computeGigpoAdvantages(batch: StepBatch, options: GigpoOptions = {}): GigpoResult {
  return gigpoResolved(batch, resolveGigpoOptions(options))
}

/**
 * GiGPO with resolved options: the WebAssembly kernel for the default configuration (float64, step-row
 * statistics, step-group ids given), else (or for unusual input, and to report input errors) the general path.
 * Both give bit-identical results.
 */
export function gigpoResolved(batch: StepBatch, opts: ResolvedGigpoOptions): GigpoResult {
  if (opts.precision === 'float64' && opts.episodeStatistics === 'step-rows') {
    const result = gigpoKernel64(batch, opts)
    if (result !== null) return result
  }
  return gigpoPrepared(prepareBatch(batch), batch, opts)
}

/** GiGPO on an already validated batch. */
export function gigpoPrepared(
  prep: ReturnType<typeof prepareBatch>,
  batch: StepBatch,
  opts: ResolvedGigpoOptions,
): GigpoResult {
  const { precision } = opts
  const n = prep.n
  // One buffer for the seven per-row outputs (six float64, one int32).
  const out = createArena(n * (6 * 8 + 4) + arenaSlack(7))
  if (precision === 'float64' && opts.episodeStatistics === 'step-rows')
    return gigpoFused64(prep, batch, opts, out)
  const returns = returnsPrepared(prep, opts, out)
  const episodeScore = episodeScoresPrepared(prep, returns.trajReward, opts, out)
  const episode = episodeAdvantagesPrepared(prep, episodeScore, returns.trajReward, opts, out)
  const groups = stepGroupsPrepared(prep, batch, out)
  const stepStats = groupStatistics(returns.stepReward, groups.groupOf, {
    numGroups: groups.count,
    singleton: 'zero',
    precision,
  })
  const stepAdvantage = applyNormalization(returns.stepReward, groups.groupOf, stepStats, opts, out)
  const advantage = out.f64(n)
  const ea = episode.advantage
  const w = opts.stepWeight
  if (precision === 'float32') {
    for (let i = 0; i < n; i++) advantage[i] = f32(ea[i]! + f32(w * stepAdvantage[i]!))
  } else {
    for (let i = 0; i < n; i++) advantage[i] = ea[i]! + w * stepAdvantage[i]!
  }
  return {
    stepReturn: returns.stepReturn,
    stepReward: returns.stepReward,
    episodeScore,
    episodeAdvantage: ea,
    stepGroup: groups.groupOf,
    stepAdvantage,
    advantage,
    diagnostics: buildDiagnostics(prep, episode.stats, stepStats),
  }
}

/**
 * The float64, step-row-statistics GiGPO in few passes over the rows (the TypeScript path for the default
 * configuration, and the definition the WebAssembly kernel reproduces bit for bit): returns in trajectory order;
 * one pass for step-group ids, penalties and scores; both levels' shifted sums and sums of squares in row order;
 * one pass for the three advantages. Same maths as the modular path; the variance uses sums shifted by each
 * group's first value, which is exact for equal values and accurate for the value ranges of rewards.
 */
function gigpoFused64(
  prep: ReturnType<typeof prepareBatch>,
  batch: StepBatch,
  opts: ResolvedGigpoOptions,
  out: Alloc,
): GigpoResult {
  const { n, numTraj, numEg, trajStart, trajRows, rewardByTraj, valid, trajOf, egOf } = prep
  const { gamma, invalidPenalty: pen, stepWeight: w, epsilon } = opts
  const byStd = opts.mode === 'mean_std_norm'
  const stepReturn = out.f64(n)
  const stepReward = out.f64(n)
  const episodeScore = out.f64(n)
  const episodeAdvantage = out.f64(n)
  const stepAdvantage = out.f64(n)
  const advantage = out.f64(n)

  // Eq. 5, trajectory by trajectory in step order (sequential reads), scattered back to rows.
  const trajReward = new Float64Array(numTraj)
  for (let t = 0; t < numTraj; t++) {
    const s = trajStart[t]!
    let running = 0
    let total = 0
    for (let k = trajStart[t + 1]! - 1; k >= s; k--) {
      const r = rewardByTraj[k]!
      running = r + gamma * running
      total += r
      stepReturn[trajRows[k]!] = running
    }
    trajReward[t] = total
  }

  // Eq. 6: with small step-group ids each used by one episode group (the usual case), the ids are mapped inline
  // below; otherwise (anchors, ids shared across episode groups, huge ids) they are grouped first.
  const ids = batch.stepGroup
  let stepGroup: Int32Array
  let numSg = 0
  // (owner episode group + 1, dense id) per step-group id, interleaved so one lookup touches one cache line.
  let idTable: Int32Array | null = null
  let capSg = n
  if (ids !== undefined) {
    const max = maxId(ids, 'stepGroup', n)
    if (max < 4 * n + 1024) {
      idTable = new Int32Array(2 * (max + 1))
      capSg = Math.min(n, max + 1)
    }
  }
  if (idTable !== null) {
    stepGroup = out.i32(n)
  } else {
    const groups = stepGroupsPrepared(prep, batch, out)
    stepGroup = groups.groupOf
    capSg = groups.count
  }

  // Per group, interleaved [count, first value K, Σ(x − K), Σ(x − K)²] (array of structs: one cache line per
  // group, which matters when there are ~10^5 step groups and rows come in any order).
  const eAcc = new Float64Array(4 * numEg)
  let sAcc = new Float64Array(4 * capSg)
  let shared = false
  for (let i = 0; i < n; i++) {
    const g = egOf[i]!
    let q: number
    if (idTable !== null) {
      const at = 2 * ids![i]!
      const o = idTable[at]!
      if (o === g + 1) {
        q = idTable[at + 1]!
      } else if (o === 0) {
        idTable[at] = g + 1
        idTable[at + 1] = q = numSg++
      } else {
        shared = true
        break
      }
      stepGroup[i] = q
    } else {
      q = stepGroup[i]!
    }
    const invalid = valid[i] === 0
    const sr = invalid ? stepReturn[i]! - pen : stepReturn[i]!
    const sc = invalid ? trajReward[trajOf[i]!]! - pen : trajReward[trajOf[i]!]!
    stepReward[i] = sr
    episodeScore[i] = sc
    // Both levels' accumulators (inline: this loop is the general path's hot spot).
    const ae = 4 * g
    if (eAcc[ae] === 0) eAcc[ae + 1] = sc
    eAcc[ae]!++
    const de = sc - eAcc[ae + 1]!
    eAcc[ae + 2]! += de
    eAcc[ae + 3]! += de * de
    const as = 4 * q
    if (sAcc[as] === 0) sAcc[as + 1] = sr
    sAcc[as]!++
    const ds = sr - sAcc[as + 1]!
    sAcc[as + 2]! += ds
    sAcc[as + 3]! += ds * ds
  }
  if (shared) {
    // Some id is used by two episode groups: group by (episode group, id), then redo the rows the loop skipped.
    const groups = stepGroupsPrepared(prep, batch, heapAlloc)
    stepGroup.set(groups.groupOf)
    numSg = groups.count
    sAcc = new Float64Array(4 * numSg)
    eAcc.fill(0)
    for (let i = 0; i < n; i++) {
      const invalid = valid[i] === 0
      const sr = invalid ? stepReturn[i]! - pen : stepReturn[i]!
      const sc = invalid ? trajReward[trajOf[i]!]! - pen : trajReward[trajOf[i]!]!
      stepReward[i] = sr
      episodeScore[i] = sc
    }
    accumulateGroups(eAcc, { group: egOf, values: episodeScore })
    accumulateGroups(sAcc, { group: stepGroup, values: stepReward })
  } else if (idTable === null) {
    numSg = capSg
  }

  // Per group [mean, 1 / F_norm] interleaved, plus counts and stds for the diagnostics. Singletons: episode
  // mean 0 and std 1 (raw score), step mean = the value (advantage 0).
  const finish = (acc: Float64Array, groups: number, singletonRaw: boolean) => {
    const norm = new Float64Array(2 * groups)
    const count = new Int32Array(groups)
    const mean = new Float64Array(groups)
    const std = new Float64Array(groups).fill(1)
    for (let g = 0; g < groups; g++) {
      const c = acc[4 * g]!
      count[g] = c
      let m: number
      let sd = 1
      if (c === 1) {
        m = singletonRaw ? 0 : acc[4 * g + 1]!
      } else {
        const shift = acc[4 * g + 2]! / c
        m = acc[4 * g + 1]! + shift
        sd = Math.sqrt(Math.max(0, acc[4 * g + 3]! - shift * acc[4 * g + 2]!) / (c - 1))
      }
      mean[g] = m
      std[g] = sd
      norm[2 * g] = m
      norm[2 * g + 1] = byStd ? 1 / (sd + epsilon) : 1
    }
    return { norm, stats: { count, mean, std } }
  }
  const episodeNorm = finish(eAcc, numEg, true)
  const stepNorm = finish(sAcc, numSg, false)
  const eN = episodeNorm.norm
  const sN = stepNorm.norm

  // Eq. 3, Eq. 7, Eq. 8.
  for (let i = 0; i < n; i++) {
    const g = 2 * egOf[i]!
    const q = 2 * stepGroup[i]!
    const ea = (episodeScore[i]! - eN[g]!) * eN[g + 1]!
    const sa = (stepReward[i]! - sN[q]!) * sN[q + 1]!
    episodeAdvantage[i] = ea
    stepAdvantage[i] = sa
    advantage[i] = ea + w * sa
  }
  return {
    stepReturn,
    stepReward,
    episodeScore,
    episodeAdvantage,
    stepGroup,
    stepAdvantage,
    advantage,
    diagnostics: buildDiagnostics(prep, episodeNorm.stats, stepNorm.stats),
  }
}

/**
 * Adds each row's value to its group's accumulator `[count, first value K, Σ(x − K), Σ(x − K)²]` (zero-filled to
 * start), in row order.
 */
function accumulateGroups(
  acc: Float64Array,
  rows: { readonly group: Int32Array; readonly values: Float64Array },
): void {
  const { group, values } = rows
  for (let i = 0; i < values.length; i++) {
    const at = 4 * group[i]!
    const x = values[i]!
    if (acc[at] === 0) acc[at + 1] = x
    acc[at]!++
    const d = x - acc[at + 1]!
    acc[at + 2]! += d
    acc[at + 3]! += d * d
  }
}
