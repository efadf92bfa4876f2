/**
 * Ablations (paper §5.4, Fig. 4; App. E.5, Table 5): GiGPO without the step-level term (ω = 0), other ω values,
 * and F_norm = std vs 1 (mean_std_norm vs mean_norm). The ω sweep uses each environment's script mode (ALFWorld
 * mean_std_norm, WebShop mean_norm); ω = 1 and both modes are Table 1's runs, shared.
 */
import { defineExperiment, gigpoVariant, scriptMode, VARIANTS } from '../src/experiment.js'
import { paragraphs, signed, table } from '../src/markdown.js'
import { formatSummary, summarizeSeeds, table1Values } from '../src/summaries.js'
import { mean } from '../src/stats.js'
import type { EnvId, ReportContext, RunSpec, Variant } from '../src/types.js'

/** The ablation variants of one environment, in report order. */
export function ablationVariants(env: EnvId, omegas: readonly number[]): Variant[] {
  const mode = scriptMode(env)
  const sweep = [...new Set([...omegas, 1])].sort((a, b) => a - b).map((omega) => gigpoVariant(mode, omega))
  const other = mode === 'mean_std_norm' ? VARIANTS.gigpoNoStd : VARIANTS.gigpoStd
  return [VARIANTS.grpo, ...sweep, other]
}

export const ablations = defineExperiment({
  id: 'ablations',
  title: 'Ablations: step term, ω, normalisation (paper §5.4, App. E.5)',
  paperRef: '§5.4 Fig. 4; App. E.5 Table 5',
  summary: 'GiGPO w/o step term (ω = 0), ω sweep, mean_norm vs mean_std_norm',

  runs: ({ preset, envs, seeds }) =>
    envs.flatMap((env) =>
      ablationVariants(env, preset.ablationOmegas).flatMap((variant) =>
        seeds.map((seed): RunSpec => ({ env, variant, seed })),
      ),
    ),

  report(ctx) {
    const { fig4, omega } = ctx.paper.ablations
    return paragraphs(
      `Final evaluation (same protocol as Table 1), mean ± std over seeds; Δ is against GiGPO with ω = 1 in the ` +
        `same mode (paired by seed). ω = 0 removes the step-level term A^S, leaving GiGPO's episode-level ` +
        `advantage alone; it should track GRPO (the paper infers the same for its "w/o A^S" bar).`,
      ...ctx.envs.map((env) => envTable(ctx, env)),
      `Paper: ${fig4.note} ${omega.note} (${omega.cite}: ` +
        omega.rows
          .map(
            (r) =>
              `ω = ${r.omega}: ${r.webshopScore === undefined ? '' : `score ${r.webshopScore}, `}success ${r.webshopSuccess}`,
          )
          .join('; ') +
        '.) The "w/o A^E" bar (step term only) is not run here: the trainer has no switch for it.',
    )
  },
})

function mainColumns(env: EnvId) {
  return env === 'alfworld' ? (['all'] as const) : (['webshopScore', 'webshopSuccess'] as const)
}

function envTable(ctx: ReportContext, env: EnvId): string {
  const columns = mainColumns(env)
  const variants = ablationVariants(env, ctx.preset.ablationOmegas)
  const reference = gigpoVariant(scriptMode(env), 1)
  const valuesOf = (variant: Variant) =>
    ctx.seeds.map((seed) => {
      const e = ctx.run({ env, variant, seed }).evaluation
      return e === undefined ? undefined : table1Values(e)
    })
  const refValues = valuesOf(reference)
  const rows = variants.map((variant) => {
    const values = valuesOf(variant)
    const cells = columns.map((c) => formatSummary(summarizeSeeds(values.map((v) => v?.[c]))))
    const main = columns[columns.length - 1]!
    const deltas = values
      .map((v, i) =>
        v?.[main] === undefined || refValues[i]?.[main] === undefined
          ? undefined
          : v[main]! - refValues[i]![main]!,
      )
      .filter((d): d is number => d !== undefined)
    const delta = variant.id === reference.id || deltas.length === 0 ? '–' : signed(mean(deltas))
    return [variant.label, ...cells, delta, paperNote(ctx, env, variant)]
  })
  const titles = env === 'alfworld' ? ['All (%)'] : ['Score', 'Succ. (%)']
  return paragraphs(
    `### ${env === 'alfworld' ? 'ALFWorld' : 'WebShop'}`,
    table({
      header: ['Variant', ...titles, 'Δ vs ω = 1', 'Paper (1.5B)'],
      rows,
      align: ['left', ...titles.map(() => 'right' as const), 'right', 'left'],
    }),
  )
}

function paperNote(ctx: ReportContext, env: EnvId, variant: Variant): string {
  const col = env === 'alfworld' ? 'all' : 'webshopSuccess'
  const row = (method: string) =>
    ctx.paper.table1.rows.find((r) => r.method === method && r.model === 'Qwen2.5-1.5B-Instruct')
  if (variant.paperMethod !== undefined) {
    const r = row(variant.paperMethod)
    return r === undefined ? '–' : `${r.values[col].mean} (${r.cite})`
  }
  const omega = variant.stepAdvantageWeight
  if (omega === 0) {
    const grpo = row('grpo')
    return grpo === undefined ? '–' : `≈ GRPO ${grpo.values[col].mean} (inferred, §5.4)`
  }
  if (env === 'webshop' && variant.mode === 'mean_norm') {
    const r = ctx.paper.ablations.omega.rows.find((x) => x.omega === omega)
    if (r?.webshopSuccess !== undefined) return `${r.webshopSuccess} (${ctx.paper.ablations.omega.cite})`
  }
  return '–'
}
