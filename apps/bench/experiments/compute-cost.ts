/**
 * The compute-cost table (paper §5.6, Fig. 6): seconds per training iteration of each stage, and what GiGPO adds
 * on top of GRPO (anchor-state grouping and the step advantage), absolute and relative to the stages shared with
 * GRPO. It trains nothing of its own: it reads the timers of Table 1's GiGPO and GRPO runs.
 */
import { defineExperiment, VARIANTS } from '../src/experiment.js'
import { paragraphs, table } from '../src/markdown.js'
import { formatPercent, formatSeconds, meanStageSeconds, trainingRecords } from '../src/summaries.js'
import { mean } from '../src/stats.js'
import type { EnvId, ReportContext, RunSpec, Variant } from '../src/types.js'

/** Stages shared with GRPO, as the paper's figure lists them. */
const SHARED_STAGES = ['gen', 'old_log_prob', 'ref', 'update_actor'] as const
/** GiGPO's own stages. */
const EXTRA_STAGES = ['anchor_grouping', 'step_advantage'] as const

const STAGE_LABELS: Readonly<Record<string, string>> = {
  gen: 'Multi-turn rollout (generation + environment)',
  reward: 'Step rows (batch assembly)',
  old_log_prob: 'Old-policy log-probs',
  ref: 'Reference-policy log-probs',
  adv: 'Advantage stage (all of it)',
  anchor_grouping: 'GiGPO anchor-state grouping',
  step_advantage: 'GiGPO step advantage (estimator call)',
  update_actor: 'Actor update',
  testing: 'Validation (iterations that validate)',
  save_checkpoint: 'Checkpoint',
  step: 'Whole iteration',
}

export const computeCost = defineExperiment({
  id: 'compute-cost',
  title: 'Compute cost per iteration (paper §5.6, Fig. 6)',
  paperRef: '§5.6, Fig. 6',
  summary: "seconds per iteration per stage; GiGPO's extra cost vs the paper's 0.01 s + 0.53 s of 362.83 s",

  runs: ({ envs, seeds }) =>
    envs.flatMap((env) =>
      [VARIANTS.gigpoStd, VARIANTS.grpo].flatMap((variant) =>
        seeds.map((seed): RunSpec => ({ env, variant, seed })),
      ),
    ),

  report(ctx) {
    const paper = ctx.paper.computeCost
    const paperShared = paper.sharedTotal.seconds
    const paperExtra = paper.extra.reduce((s, x) => s + x.seconds, 0)
    return paragraphs(
      `Mean seconds per training iteration over every training iteration of every seed (iteration 0, the SFT ` +
        `base's setup, excluded). GiGPO = GiGPO w/ std runs, GRPO = GRPO runs, same budget and hardware. ` +
        `The paper's column is ALFWorld with Qwen2.5-1.5B on 2 GPUs (${paper.cite}). The paper's "extra cost" ` +
        `is anchor grouping + step advantage; ours is the same two timers (the step-advantage timer wraps the ` +
        `whole estimator call, including the episode-level part GRPO also computes, so it is an upper bound). ` +
        `The runs of one environment ran one after another on the same machine: on a shared machine their ` +
        `shared-stage times differ with the load at the time, not with the algorithm (compare the step rows); ` +
        `GiGPO's extra is therefore related to its own run's shared stages.`,
      ...ctx.envs.map((env) => envTable(ctx, env)),
      `Paper: extra ${formatSeconds(paperExtra)} of ${formatSeconds(paperShared)} shared = ` +
        `${formatPercent(paperExtra / paperShared)} (the paper's text says "${paper.claimedRelative.text}"; ` +
        `the numbers give ${formatPercent(paperExtra / paperShared)}). ${paper.note}`,
    )
  },
})

function stageMeans(ctx: ReportContext, env: EnvId, variant: Variant): Record<string, number> | undefined {
  const perSeed = ctx.seeds
    .map((seed) => ctx.run({ env, variant, seed }))
    .filter((r) => r.metrics.some((m) => m.step > 0))
    .map((r) => meanStageSeconds(r.metrics))
  if (perSeed.length === 0) return undefined
  const keys = new Set(perSeed.flatMap((s) => Object.keys(s)))
  return Object.fromEntries(
    [...keys].map((k) => [k, mean(perSeed.map((s) => s[k]).filter((v): v is number => v !== undefined))]),
  )
}

function envTable(ctx: ReportContext, env: EnvId): string {
  const gigpo = stageMeans(ctx, env, VARIANTS.gigpoStd)
  const grpo = stageMeans(ctx, env, VARIANTS.grpo)
  const name = env === 'alfworld' ? 'ALFWorld' : 'WebShop'
  if (gigpo === undefined) return `### ${name}\n\nNo GiGPO training iterations logged yet.`
  const paperStage = (stage: string) =>
    env === 'alfworld'
      ? [...ctx.paper.computeCost.stages, ...ctx.paper.computeCost.extra].find((s) => s.stage === stage)
          ?.seconds
      : undefined
  const stages = [
    'gen',
    'reward',
    'old_log_prob',
    'ref',
    'adv',
    'anchor_grouping',
    'step_advantage',
    'update_actor',
  ]
  const rows = stages
    .filter((s) => gigpo[s] !== undefined || grpo?.[s] !== undefined)
    .map((s) => [
      STAGE_LABELS[s] ?? s,
      `\`${s}\``,
      formatSeconds(gigpo[s]),
      formatSeconds(grpo?.[s]),
      formatSeconds(paperStage(s)),
    ])
  const stepRows = (variant: Variant) => {
    const values = ctx.seeds.flatMap((seed) =>
      trainingRecords(ctx.run({ env, variant, seed }).metrics)
        .map((r) => r['rollout/env_steps'])
        .filter((v): v is number => v !== undefined),
    )
    return values.length === 0 ? '–' : mean(values).toFixed(0)
  }
  rows.unshift([
    'Step rows per iteration (training samples)',
    '',
    stepRows(VARIANTS.gigpoStd),
    stepRows(VARIANTS.grpo),
    '–',
  ])
  const shared = SHARED_STAGES.reduce((sum, s) => sum + (gigpo[s] ?? 0), 0)
  const extra = EXTRA_STAGES.reduce((sum, s) => sum + (gigpo[s] ?? 0), 0)
  const paperShared = ctx.paper.computeCost.sharedTotal.seconds
  const paperExtra = ctx.paper.computeCost.extra.reduce((sum, x) => sum + x.seconds, 0)
  rows.push(
    [
      '**Shared with GRPO** (rollout + old + ref + update)',
      '',
      `**${formatSeconds(shared)}**`,
      formatSeconds(
        grpo === undefined ? undefined : SHARED_STAGES.reduce((sum, s) => sum + (grpo[s] ?? 0), 0),
      ),
      env === 'alfworld' ? `**${formatSeconds(paperShared)}**` : '–',
    ],
    [
      "**GiGPO's extra** (grouping + step advantage)",
      '',
      `**${formatSeconds(extra)}** (${formatPercent(extra / shared)})`,
      '–',
      env === 'alfworld'
        ? `**${formatSeconds(paperExtra)}** (${formatPercent(paperExtra / paperShared)})`
        : '–',
    ],
    [
      'Whole iteration (incl. validation/checkpoint when they ran)',
      '`step`',
      formatSeconds(gigpo.step),
      formatSeconds(grpo?.step),
      '–',
    ],
  )
  const advDelta = grpo?.adv === undefined || gigpo.adv === undefined ? undefined : gigpo.adv - grpo.adv
  return paragraphs(
    `### ${name}`,
    table({
      header: ['Stage', 'timer', 'GiGPO (ours)', 'GRPO (ours)', 'Paper (GiGPO, ALFWorld 1.5B)'],
      rows,
      align: ['left', 'left', 'right', 'right', 'right'],
    }),
    advDelta === undefined
      ? undefined
      : `Side by side: GiGPO's whole advantage stage takes ${formatSeconds(gigpo.adv)} per iteration against ` +
          `GRPO's ${formatSeconds(grpo?.adv)} (difference ${formatSeconds(Math.abs(advDelta))}${advDelta < 0 ? ', GRPO slower: timer noise' : ''}), ` +
          `${formatPercent(Math.max(0, advDelta) / shared)} of the shared stages. (The trainer groups anchors for ` +
          `every method, to log step-group statistics, so GRPO's stage includes the grouping too and this ` +
          `difference is essentially the step-advantage part.)`,
  )
}
