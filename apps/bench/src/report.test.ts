import { XMLValidator } from 'fast-xml-parser'
import { describe, expect, it } from 'vitest'
import { EXPERIMENTS } from '../experiments/index.js'
import { VARIANTS } from './experiment.js'
import { loadPaperReferences } from './paper.js'
import { PRESETS } from './presets.js'
import { buildReport, type ReportInput } from './report.js'
import { makeEvaluation, makeRun } from './testing/fixtures.js'
import type { EnvId, RunResult, Variant } from './types.js'

const paper = loadPaperReferences()
const experiments = EXPERIMENTS.filter((e) => e.id !== 'micro-benchmarks')

/** Success rates per (variant, seed): GiGPO 60/70/80, GRPO 50/50/60, RLOO 40/40/40. */
const RATES: Record<string, number[]> = {
  'gigpo-std': [0.6, 0.7, 0.8],
  'gigpo-nostd': [0.6, 0.6, 0.6],
  grpo: [0.5, 0.5, 0.6],
  rloo: [0.4, 0.4, 0.4],
}

function fixture(seeds: readonly number[], envs: readonly EnvId[] = ['alfworld', 'webshop']): ReportInput {
  const variants: Variant[] = [VARIANTS.rloo, VARIANTS.grpo, VARIANTS.gigpoStd, VARIANTS.gigpoNoStd]
  const runs: RunResult[] = envs.flatMap((env) =>
    variants.flatMap((variant) =>
      seeds.map((seed) =>
        makeRun({
          env,
          variant,
          seed,
          successRate: RATES[variant.id]![seed]!,
          stageSeconds:
            variant.estimator === 'gigpo'
              ? {
                  gen: 10,
                  old_log_prob: 2,
                  ref: 2,
                  update_actor: 6,
                  adv: 0.03,
                  anchor_grouping: 0.001,
                  step_advantage: 0.019,
                  step: 20,
                }
              : {
                  gen: 10,
                  old_log_prob: 2,
                  ref: 2,
                  update_actor: 6,
                  adv: 0.01,
                  anchor_grouping: 0,
                  step_advantage: 0,
                  step: 20,
                },
        }),
      ),
    ),
  )
  return {
    preset: { ...PRESETS.quick, seeds, ppo: false },
    seeds,
    envs,
    experiments,
    runs,
    bases: envs.flatMap((env) =>
      seeds.map((seed) => ({
        env,
        seed,
        info: {
          format: 'gigpo-bench-base/v1' as const,
          env,
          seed,
          metrics: { examples: 120, expert_success_rate: 1 },
          seconds: 30,
          parameters: 250_000,
        },
        evaluation: makeEvaluation({ env, episodes: 60, successRate: 0.2 }),
      })),
    ),
    paper,
    repoRoot: '/nonexistent',
  }
}

describe('buildReport on a fixture of 3 seeds', () => {
  it('writes Table 1 with our mean ± std beside the paper row and its citation', async () => {
    const { markdown } = await buildReport(fixture([0, 1, 2]))
    // GiGPO w/ std, ALFWorld All: 60, 70, 80 → 70.0 ± 10.0.
    expect(markdown).toMatch(/\| \*\*GiGPO w\/ std\*\* \(ours\) \|.*\| 70\.0 ± 10\.0 \| ours, 3 seed\(s\) \|/)
    expect(markdown).toContain(
      '| GiGPO w/ std, paper | 94.4 ± 5.9 | 67.5 ± 4.6 | 94.8 ± 3.8 | 94.4 ± 7.8 | 79.8 ± 4.7 | 76.4 ± 5.4 | 86.7 ± 1.7 | Table 1 (Qwen2.5-1.5B-Instruct block), row "GiGPO w/ std" |',
    )
    expect(markdown).toContain('| **SFT base** (ours) |')
    // WebShop score: successes score 100, failures 50 → GRPO seeds 75, 75, 80.
    expect(markdown).toMatch(/\| \*\*GRPO\*\* \(ours\) \| 76\.7 ± 2\.9 \| 53\.3 ± 5\.8 \|/)
    expect(markdown).toContain('Do not edit by hand')
    expect(markdown).toContain('Absolute numbers are not comparable')
  })

  it('checks the claim with a paired t-interval over seeds', async () => {
    const { markdown } = await buildReport(fixture([0, 1, 2]))
    // Gaps 10, 20, 20: mean 16.7, s = 5.77, t(0.975, 2) = 4.303 → ± 14.3.
    const row = markdown.split('\n').find((l) => l.startsWith('| ALFWorld (All) | GiGPO w/ std |'))!
    expect(row).toContain('**+16.7**')
    expect(row).toContain('[+2.3, +31.0] (paired t, 3 seeds)')
    expect(row).toContain('**GiGPO higher**')
    expect(row).toContain('+13.9 (Table 1, 1.5B)')
    const flat = markdown.split('\n').find((l) => l.startsWith('| ALFWorld (All) | GiGPO w/o std |'))!
    expect(flat).toContain('inconclusive (CI contains 0)')
    expect(markdown).toContain('of step rows got a non-zero step advantage')
  })

  it("puts GiGPO's extra cost beside the paper's 0.54 s of 362.83 s", async () => {
    const { markdown } = await buildReport(fixture([0, 1, 2]))
    // Shared: 10 + 2 + 2 + 6 = 20 s; extra 0.001 + 0.019 = 0.02 s = 0.10%.
    expect(markdown).toContain('**20.00 s**')
    expect(markdown).toContain('**20.0 ms** (0.10%)')
    expect(markdown).toContain('**540.0 ms** (0.15%)')
    expect(markdown).toContain('< 0.002% of per-iteration time')
  })

  it('summarises the step-group sizes and writes well-formed plots', async () => {
    const { markdown, plots } = await buildReport(fixture([0, 1, 2]))
    expect(markdown).toContain('Singleton share, highest over the run: 30.0%')
    for (const name of [
      'learning-curve-alfworld',
      'final-webshop',
      'step-groups-alfworld',
      'step-group-mean-size-webshop',
    ]) {
      expect(plots.has(name)).toBe(true)
      expect(markdown).toContain(`(plots/${name}.svg)`)
    }
    for (const svg of plots.values()) expect(XMLValidator.validate(svg)).toBe(true)
  })

  it('with one seed says the seeds CI is unavailable and labels the evaluation-variance CI', async () => {
    const { markdown } = await buildReport(fixture([0], ['alfworld']))
    const row = markdown.split('\n').find((l) => l.startsWith('| ALFWorld (All) | GiGPO w/ std |'))!
    expect(row).toContain('unavailable (1 seed)')
    expect(row).toContain('paired bootstrap over 60 episodes, eval variance only')
    expect(row).toContain('(eval variance only)')
    expect(markdown).toContain('**the seeds CI is unavailable**')
    expect(markdown).not.toContain('WebShop (Succ.)')
  })

  it('says when there was no learning signal at all instead of calling it a tie', async () => {
    const input = fixture([0], ['alfworld'])
    const runs = input.runs.map((r) =>
      makeRun({
        env: r.spec.env,
        variant: r.spec.variant,
        seed: r.spec.seed,
        successRate: 0,
        trainSuccess: () => 0,
        diagnostics: { 'adv/zero_share': 1, 'adv/mixed_group_share': 0, 'adv/step_nonzero_share': 0 },
      }),
    )
    const { markdown } = await buildReport({ ...input, runs })
    expect(markdown).toContain('**ALFWorld: no learning signal at this scale.**')
    expect(markdown).toContain('no learning signal (all advantages 0; see below)')
    expect(markdown).not.toContain('**GiGPO higher**')
  })

  it('explains an inconclusive gap with the step-only credit and the training budget', async () => {
    const input = fixture([0], ['alfworld'])
    const runs = input.runs.map((r) =>
      makeRun({
        env: r.spec.env,
        variant: r.spec.variant,
        seed: r.spec.seed,
        // Every method at 50%, the base at 20%: no gap, every method up.
        successRate: 0.5,
        diagnostics: {
          'adv/zero_share': 0.4,
          'adv/mixed_group_share': 0.6,
          'adv/step_nonzero_share': 0.3,
          'adv/step_only_share': 0,
          'adv/step_abs_mean': 0.3,
          'adv/episode_abs_mean': 0.5,
        },
      }),
    )
    const { markdown } = await buildReport({ ...input, runs })
    expect(markdown).toContain(
      'In every GiGPO run, fewer than 1% of step rows got a step advantage inside an',
    )
    // The quick preset's ALFWorld budget: 4 × 4 × 8 = 128 trajectories.
    expect(markdown).toContain('128 training trajectories per method and seed on ALFWorld')
    expect(markdown).toContain('4 of 4 runs ended above their SFT base')
    expect(markdown).toContain('every interval above contains 0')
  })

  it('describes the runs with the config they recorded and the last invocation', async () => {
    const input = fixture([0], ['alfworld'])
    const { markdown } = await buildReport({
      ...input,
      envConfigs: {
        alfworld: { rollout: { groupsPerIteration: 7, groupSize: 3 }, trainer: { iterations: 11 } },
      },
      invocation: {
        format: 'gigpo-bench-invocation/v1',
        started: '2026-01-02T03:04:05.000Z',
        finished: '2026-01-02T03:14:05.000Z',
        wallSeconds: 600,
        jobs: 2,
        runsToDo: 8,
      },
    })
    expect(markdown).toContain('| ALFWorld | groups × N per iteration | 7 × 3 | 16 × 8 |')
    expect(markdown).toContain('| ALFWorld | training iterations | 11 | 150 |')
    // No actor section recorded: the trainer's defaults (the paper's) are shown.
    expect(markdown).toContain('| ALFWorld | actor lr / mini-batch (step rows) | 1e-6 / 256 | 1e-6 / 256 |')
    expect(markdown).toContain('took **10m00s** wall time')
    expect(markdown).toContain('with 7 groups × 3 for 11 iterations on ALFWorld')
  })

  it('shows how far RL moved each method from the SFT base, with a paired interval', async () => {
    const { markdown } = await buildReport(fixture([0, 1, 2]))
    // Base 20% on every seed; GiGPO w/ std 60/70/80 → changes 40, 50, 60: mean 50, s = 10, ± 24.8.
    const row = markdown.split('\n').find((l) => l.startsWith('| GiGPO w/ std | All |'))!
    expect(row).toContain('| 20.0 | 70.0 | **+50.0** |')
    expect(row).toContain('[+25.2, +74.8]')
    expect(row).toContain('**up**')
    expect(markdown).toContain('Did RL move the SFT base? WebShop')
    expect(markdown.split('\n').filter((l) => l.startsWith('| RLOO | Succ. |'))).toHaveLength(1)
  })

  it('with one seed bases the change from the SFT base on the evaluation episodes only', async () => {
    const { markdown } = await buildReport(fixture([0], ['alfworld']))
    const row = markdown.split('\n').find((l) => l.startsWith('| GRPO | All |'))!
    expect(row).toContain('| 20.0 | 50.0 | **+30.0** |')
    expect(row).toContain('unavailable (1 seed)')
    expect(row).toContain('**up** (eval variance only)')
  })

  it("names the quick preset's task subsets and the SFT base's early stop", async () => {
    const input = fixture([0], ['alfworld'])
    const bases = input.bases.map((b) => ({
      ...b,
      info: {
        ...b.info!,
        metrics: {
          ...b.info!.metrics,
          epochs_run: 10,
          probe_success_after_8_epochs: 0,
          probe_success_after_10_epochs: 0.25,
        },
        sft: PRESETS.quick.alfworld.sft,
      },
    }))
    const { markdown } = await buildReport({ ...input, bases })
    expect(markdown).toContain('**Trained and evaluated on the same few tasks**: ALFWorld 12 train games')
    expect(markdown).toContain('### ALFWorld (success %, 12 train games)')
    expect(markdown).toContain(
      '| ALFWorld | tasks (training / evaluation) | the same 12 train games: the first two games',
    )
    expect(markdown).toContain(
      `10 of ≤ ${PRESETS.quick.alfworld.sft.epochs} epoch(s), lr ${PRESETS.quick.alfworld.sft.lr}; early stop once ` +
        `${PRESETS.quick.alfworld.sft.stopAt!.episodes} probe episodes succeed ≥ 20% (reached after 10 epochs: 25%)`,
    )
    expect(markdown).not.toContain('valid_seen episodes')
  })

  it('reports missing runs as such instead of failing', async () => {
    const input = fixture([0, 1, 2])
    const { markdown } = await buildReport({
      ...input,
      runs: input.runs.filter((r) => r.spec.variant.id !== 'rloo'),
    })
    expect(markdown).toMatch(/\| \*\*RLOO\*\* \(ours\) \| – \|.*ours, 0\/3 seeds done \|/)
    expect(markdown).toContain('18/18 runs complete')
  })
})
