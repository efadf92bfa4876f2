/** The option and result types of GiGPO (`computeGigpoAdvantages` and its WebAssembly kernel). */
import type { CommonOptions } from './options.js'
import type { AdvantageDiagnostics, NormalizationMode } from './types.js'

/** Options of `computeGigpoAdvantages`. */
export interface GigpoOptions extends CommonOptions {
  /**
   * Discount γ of the step returns (Eq. 5), in [0, 1].
   * @defaultValue 0.95 (all GiGPO run scripts)
   */
  readonly gamma?: number
  /**
   * ω, the weight of the step-relative advantage in Eq. 8.
   * @defaultValue 1
   */
  readonly stepWeight?: number
  /**
   * Normalisation at both levels: `mean_norm` (F_norm = 1) or `mean_std_norm` (F_norm = std + ε).
   * @defaultValue 'mean_norm' (the reference YAML; its ALFWorld script uses 'mean_std_norm')
   */
  readonly mode?: NormalizationMode
}

/** Every intermediate of GiGPO, per row in the batch's row order. */
export interface GigpoResult {
  /** Discounted return R_t (Eq. 5). */
  readonly stepReturn: Float64Array
  /** R_t after the invalid-action penalty (what Eq. 7 normalises). */
  readonly stepReward: Float64Array
  /** Episode reward minus the row's invalid penalty (what Eq. 3 normalises). */
  readonly episodeScore: Float64Array
  /** A^E, Eq. 3. */
  readonly episodeAdvantage: Float64Array
  /** Dense step-group id (Eq. 6); labels are arbitrary, the partition is what matters. */
  readonly stepGroup: Int32Array
  /** A^S, Eq. 7 (0 for singleton step groups). */
  readonly stepAdvantage: Float64Array
  /** A = A^E + ω·A^S, Eq. 8: the advantage of every token of the row's response. */
  readonly advantage: Float64Array
  /** Group counts and the step-group size histogram. */
  readonly diagnostics: AdvantageDiagnostics
}

/** Fully resolved GiGPO options. */
export type ResolvedGigpoOptions = Required<GigpoOptions>
