/**
 * `--rollouts threads` end to end with the real components on the `smoke` preset: one GRPO run on ALFWorld whose
 * training rollouts run in two worker threads (the bench's rollout runtime: the same suite and policy loader),
 * against the same run with in-process rollouts from the same SFT base. Every request carries its own seed, so the
 * trajectories, and hence the training metrics, must be the same; the progress line must show the threads' status.
 * About 15 s; `GIGPO_SLOW=0` skips it.
 */
import { cp, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { readMetricsFile } from '@gigpo/trainer'
import { defineExperiment, VARIANTS } from './experiment.js'
import { REPO_ROOT } from './fingerprint.js'
import { PRESETS } from './presets.js'
import type { Progress } from './progress.js'
import { createRealComponents } from './real-components.js'
import { runBench } from './runner.js'
import type { BenchRollouts, RunSpec } from './types.js'

const SPEC: RunSpec = { env: 'alfworld', variant: VARIANTS.grpo, seed: 0 }

const oneRun = defineExperiment({
  id: 'threads-check',
  title: 'One GRPO run',
  paperRef: '–',
  summary: 'one GRPO run on ALFWorld',
  runs: () => [SPEC],
  report: () => '',
})

function recordingProgress(statuses: string[], logs: string[] = []): Progress {
  let done = 0
  return {
    get done() {
      return done
    },
    setTotal: () => undefined,
    advance: (n) => {
      done += n
    },
    status: (text) => statuses.push(text),
    log: (line) => logs.push(line),
    finish: () => undefined,
  }
}

/** Metrics that depend only on the trajectories (not on timing or memory). */
const TRAJECTORY_KEYS = [
  'episode/success_rate',
  'episode/length/mean',
  'episode/reward/mean',
  'rollout/env_steps',
  'rollout/response_tokens',
  'prompt_length/mean',
  'step_group/count',
] as const

describe.skipIf(process.env['GIGPO_SLOW'] === '0')('training rollouts in worker threads', () => {
  it(
    'trains the same as in-process and shows the threads on the progress line',
    { timeout: 300_000 },
    async () => {
      const root = await mkdtemp(join(tmpdir(), 'gigpo-bench-threads-'))
      try {
        const components = await createRealComponents({ backend: 'wasm' })
        const run = async (
          name: string,
          rollouts: BenchRollouts | undefined,
          statuses: string[],
          logs: string[] = [],
        ) =>
          runBench({
            preset: PRESETS.smoke,
            seeds: [0],
            envs: ['alfworld'],
            experiments: [oneRun],
            outDir: join(root, name),
            components,
            ...(rollouts === undefined ? {} : { rollouts }),
            progress: recordingProgress(statuses, logs),
            command: 'threads test',
            repoRoot: REPO_ROOT,
          })
        const local = await run('local', undefined, [])
        expect(local.failures).toEqual([])
        // The same SFT base for both runs.
        await cp(join(root, 'local', 'smoke', 'bases'), join(root, 'threads', 'smoke', 'bases'), {
          recursive: true,
        })
        const statuses: string[] = []
        const logs: string[] = []
        const threaded = await run('threads', { backend: 'threads', threads: 2 }, statuses, logs)
        expect(threaded.failures).toEqual([])

        const a = await readMetricsFile(local.layout.run(SPEC).metrics)
        const b = await readMetricsFile(threaded.layout.run(SPEC).metrics)
        expect(b.map((m) => m.step)).toEqual([0, 1, 2])
        for (const step of [1, 2]) {
          for (const key of TRAJECTORY_KEYS) {
            expect({ step, key, value: b[step]![key] }).toEqual({ step, key, value: a[step]![key] })
          }
          expect(b[step]!['actor/pg_loss']).toBeCloseTo(a[step]!['actor/pg_loss']!, 5)
        }
        expect(
          statuses.some((s) => /iter \d\/2 · threads 2 up · jobs w\d+ a\d+ d\d+\/\d+ f0 · /.test(s)),
        ).toBe(true)
        expect(logs.some((l) => /^alfworld\/grpo\/seed-0: training rollouts on .*2.*thread/.test(l))).toBe(
          true,
        )
      } finally {
        await rm(root, { recursive: true, force: true })
      }
    },
  )
})
