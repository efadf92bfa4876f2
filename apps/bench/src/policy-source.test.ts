/**
 * `--policy DIR` end to end with the real components: a tiny word-tokenizer policy made with policy-tfjs's
 * `createPolicy` and saved with `save` is the base of GRPO and GiGPO on the `smoke` preset's ALFWorld (no SFT warm
 * start); the fingerprint and RESULTS.md name the directory, a resumed run with another source is refused, and a
 * missing directory is an `InvalidArgumentError` naming `--policy`. About 10 s; `GIGPO_SLOW=0` skips the run.
 */
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildWordTokenizer, createPolicy, wrapAction, type TfjsPolicy } from '@gigpo/policy-tfjs'
import { InvalidArgumentError } from '@gigpo/protocol'
import { collectDemonstrations, readMetricsFile } from '@gigpo/trainer'
import type { BenchComponents } from './components.js'
import { defineExperiment, VARIANTS } from './experiment.js'
import { REPO_ROOT, type Fingerprint } from './fingerprint.js'
import { describePolicyInfo, formatParameters } from './policy-source.js'
import { envBudget, PRESETS } from './presets.js'
import { createProgress } from './progress.js'
import { createRealComponents } from './real-components.js'
import { presetLayout } from './results.js'
import { envSuites, memoryWorkload, runBench } from './runner.js'
import type { BaseInfo, BenchPolicySource, RunSpec } from './types.js'

const SPECS: readonly RunSpec[] = [
  { env: 'alfworld', variant: VARIANTS.grpo, seed: 0 },
  { env: 'alfworld', variant: VARIANTS.gigpoNoStd, seed: 0 },
]

const twoRuns = defineExperiment({
  id: 'policy-check',
  title: 'GRPO and GiGPO from a loaded policy',
  paperRef: '–',
  summary: 'GRPO and GiGPO w/o std on ALFWorld',
  runs: () => SPECS,
  report: () => '',
})

const quiet = () => createProgress({ stream: { write: () => true }, total: 0 })

function bench(options: {
  readonly out: string
  readonly components: BenchComponents
  readonly policy?: BenchPolicySource
  readonly log?: string[]
}) {
  const progress = quiet()
  return runBench({
    preset: PRESETS.smoke,
    seeds: [0],
    envs: ['alfworld'],
    experiments: [twoRuns],
    outDir: options.out,
    components: options.components,
    ...(options.policy === undefined ? {} : { policy: options.policy }),
    progress: options.log === undefined ? progress : { ...progress, log: (line) => options.log!.push(line) },
    command: 'policy-source test',
    repoRoot: REPO_ROOT,
  })
}

describe('formatParameters / describePolicyInfo', () => {
  it('names the directory, the size, the training mode and the SFT choice', () => {
    expect(formatParameters(1_543_714_304)).toBe('1543.7M')
    expect(formatParameters(91_000)).toBe('0.09M')
    const text = describePolicyInfo({
      dir: '/models/Qwen2.5-1.5B-Instruct',
      sft: false,
      loraRank: 16,
      architecture: 'Qwen2ForCausalLM',
      hiddenSize: 1536,
      layers: 28,
      vocabSize: 151_936,
      parameters: 1_543_714_304,
    })
    expect(text).toBe(
      '/models/Qwen2.5-1.5B-Instruct (Qwen2ForCausalLM, 28 layers × 1536, vocabulary 151936, 1543.7M parameters; ' +
        'LoRA rank 16; no SFT warm start: the loaded model is the base)',
    )
  })
})

describe('memoryWorkload', () => {
  it("plans for the preset's largest training rollout and longest sequence", () => {
    // paper: 16 groups × 8; WebShop's 4096-token prompt cap + 512 response tokens.
    expect(memoryWorkload(PRESETS.paper, ['alfworld', 'webshop'])).toEqual({ batch: 128, context: 4608 })
    expect(memoryWorkload(PRESETS.paper, ['alfworld'])).toEqual({ batch: 128, context: 2560 })
    expect(memoryWorkload(PRESETS.smoke, ['alfworld'])).toEqual({ batch: 4, context: 2064 })
  })
})

describe('--policy with a missing or invalid directory', () => {
  let out: string
  let components: BenchComponents
  beforeAll(async () => {
    out = await mkdtemp(join(tmpdir(), 'gigpo-bench-policy-missing-'))
    components = await createRealComponents({ backend: 'wasm' })
  })
  afterAll(() => rm(out, { recursive: true, force: true }))

  it('is an InvalidArgumentError naming --policy and the directory, before anything is written', async () => {
    const dir = join(out, 'no-such-model')
    const error = await bench({ out, components, policy: { dir, sft: false } }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(InvalidArgumentError)
    expect((error as Error).message).toBe(
      `--policy ${dir}: ${dir} does not exist: expected a Hugging Face Qwen2 checkpoint directory (config.json, ` +
        'model.safetensors or its shards, tokenizer.json + tokenizer_config.json) or a directory written by ' +
        'TfjsPolicy.save.',
    )
    expect((error as Error).cause).toMatchObject({ name: 'CheckpointError', reason: 'not-found' })
    expect(existsSync(join(out, 'smoke'))).toBe(false)
  })

  it("lets policy-tfjs's CheckpointError through for a config.json of another architecture", async () => {
    const { mkdir, writeFile } = await import('node:fs/promises')
    const dir = join(out, 'llama')
    await mkdir(dir, { recursive: true })
    await writeFile(
      join(dir, 'config.json'),
      JSON.stringify({ model_type: 'llama', architectures: ['LlamaForCausalLM'] }),
    )
    const error = await bench({ out, components, policy: { dir, sft: false } }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(InvalidArgumentError)
    expect((error as Error).message).toMatch(new RegExp(`^--policy ${dir}: .*config\\.json: `, 'u'))
    expect((error as Error).cause).toMatchObject({
      name: 'CheckpointError',
      reason: 'unsupported-architecture',
    })
  })
})

describe.skipIf(process.env['GIGPO_SLOW'] === '0')(
  '--policy DIR on the smoke preset, real components',
  () => {
    let out: string
    let components: BenchComponents
    let dir: string
    let parameters: number
    beforeAll(async () => {
      out = await mkdtemp(join(tmpdir(), 'gigpo-bench-policy-'))
      components = await createRealComponents({ backend: 'wasm' })
      // A word vocabulary from two expert ALFWorld episodes, a tiny model: the "checkpoint" a user would bring.
      const suite = envSuites({ components, preset: PRESETS.smoke, env: 'alfworld' }).evaluation
      const demos = await collectDemonstrations({
        suite,
        episodes: 2,
        split: 'train',
        baseSeed: 5,
        maxSteps: 50,
        historyLength: 2,
        response: wrapAction,
      })
      const tokenizer = buildWordTokenizer(
        demos.examples.flatMap((e) => [e.prompt, e.response]),
        { minFrequency: 1 },
      )
      const policy: TfjsPolicy = await createPolicy({
        tokenizer,
        seed: 11,
        model: {
          hidden_size: 32,
          intermediate_size: 64,
          num_hidden_layers: 1,
          num_attention_heads: 2,
          num_key_value_heads: 1,
        },
        backend: 'wasm',
      })
      parameters = policy.parameterCount
      dir = join(out, 'my-model')
      await policy.save(dir)
      policy.dispose()
    })
    afterAll(() => rm(out, { recursive: true, force: true }))

    it(
      'trains every method from the loaded weights without SFT, names the source, refuses another one on resume',
      { timeout: 300_000 },
      async () => {
        const log: string[] = []
        const result = await bench({ out, components, policy: { dir, sft: false }, log })
        expect(result.failures).toEqual([])
        const layout = presetLayout(join(out, 'smoke'))
        // The memory plan was printed (once) before the weights were read, and the source named.
        const plans = log.filter((l) => l.startsWith('Memory plan: Qwen2 1 layers × 32'))
        expect(plans).toHaveLength(1)
        // For the smoke preset's ALFWorld rollouts: 2 groups × 2 sequences of ≤ 2048 prompt + 16 response tokens.
        expect(plans[0]).toContain('batch 4 × 2064 tokens')
        expect(log.some((l) => l.startsWith(`Base policy: ${dir} (`))).toBe(true)

        // The base is the loaded policy: no SFT (no demonstrations, no policy copy), its size recorded.
        const base = JSON.parse(await readFile(layout.base('alfworld', 0).info, 'utf8')) as BaseInfo
        expect(base.policy).toMatchObject({ dir, sft: false, parameters })
        expect(base.sft).toBeUndefined()
        expect(base.metrics).toEqual({})
        expect(base.parameters).toBe(parameters)
        expect(existsSync(layout.base('alfworld', 0).policy)).toBe(false)
        expect(existsSync(layout.base('alfworld', 0).evaluation)).toBe(true)

        const fingerprint = JSON.parse(await readFile(layout.fingerprint, 'utf8')) as Fingerprint
        expect(fingerprint.policy).toMatchObject({ dir, sft: false, layers: 1, hiddenSize: 32, parameters })
        for (const spec of result.runs) {
          const metrics = await readMetricsFile(layout.run(spec).metrics)
          expect(metrics.map((m) => m.step)).toEqual([0, 1, 2])
          expect(metrics[1]!['timing_s/update_actor']).toBeGreaterThan(0)
          const runPrint = JSON.parse(await readFile(layout.run(spec).fingerprint, 'utf8')) as Fingerprint
          expect(runPrint.policy?.dir).toBe(dir)
        }
        const md = await readFile(layout.results, 'utf8')
        expect(md).toContain('2/2 runs complete')
        expect(md).toContain(`Model: loaded with \`--policy\` from ${dir} (Qwen2ForCausalLM, 1 layers × 32`)
        expect(md).toContain(
          `${formatParameters(parameters)} parameters; full fine-tuning; no SFT warm start`,
        )
        expect(md).toContain(`no SFT: the \`--policy\` model as loaded from ${dir}`)
        expect(md).not.toContain('word vocabulary 4096')

        // Resuming the same directory with another source is refused, naming --fresh; the same source resumes.
        await expect(bench({ out, components })).rejects.toThrow(
          /was started from --policy .*my-model, not the preset's model \(no --policy\).*--fresh/u,
        )
        await expect(bench({ out, components, policy: { dir, sft: false, loraRank: 4 } })).rejects.toThrow(
          /not --policy .*my-model --lora 4/u,
        )
        const again = await bench({ out, components, policy: { dir, sft: false } })
        expect(again.failures).toEqual([])
      },
    )

    it('refuses a model whose memory plan does not fit the budget, naming --policy', async () => {
      const result = await runBench({
        preset: PRESETS.smoke,
        seeds: [0],
        envs: ['alfworld'],
        experiments: [twoRuns],
        outDir: join(out, 'too-small'),
        components,
        policy: { dir, sft: false },
        policyLoad: { memoryBudgetBytes: 1024 ** 2 },
        progress: quiet(),
        command: 'policy-source test',
        repoRoot: REPO_ROOT,
      })
      expect(result.failures.map((f) => f.id)).toEqual(['bases/alfworld/seed-0'])
      const error = result.failures[0]!.error
      expect(error).toBeInstanceOf(InvalidArgumentError)
      expect((error as Error).message).toMatch(
        new RegExp(`^--policy ${dir}: The model does not fit: .* budget is 1\\.0 MiB`, 'u'),
      )
      expect((error as Error).cause).toMatchObject({ name: 'MemoryPlanError' })
    })

    it(
      'with --sft --lora: the preset SFT trains adapters on the loaded model, every method starts from them',
      {
        timeout: 300_000,
      },
      async () => {
        const sftOut = join(out, 'sft-lora')
        const policy = { dir, sft: true, loraRank: 2 }
        const result = await bench({ out: sftOut, components, policy })
        expect(result.failures).toEqual([])
        const layout = presetLayout(join(sftOut, 'smoke'))
        const base = JSON.parse(await readFile(layout.base('alfworld', 0).info, 'utf8')) as BaseInfo
        expect(base.policy).toMatchObject(policy)
        expect(base.sft).toEqual(envBudget(PRESETS.smoke, 'alfworld').sft)
        expect(base.metrics['examples']).toBeGreaterThan(0)
        // LoRA: the SFT base is the adapters (PEFT layout) on the loaded directory's weights.
        const adapter = JSON.parse(
          await readFile(join(layout.base('alfworld', 0).policy, 'adapter_config.json'), 'utf8'),
        ) as { r: number; base_model_name_or_path: string }
        expect(adapter).toMatchObject({ r: 2, base_model_name_or_path: dir })
        for (const spec of result.runs) {
          expect((await readMetricsFile(layout.run(spec).metrics)).map((m) => m.step)).toEqual([0, 1, 2])
        }
        const md = await readFile(layout.results, 'utf8')
        expect(md).toContain("LoRA rank 2; the preset's SFT warm start on top")
      },
    )
  },
)
