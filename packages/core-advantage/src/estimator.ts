import {
  grpoPrepared,
  resolveGrpoOptions,
  rlooPrepared,
  type GrpoOptions,
  type OutcomeAdvantageResult,
  type RlooOptions,
} from './baselines.js'
import { flattenDiagnostics } from './diagnostics.js'
import { gigpoResolved, resolveGigpoOptions, type GigpoOptions, type GigpoResult } from './gigpo.js'
import { resolveCommon } from './options.js'
import { prepareBatch } from './prepare.js'
import type { StepBatch } from './types.js'

/** What an estimator returns for a batch. */
export interface AdvantageEstimate<TDetails = unknown> {
  /** One advantage per row (copied to every token of the row's response). */
  readonly advantages: Float64Array
  /** Flat numbers for logging (group counts, step-group size histogram, valid-action ratio). */
  readonly diagnostics: Readonly<Record<string, number>>
  /** Every intermediate the estimator computed. */
  readonly details: TDetails
}

/**
 * An advantage estimator value the trainer is injected with (HOUSE_STYLE §4.2): a name and a pure, synchronous
 * `estimate(batch)`.
 */
export interface AdvantageEstimator<TDetails = unknown> {
  readonly name: 'gigpo' | 'grpo' | 'rloo' | (string & {})
  estimate(batch: StepBatch): AdvantageEstimate<TDetails>
}

/**
 * A GiGPO estimator with fixed options (validated now, so a bad config fails at construction).
 *
 * @example
 * ```ts
 * const estimator = createGigpoEstimator({ gamma: 0.95, stepWeight: 1, mode: 'mean_std_norm' })
 * const { advantages, diagnostics } = estimator.estimate(batch)
 * ```
 */
export function createGigpoEstimator(options: GigpoOptions = {}): AdvantageEstimator<GigpoResult> {
  const opts = resolveGigpoOptions(options)
  return {
    name: 'gigpo',
    estimate(batch) {
      const result = gigpoResolved(batch, opts)
      return {
        advantages: result.advantage,
        diagnostics: flattenDiagnostics(result.diagnostics),
        details: result,
      }
    },
  }
}

/**
 * A GRPO estimator (`normalizeByStd: false` gives GRPO without std normalisation).
 *
 * @example
 * ```ts
 * const estimator = createGrpoEstimator({ normalizeByStd: true })
 * ```
 */
export function createGrpoEstimator(options: GrpoOptions = {}): AdvantageEstimator<OutcomeAdvantageResult> {
  const opts = resolveGrpoOptions(options)
  return {
    name: 'grpo',
    estimate(batch) {
      const result = grpoPrepared(prepareBatch(batch), opts)
      return {
        advantages: result.advantage,
        diagnostics: flattenDiagnostics(result.diagnostics),
        details: result,
      }
    },
  }
}

/**
 * An RLOO estimator.
 *
 * @example
 * ```ts
 * const estimator = createRlooEstimator()
 * ```
 */
export function createRlooEstimator(options: RlooOptions = {}): AdvantageEstimator<OutcomeAdvantageResult> {
  const opts = resolveCommon(options)
  return {
    name: 'rloo',
    estimate(batch) {
      const result = rlooPrepared(prepareBatch(batch), opts)
      return {
        advantages: result.advantage,
        diagnostics: flattenDiagnostics(result.diagnostics),
        details: result,
      }
    },
  }
}
