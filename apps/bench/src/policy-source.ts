/**
 * How a `--policy` directory (the base policy of every method, instead of the preset's model) is named in the log,
 * the fingerprint and RESULTS.md.
 */
import type { PolicySourceInfo } from './types.js'

/** The `--policy` directory in words, for the log, the fingerprint and the report. */
export function describePolicyInfo(info: PolicySourceInfo): string {
  return (
    `${info.dir} (${info.architecture}, ${info.layers} layers × ${info.hiddenSize}, vocabulary ${info.vocabSize}, ` +
    `${formatParameters(info.parameters)} parameters; ` +
    `${info.loraRank === undefined ? 'full fine-tuning' : `LoRA rank ${info.loraRank}`}; ` +
    `${info.sft ? "the preset's SFT warm start on top" : 'no SFT warm start: the loaded model is the base'})`
  )
}

/** `1543.7M` / `0.09M`. */
export function formatParameters(n: number): string {
  return n >= 1e8 ? `${(n / 1e6).toFixed(1)}M` : `${(n / 1e6).toFixed(2)}M`
}
