/**
 * Table 1 of the paper: ALFWorld success per task type and overall, WebShop score and success, for GRPO, RLOO,
 * GiGPO w/ std, GiGPO w/o std (and PPO with a critic when the preset includes it), all trained from the same
 * SFT base with the same budget. Ours: mean ± std over seeds of the final evaluation; the paper's numbers
 * (Qwen2.5-1.5B-Instruct block, the size closest to ours) beside, with their citations.
 */
import { defineExperiment, VARIANTS } from '../src/experiment.js'
import { image, paragraphs, signed, table } from '../src/markdown.js'
import { formatPaperValue, paperRow, type Table1Column } from '../src/paper.js'
import { bootstrapMeanInterval, mean, pairedDifferences, tInterval, type Interval } from '../src/stats.js'
import {
  columnCounts,
  envColumns,
  envName,
  evaluationLabel,
  evaluationTasks,
  formatSummary,
  pairedEpisodeDifferences,
  seedBand,
  summarizeSeeds,
  table1Values,
} from '../src/summaries.js'
import { barChart, lineChart } from '../src/svg.js'
import type { EnvId, ReportContext, RunSpec, Variant } from '../src/types.js'

/** The Table 1 variants of a preset, in the paper's row order. */
export function table1Variants(ppo: boolean): Variant[] {
  return [
    ...(ppo ? [VARIANTS.ppo] : []),
    VARIANTS.rloo,
    VARIANTS.grpo,
    VARIANTS.gigpoStd,
    VARIANTS.gigpoNoStd,
  ]
}

const COLUMN_TITLES: Readonly<Record<Table1Column, string>> = {
  pick: 'Pick',
  look: 'Look',
  clean: 'Clean',
  heat: 'Heat',
  cool: 'Cool',
  pick2: 'Pick2',
  all: 'All',
  webshopScore: 'Score',
  webshopSuccess: 'Succ.',
}

export const table1 = defineExperiment({
  id: 'table1',
  title: 'Table 1: ALFWorld and WebShop',
  paperRef: 'Table 1',
  summary: 'GRPO, RLOO, GiGPO w/ std, GiGPO w/o std (+ PPO) from one SFT base; final success per task type',

  runs: ({ preset, envs, seeds }) =>
    envs.flatMap((env) =>
      table1Variants(preset.ppo).flatMap((variant) => seeds.map((seed): RunSpec => ({ env, variant, seed }))),
    ),

  report(ctx) {
    const sections = ctx.envs.map((env) => envSection(ctx, env))
    return paragraphs(
      `Ours: the final policy of each run, and the SFT base, evaluated on the same ${evalDescription(ctx)} ` +
        `(temperature 0.4, as the paper's validation; slot i plays the same task with the same sampling seed in ` +
        `every evaluation, so results pair up), mean ± std over ${ctx.seeds.length} seed(s). Paper: Table 1, ` +
        `Qwen2.5-1.5B-Instruct block (RL rows are mean ± std over 3 seeds at the step-150 checkpoint). ` +
        `"SFT base" is the policy every RL run starts from (the paper starts from the instruct model; its ` +
        `"Qwen2.5 (prompt)" row is the closest analogue).`,
      ...sections,
    )
  },
})

function evalDescription(ctx: ReportContext): string {
  const parts = ctx.envs.map((env) => {
    const budget = env === 'alfworld' ? ctx.preset.alfworld : ctx.preset.webshop
    const evaluated = ctx.seeds.map((seed) => ctx.baseEvaluation(env, seed)).find((e) => e !== undefined)
    const episodes = evaluated?.episodes.length ?? budget.finalEval.episodes * budget.finalEval.rollouts
    return `${episodes} episodes on ${evaluationTasks(ctx.preset, env)}`
  })
  return parts.join(', and ')
}

function envSection(ctx: ReportContext, env: EnvId): string {
  const columns = envColumns(env)
  const variants = table1Variants(ctx.preset.ppo)
  const header = ['Method', ...columns.map((c) => COLUMN_TITLES[c]), 'Source']
  const rows: string[][] = []

  // The SFT base, evaluated like the final policies.
  const baseValues = ctx.seeds.map((seed) => {
    const evaluation = ctx.baseEvaluation(env, seed)
    return evaluation === undefined ? undefined : table1Values(evaluation)
  })
  rows.push([
    '**SFT base** (ours)',
    ...columns.map((c) => formatSummary(summarizeSeeds(baseValues.map((v) => v?.[c])))),
    `ours, ${baseValues.filter(Boolean).length} seed(s)`,
  ])
  const prompt = paperRow(ctx.paper, 'prompt')
  if (prompt !== undefined) {
    rows.push([
      'Qwen2.5-1.5B (prompt), paper',
      ...columns.map((c) => formatPaperValue(prompt.values[c])),
      prompt.cite,
    ])
  }

  for (const variant of variants) {
    const results = ctx.seeds.map((seed) => ctx.run({ env, variant, seed }))
    const values = results.map((r) => (r.evaluation === undefined ? undefined : table1Values(r.evaluation)))
    const done = results.filter((r) => r.status === 'complete').length
    rows.push([
      `**${variant.label}** (ours)`,
      ...columns.map((c) => formatSummary(summarizeSeeds(values.map((v) => v?.[c])))),
      done === ctx.seeds.length ? `ours, ${done} seed(s)` : `ours, ${done}/${ctx.seeds.length} seeds done`,
    ])
    const paper = variant.paperMethod === undefined ? undefined : paperRow(ctx.paper, variant.paperMethod)
    if (paper !== undefined) {
      rows.push([
        `${variant.label}, paper`,
        ...columns.map((c) => formatPaperValue(paper.values[c])),
        paper.cite,
      ])
    }
  }

  const firstEvaluation = variants
    .flatMap((variant) => ctx.seeds.map((seed) => ctx.run({ env, variant, seed }).evaluation))
    .find((e) => e !== undefined)
  const counts = firstEvaluation === undefined ? undefined : columnCounts(firstEvaluation)
  const countLine =
    counts === undefined
      ? undefined
      : `Episodes behind each of our columns: ${columns.map((c) => `${COLUMN_TITLES[c]} ${counts[c] ?? 0}`).join(', ')}` +
        (env === 'alfworld'
          ? ' (per-type rates rest on few games each; compare the All column first).'
          : ' (score = mean WebShop reward × 100; success = share of episodes with reward 1).')

  const plots: string[] = []
  const curve = ctx.plot(
    `learning-curve-${env}`,
    lineChart({
      title: `${env === 'alfworld' ? 'ALFWorld' : 'WebShop'}: training success rate (mean ± std over seeds)`,
      xLabel: 'iteration',
      yLabel: 'success rate of training rollouts (%)',
      series: variants.map((variant) => ({
        name: variant.label,
        points: seedBand(
          ctx.seeds.map((seed) => ctx.run({ env, variant, seed }).metrics),
          'episode/success_rate',
          { scale: 100 },
        ),
      })),
      clamp: [0, 100],
    }),
  )
  plots.push(image(`${env} learning curves`, curve))
  const hasVal = variants.some((variant) =>
    ctx.seeds.some((seed) =>
      ctx.run({ env, variant, seed }).metrics.some((r) => r['val/success_rate'] !== undefined),
    ),
  )
  if (hasVal) {
    const val = ctx.plot(
      `validation-curve-${env}`,
      lineChart({
        title: `${env === 'alfworld' ? 'ALFWorld' : 'WebShop'}: validation success rate (mean ± std over seeds)`,
        xLabel: 'iteration',
        yLabel: 'validation success rate (%)',
        series: variants.map((variant) => ({
          name: variant.label,
          points: seedBand(
            ctx.seeds.map((seed) => ctx.run({ env, variant, seed }).metrics),
            'val/success_rate',
            { scale: 100 },
          ),
        })),
        clamp: [0, 100],
      }),
    )
    plots.push(image(`${env} validation curves`, val))
  }
  const bars = ctx.plot(
    `final-${env}`,
    barChart({
      title: `${env === 'alfworld' ? 'ALFWorld' : 'WebShop'}: final evaluation, ours (mean ± std over seeds)`,
      yLabel: env === 'alfworld' ? 'success (%)' : 'score / success (%)',
      categories: columns.map((c) => COLUMN_TITLES[c]),
      series: variants.map((variant) => {
        const values = ctx.seeds.map((seed) => {
          const e = ctx.run({ env, variant, seed }).evaluation
          return e === undefined ? undefined : table1Values(e)
        })
        const summaries = columns.map((c) => summarizeSeeds(values.map((v) => v?.[c])))
        return {
          name: variant.label,
          values: summaries.map((s) => s?.mean),
          errors: summaries.map((s) => (s === undefined || Number.isNaN(s.std) ? undefined : s.std)),
        }
      }),
      yDomain: [0, 100],
    }),
  )
  plots.push(image(`${env} final evaluation`, bars))

  return paragraphs(
    `### ${env === 'alfworld' ? 'ALFWorld (success %' : 'WebShop (score and success %'}, ${evaluationLabel(ctx.preset, env)})`,
    table({ header, rows, align: ['left', ...columns.map(() => 'right' as const), 'left'] }),
    countLine,
    baseChange(ctx, env),
    plots.join('\n'),
  )
}

/** The columns whose change from the SFT base is shown: the headline metric(s). */
function changeColumns(env: EnvId): readonly Table1Column[] {
  return env === 'alfworld' ? ['all'] : ['webshopScore', 'webshopSuccess']
}

function changeVerdict(ci: Interval | undefined): string {
  if (ci === undefined) return 'not enough data'
  if (ci.low > 0) return '**up**'
  if (ci.high < 0) return '**down**'
  return 'no clear change (CI contains 0)'
}

/**
 * Did RL move the policy? Each method's final evaluation minus its SFT base's, on the same episodes: a paired
 * bootstrap over the evaluation episodes (evaluation variance only) and, with two or more seeds, a paired t-interval
 * over seeds.
 */
function baseChange(ctx: ReportContext, env: EnvId): string | undefined {
  const rows: string[][] = []
  for (const variant of table1Variants(ctx.preset.ppo)) {
    for (const column of changeColumns(env)) {
      const pairs = ctx.seeds.flatMap((seed) => {
        const base = ctx.baseEvaluation(env, seed)
        const final = ctx.run({ env, variant, seed }).evaluation
        return base === undefined || final === undefined ? [] : [{ base, final }]
      })
      if (pairs.length === 0) continue
      const baseValues = pairs.map((p) => table1Values(p.base)[column] ?? Number.NaN)
      const finalValues = pairs.map((p) => table1Values(p.final)[column] ?? Number.NaN)
      const deltas = pairedDifferences(finalValues, baseValues)
      const diffs = pairs.flatMap((p) => pairedEpisodeDifferences(p.final, p.base, column))
      const evalCi = bootstrapMeanInterval(diffs, {
        seed: 0,
        resamples: 10_000,
        method: `paired bootstrap over ${diffs.length} episodes`,
      })
      const seedsCi = tInterval(deltas, { method: `paired t, ${deltas.length} seeds` })
      rows.push([
        variant.label,
        COLUMN_TITLES[column],
        mean(baseValues).toFixed(1),
        mean(finalValues).toFixed(1),
        `**${signed(mean(deltas))}**`,
        evalCi === undefined ? '–' : `[${signed(evalCi.low)}, ${signed(evalCi.high)}]`,
        seedsCi === undefined
          ? ctx.seeds.length < 2
            ? 'unavailable (1 seed)'
            : '–'
          : `[${signed(seedsCi.low)}, ${signed(seedsCi.high)}]`,
        changeVerdict(seedsCi ?? evalCi) + (seedsCi === undefined ? ' (eval variance only)' : ''),
      ])
    }
  }
  if (rows.length === 0) return undefined
  return paragraphs(
    `Did RL move the SFT base? ${envName(env)}, final policy − SFT base on the same evaluation episodes ` +
      `(percentage points). Eval CI: 95% paired bootstrap over the evaluation episodes (evaluation variance ` +
      `only); seeds CI: 95% paired t over seeds (needs ≥ 2 seeds).`,
    table({
      header: [
        'Method',
        'Metric',
        'SFT base',
        'Final',
        'Change',
        'Eval CI (95%)',
        'Seeds CI (95%)',
        'Verdict',
      ],
      rows,
      align: ['left', 'left', 'right', 'right', 'right', 'left', 'left', 'left'],
    }),
  )
}
