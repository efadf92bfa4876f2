import type { PreparedBatch } from './prepare.js'
import type { GroupStatistics } from './normalize.js'
import { stepGroupSizeHistogram } from './step-groups.js'
import type { AdvantageDiagnostics } from './types.js'

/**
 * Builds the diagnostics of a batch from its sizes and its episode-group and (optional) step-group member counts
 * (any group order).
 */
export function buildDiagnostics(
  prep: Pick<PreparedBatch, 'n' | 'numEg' | 'numTraj' | 'invalidRows'>,
  episode: Pick<GroupStatistics, 'count'>,
  step?: Pick<GroupStatistics, 'count'>,
): AdvantageDiagnostics {
  let singletonEpisodeGroups = 0
  for (let g = 0; g < episode.count.length; g++) if (episode.count[g] === 1) singletonEpisodeGroups++
  const sizes = step?.count ?? new Int32Array(0)
  let max = 0
  for (let g = 0; g < sizes.length; g++) if (sizes[g]! > max) max = sizes[g]!
  return {
    rows: prep.n,
    episodeGroups: prep.numEg,
    trajectories: prep.numTraj,
    singletonEpisodeGroups,
    invalidRows: prep.invalidRows,
    stepGroups: sizes.length,
    stepGroupSizeMean: sizes.length === 0 ? 0 : prep.n / sizes.length,
    stepGroupSizeMax: max,
    stepGroupSizeHistogram: stepGroupSizeHistogram(sizes),
  }
}

/**
 * Flattens diagnostics into a `Record<string, number>` for loggers (`stepGroupSize/1`, `stepGroupSize/2-4`, …,
 * plus the scalar fields and `validActionRatio`).
 */
export function flattenDiagnostics(d: AdvantageDiagnostics): Record<string, number> {
  const h = d.stepGroupSizeHistogram
  return {
    rows: d.rows,
    episodeGroups: d.episodeGroups,
    trajectories: d.trajectories,
    singletonEpisodeGroups: d.singletonEpisodeGroups,
    invalidRows: d.invalidRows,
    validActionRatio: d.rows === 0 ? 1 : 1 - d.invalidRows / d.rows,
    stepGroups: d.stepGroups,
    stepGroupSizeMean: d.stepGroupSizeMean,
    stepGroupSizeMax: d.stepGroupSizeMax,
    'stepGroupSize/1': h['1'],
    'stepGroupSize/2-4': h['2-4'],
    'stepGroupSize/5-9': h['5-9'],
    'stepGroupSize/10-49': h['10-49'],
    'stepGroupSize/>=50': h['>=50'],
  }
}
