/**
 * Every experiment, in the order of the report. Add a new one here after writing its file.
 */
import { ablations } from './ablations.js'
import { claim } from './claim.js'
import { computeCost } from './compute-cost.js'
import { microBenchmarks } from './micro-benchmarks.js'
import { stepGroups } from './step-groups.js'
import { table1 } from './table1.js'
import type { Experiment } from '../src/types.js'

/** All experiments, report order. */
export const EXPERIMENTS: readonly Experiment[] = [
  table1,
  claim,
  computeCost,
  stepGroups,
  ablations,
  microBenchmarks,
]

export { ablations, claim, computeCost, microBenchmarks, stepGroups, table1 }
