import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { computeActorLoss } from '@gigpo/core-advantage'
import { projectAction } from '@gigpo/protocol'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ACTIONS, alfworldPrompt, tinyPolicy } from '../test/helpers.js'
import { wrapAction } from './constraint.js'
import { loadPolicy, type PolicySample, type TfjsActResult, type TfjsPolicy } from './policy.js'
import { tf } from './tf.js'

const PROMPT = alfworldPrompt()
const SHORT = alfworldPrompt('You arrive at drawer 1. The drawer 1 is closed.', [
  'open drawer 1',
  'go to fridge 1',
])

const asSample = (r: TfjsActResult): PolicySample => ({
  promptTokens: r.promptTokens,
  responseTokens: r.responseTokens,
  ...(r.constraint === undefined ? {} : { constraint: r.constraint }),
})

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length)
  let m = 0
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!))
  return m
}

describe('TfjsPolicy', () => {
  let policy: TfjsPolicy

  beforeAll(async () => {
    policy = await tinyPolicy()
  })
  afterAll(() => policy.dispose())

  describe('act', () => {
    it('generates free text whose cached log-probs equal teacher-forced scores and uncached decoding', async () => {
      const requests = [{ prompt: PROMPT }, { prompt: SHORT }, { prompt: 'look' }]
      const cached = await policy.act(requests, { seed: 5, maxNewTokens: 10 })
      const uncached = await policy.act(requests, { seed: 5, maxNewTokens: 10, useKvCache: false })
      const scores = await policy.score(cached.map(asSample))
      cached.forEach((r, i) => {
        expect(r.responseTokens.length).toBeGreaterThan(0)
        expect(r.responseTokens.length).toBeLessThanOrEqual(10)
        expect(Array.from(uncached[i]!.responseTokens)).toEqual(Array.from(r.responseTokens))
        expect(maxAbsDiff(uncached[i]!.logProbs, r.logProbs)).toBeLessThan(1e-5)
        expect(maxAbsDiff(scores[i]!.logProbs, r.logProbs)).toBeLessThan(1e-5)
        expect(r.response).toBe(policy.tokenizer.decode(r.responseTokens))
        expect(Array.from(r.promptTokens)).toEqual(Array.from(policy.encodePrompt(requests[i]!.prompt)))
      })
    })

    it('reproduces results from the same seed and changes them with another', async () => {
      const requests = [{ prompt: PROMPT }, { prompt: SHORT }]
      const a = await policy.act(requests, { seed: 11, maxNewTokens: 8 })
      const b = await policy.act(requests, { seed: 11, maxNewTokens: 8 })
      const c = await policy.act(requests, { seed: 12, maxNewTokens: 8 })
      expect(a.map((r) => Array.from(r.responseTokens))).toEqual(b.map((r) => Array.from(r.responseTokens)))
      expect(a.map((r) => Array.from(r.logProbs))).toEqual(b.map((r) => Array.from(r.logProbs)))
      expect(a.map((r) => r.response)).not.toEqual(c.map((r) => r.response))
    })

    it("keeps a request's result when its batch neighbours change (per-request random streams)", async () => {
      const a = await policy.act([{ prompt: PROMPT }, { prompt: SHORT }], { seed: 3, maxNewTokens: 6 })
      const b = await policy.act([{ prompt: PROMPT }, { prompt: 'look around' }], {
        seed: 3,
        maxNewTokens: 6,
      })
      expect(Array.from(b[0]!.responseTokens)).toEqual(Array.from(a[0]!.responseTokens))
      expect(maxAbsDiff(b[0]!.logProbs, a[0]!.logProbs)).toBeLessThan(1e-5)
    })

    it("draws a request with its own seed from that seed alone (position, batch and call seed don't matter)", async () => {
      const own = { prompt: PROMPT, seed: 41 }
      const alone = await policy.act([own], { seed: 1, maxNewTokens: 6 })
      const moved = await policy.act([{ prompt: SHORT }, { prompt: 'look around' }, own], {
        seed: 2,
        maxNewTokens: 6,
      })
      expect(Array.from(moved[2]!.responseTokens)).toEqual(Array.from(alone[0]!.responseTokens))
      expect(maxAbsDiff(moved[2]!.logProbs, alone[0]!.logProbs)).toBeLessThan(1e-5)
      const constrained = { prompt: PROMPT, admissibleActions: ACTIONS, seed: 8 }
      const c1 = await policy.act([constrained], { seed: 1, mode: 'constrained' })
      const c2 = await policy.act([{ ...constrained, seed: 9 }, constrained], {
        seed: 5,
        mode: 'constrained',
      })
      expect(c2[1]!.response).toBe(c1[0]!.response)
      // Requests without a seed keep the call's per-position streams.
      const other = await policy.act([own, { prompt: PROMPT }], { seed: 3, maxNewTokens: 6 })
      const plain = await policy.act([{ prompt: SHORT }, { prompt: PROMPT }], { seed: 3, maxNewTokens: 6 })
      expect(Array.from(other[1]!.responseTokens)).toEqual(Array.from(plain[1]!.responseTokens))
      await expect(policy.act([{ prompt: PROMPT, seed: 0.5 }], { seed: 1 })).rejects.toThrow(
        /requests\[0\]\.seed/u,
      )
    })

    it('constrained decoding only emits admissible actions, with renormalised log-probs', async () => {
      const admissible = ACTIONS
      const requests = Array.from({ length: 6 }, () => ({ prompt: PROMPT, admissibleActions: admissible }))
      const seen = new Set<string>()
      for (const seed of [1, 2, 3]) {
        const results = await policy.act(requests, { seed, mode: 'constrained' })
        const scores = await policy.score(results.map(asSample))
        results.forEach((r, i) => {
          const { action, valid } = projectAction(r.response, { fallbackChars: 30 })
          expect(valid).toBe(true)
          expect(admissible).toContain(action)
          expect(r.response).toBe(wrapAction(action))
          expect(r.responseTokens.at(-1)).toBe(policy.tokenizer.eosId)
          expect(r.constraint?.admissibleActions).toEqual(admissible)
          seen.add(action)
          expect(maxAbsDiff(scores[i]!.logProbs, r.logProbs)).toBeLessThan(1e-5)
          // Forced positions (prefix, suffix, EOS) have probability 1.
          expect(r.logProbs.slice(0, 3).every((x) => x === 0)).toBe(true)
          expect(r.logProbs.at(-1)).toBe(0)
        })
      }
      expect(seen.size).toBeGreaterThan(2)
    })

    it('the constrained probabilities of the admissible actions sum to one', async () => {
      const admissible = ['open drawer 1', 'go to fridge 1', 'look']
      const probs = new Map<string, number>()
      for (let seed = 0; seed < 40 && probs.size < admissible.length; seed++) {
        const [r] = await policy.act([{ prompt: SHORT, admissibleActions: admissible }], {
          seed,
          mode: 'constrained',
        })
        const lp = r!.logProbs.reduce((s, x) => s + x, 0)
        probs.set(projectAction(r!.response, { fallbackChars: 30 }).action, Math.exp(lp))
      }
      expect(probs.size).toBe(admissible.length)
      expect([...probs.values()].reduce((s, p) => s + p, 0)).toBeCloseTo(1, 5)
    })

    it('fills WebShop search queries with words of the task', async () => {
      const prompt =
        "\nYou are an expert autonomous agent operating in the WebShop e‑commerce environment.\nYour task is to: i need a long clip-in hair extension which is natural looking, and price lower than 40.00 dollars.\nYour current observation is: 'Search'.\n"
      const [r] = await policy.act(
        [{ prompt, admissibleActions: ['search[<your query>]', 'click[search]'] }],
        {
          seed: 2,
          mode: 'constrained',
        },
      )
      const { action } = projectAction(r!.response, { fallbackChars: 20 })
      expect(action).toMatch(/^(click\[search\]|search\[.+\])$/u)
      const task =
        'i need a long clip-in hair extension which is natural looking, and price lower than 40.00 dollars'
      for (const w of /^search\[(.+)\]$/u.exec(action)?.[1]?.split(' ') ?? []) expect(task).toContain(w)
      const [s] = await policy.score([asSample(r!)])
      expect(maxAbsDiff(s!.logProbs, r!.logProbs)).toBeLessThan(1e-5)
    })

    it('applies temperature, top-k and greedy decoding', async () => {
      const greedy1 = await policy.act([{ prompt: PROMPT }], { seed: 1, temperature: 0, maxNewTokens: 5 })
      const greedy2 = await policy.act([{ prompt: PROMPT }], { seed: 99, temperature: 0, maxNewTokens: 5 })
      expect(Array.from(greedy1[0]!.responseTokens)).toEqual(Array.from(greedy2[0]!.responseTokens))
      const top1 = await policy.act([{ prompt: PROMPT }], { seed: 4, topK: 1, maxNewTokens: 5 })
      expect(Array.from(top1[0]!.responseTokens)).toEqual(Array.from(greedy1[0]!.responseTokens))
      expect(top1[0]!.logProbs.every((x) => x === 0)).toBe(true)
    })

    it('rejects bad requests with errors that name the field', async () => {
      await expect(policy.act([{ prompt: PROMPT }], { seed: 1, mode: 'constrained' })).rejects.toThrow(
        /admissibleActions/u,
      )
      await expect(policy.act([{ prompt: PROMPT }], { seed: 1.5 })).rejects.toThrow(/seed/u)
      await expect(policy.act([{ prompt: PROMPT }], { seed: 1, topP: 2 })).rejects.toThrow(/topP/u)
      await expect(policy.act([{ prompt: PROMPT.repeat(8) }], { seed: 1 })).rejects.toThrow(/positions/u)
    })
  })

  describe('training', () => {
    it('SFT makes the model reproduce a demonstration', async () => {
      const student = await tinyPolicy({ seed: 21 })
      try {
        const demo = wrapAction('open drawer 1')
        const result = await student.sft([{ prompt: SHORT, response: demo }], {
          seed: 0,
          epochs: 30,
          lr: 1e-2,
        })
        expect(result.losses.at(-1)!).toBeLessThan(result.losses[0]! / 10)
        const [r] = await student.act([{ prompt: SHORT }], { seed: 0, temperature: 0, maxNewTokens: 16 })
        expect(r!.response).toBe(demo)
        expect(r!.responseTokens.at(-1)).toBe(student.tokenizer.eosId)
      } finally {
        student.dispose()
      }
    })

    it('PPO updates with positive advantage raise the response log-prob; negative lower it', async () => {
      for (const sign of [1, -1]) {
        const learner = await tinyPolicy({ seed: 31, optimizer: { lr: 3e-3 } })
        try {
          const reference = learner.snapshot()
          const [r] = await learner.act([{ prompt: PROMPT, admissibleActions: ACTIONS }], {
            seed: 8,
            mode: 'constrained',
          })
          const sample = asSample(r!)
          const total = async (p: TfjsPolicy) =>
            (await p.score([sample]))[0]!.logProbs.reduce((s, x) => s + x, 0)
          const before = await total(learner)
          for (let step = 0; step < 3; step++) {
            const [old] = await learner.score([sample])
            const [ref] = await reference.score([sample])
            const { skipped } = await learner.update(
              [{ ...sample, advantage: sign, oldLogProbs: old!.logProbs, refLogProbs: ref!.logProbs }],
              { microBatchSize: 1 },
            )
            expect(skipped).toBe(false)
          }
          const after = await total(learner)
          if (sign > 0) expect(after).toBeGreaterThan(before + 0.05)
          else expect(after).toBeLessThan(before - 0.05)
          // The frozen reference did not move.
          expect(await total(reference)).toBeCloseTo(before, 6)
          reference.dispose()
        } finally {
          learner.dispose()
        }
      }
    })

    it('reports the reference metrics, equal to @gigpo/core-advantage on the same numbers', async () => {
      const learner = await tinyPolicy({ seed: 41, optimizer: { lr: 1e-3 } })
      try {
        const results = await learner.act(
          [{ prompt: PROMPT }, { prompt: SHORT }, { prompt: PROMPT, admissibleActions: ACTIONS }],
          { seed: 6, maxNewTokens: 6 },
        )
        const samples = results.map(asSample)
        const old = await learner.score(samples)
        // Perturb the behaviour log-probs so that clipping and KL are active.
        const rows = samples.map((s, i) => ({
          ...s,
          advantage: [0.7, -1.2, 0.3][i]!,
          oldLogProbs: old[i]!.logProbs.map((x, t) => x + (t % 2 === 0 ? 0.3 : -0.25)),
          refLogProbs: old[i]!.logProbs.map((x, t) => x - 0.1 * (t % 3)),
        }))
        const { metrics } = await learner.update(rows, {
          microBatchSize: 2,
          klCoef: 0.05,
          entropyCoeff: 0.01,
        })
        const micro = [rows.slice(0, 2), rows.slice(2)]
        const expected = micro.map((m) => {
          const scored = old.slice(rows.indexOf(m[0]!), rows.indexOf(m[0]!) + m.length)
          return computeActorLoss({
            oldLogProb: m.map((r) => r.oldLogProbs),
            logProb: scored.map((s) => s.logProbs),
            refLogProb: m.map((r) => r.refLogProbs),
            entropy: scored.map((s) => s.entropy),
            advantages: m.map((r) => new Array<number>(r.responseTokens.length).fill(r.advantage)),
            mask: m.map((r) => new Array<number>(r.responseTokens.length).fill(1)),
            klCoef: 0.05,
            entropyCoeff: 0.01,
          })
        })
        const mean = (f: (x: (typeof expected)[number]) => number) => (f(expected[0]!) + f(expected[1]!)) / 2
        expect(metrics['actor/pg_loss']).toBeCloseTo(
          mean((e) => e.pgLoss),
          4,
        )
        expect(metrics['actor/pg_clipfrac']).toBeCloseTo(
          mean((e) => e.pgClipfrac),
          6,
        )
        expect(metrics['actor/ppo_kl']).toBeCloseTo(
          mean((e) => e.ppoKl),
          4,
        )
        expect(metrics['actor/kl_loss']).toBeCloseTo(
          mean((e) => e.klLoss),
          4,
        )
        expect(metrics['actor/entropy_loss']).toBeCloseTo(
          mean((e) => e.entropyLoss),
          4,
        )
        // The tensor loss that was differentiated equals the float64 loss, divided by the accumulation count.
        expect(metrics['actor/loss']).toBeCloseTo((expected[0]!.loss + expected[1]!.loss) / 2, 4)
        expect(metrics['actor/grad_norm']).toBeGreaterThan(0)
        expect(metrics['actor/pg_clipfrac']).toBeGreaterThan(0)
      } finally {
        learner.dispose()
      }
    })

    it('uses per-token advantages when given (PPO with GAE) and reports its memory', async () => {
      const learner = await tinyPolicy({ seed: 45, optimizer: { lr: 1e-3 } })
      try {
        expect(learner.memoryBytes()).toBe(4 * learner.parameterCount)
        const [r] = await learner.act([{ prompt: SHORT }], { seed: 3, maxNewTokens: 5 })
        const sample = asSample(r!)
        const [old] = await learner.score([sample])
        const advantages = Float32Array.from(sample.responseTokens, (_, t) => (t % 2 === 0 ? 1 : -2))
        const oldLogProbs = old!.logProbs.map((x, t) => x + (t % 2 === 0 ? 0.4 : -0.4))
        const { metrics } = await learner.update([{ ...sample, advantage: 0, advantages, oldLogProbs }], {
          klCoef: 0,
        })
        const want = computeActorLoss({
          oldLogProb: [oldLogProbs],
          logProb: [old!.logProbs],
          advantages: [advantages],
          mask: [new Array<number>(advantages.length).fill(1)],
          entropy: [old!.entropy],
          klCoef: 0,
        })
        expect(metrics['actor/pg_loss']).toBeCloseTo(want.pgLoss, 4)
        expect(learner.memoryBytes()).toBe(3 * 4 * learner.parameterCount)
      } finally {
        learner.dispose()
      }
    })

    it('skips the step when the gradient norm is not finite', async () => {
      const learner = await tinyPolicy({ seed: 51 })
      try {
        const [r] = await learner.act([{ prompt: SHORT }], { seed: 1, maxNewTokens: 4 })
        const sample = asSample(r!)
        const [old] = await learner.score([sample])
        const { skipped, metrics } = await learner.update(
          [{ ...sample, advantage: 3e38, oldLogProbs: old!.logProbs }],
          { klCoef: 0, lr: 1 },
        )
        expect(skipped).toBe(true)
        expect(Number.isFinite(metrics['actor/grad_norm'])).toBe(false)
        const [after] = await learner.score([sample])
        expect(Array.from(after!.logProbs)).toEqual(Array.from(old!.logProbs))
        expect(learner.optimizerSteps).toBe(0)
      } finally {
        learner.dispose()
      }
    })

    it('validates update rows', async () => {
      const sample = { promptTokens: Int32Array.of(5, 6), responseTokens: Int32Array.of(7, 1) }
      await expect(policy.update([{ ...sample, advantage: 1, oldLogProbs: [0] }])).rejects.toThrow(
        /oldLogProbs/u,
      )
      await expect(policy.update([{ ...sample, advantage: 1, oldLogProbs: [0, 0] }])).rejects.toThrow(
        /refLogProbs/u,
      )
      await expect(
        policy.update([{ ...sample, advantage: Number.NaN, oldLogProbs: [0, 0] }]),
      ).rejects.toThrow(/advantage/u)
      const frozen = policy.snapshot()
      await expect(
        frozen.update([{ ...sample, advantage: 1, oldLogProbs: [0, 0], refLogProbs: [0, 0] }]),
      ).rejects.toThrow(/frozen/u)
      frozen.dispose()
    })
  })

  describe('checkpoints', () => {
    it('save → load restores bit-identical outputs and resumes training bit-exactly', async () => {
      const learner = await tinyPolicy({ seed: 61, optimizer: { lr: 2e-3 } })
      const [r] = await learner.act([{ prompt: SHORT, admissibleActions: ['open drawer 1', 'look'] }], {
        seed: 1,
        mode: 'constrained',
      })
      const sample = asSample(r!)
      const step = async (p: TfjsPolicy) => {
        const [old] = await p.score([sample])
        await p.update([{ ...sample, advantage: 1, oldLogProbs: old!.logProbs, refLogProbs: old!.logProbs }])
      }
      await step(learner)
      const dir = join(mkdtempSync(join(tmpdir(), 'gigpo-policy-')), 'ckpt')
      await learner.save(dir)
      await learner.save(dir) // overwriting an existing checkpoint is atomic too
      const loaded = await loadPolicy(dir)
      try {
        expect(loaded.config).toEqual(learner.config)
        expect(loaded.optimizerSteps).toBe(1)
        const [a] = await learner.score([sample])
        const [b] = await loaded.score([sample])
        expect(Array.from(b!.logProbs)).toEqual(Array.from(a!.logProbs))
        const actA = await learner.act([{ prompt: PROMPT }], { seed: 9, maxNewTokens: 6 })
        const actB = await loaded.act([{ prompt: PROMPT }], { seed: 9, maxNewTokens: 6 })
        expect(Array.from(actB[0]!.logProbs)).toEqual(Array.from(actA[0]!.logProbs))
        await step(learner)
        await step(loaded)
        const [c] = await learner.score([sample])
        const [d] = await loaded.score([sample])
        expect(Array.from(d!.logProbs)).toEqual(Array.from(c!.logProbs))
      } finally {
        loaded.dispose()
        learner.dispose()
      }
    })
  })

  describe('memory', () => {
    it('leaves tf.memory().numTensors unchanged across repeated public calls', async () => {
      const learner = await tinyPolicy({ seed: 71, optimizer: { lr: 1e-3 } })
      const dir = join(mkdtempSync(join(tmpdir(), 'gigpo-leak-')), 'ckpt')
      const round = async () => {
        const results = await learner.act(
          [{ prompt: PROMPT }, { prompt: SHORT, admissibleActions: ['open drawer 1', 'look'] }],
          { seed: 2, maxNewTokens: 5 },
        )
        await learner.act([{ prompt: SHORT }], { seed: 2, maxNewTokens: 3, useKvCache: false })
        const constrained = await learner.act([{ prompt: SHORT, admissibleActions: ACTIONS }], {
          seed: 3,
          mode: 'constrained',
        })
        const samples = [...results, ...constrained].map(asSample)
        const old = await learner.score(samples, { microBatchSize: 2 })
        const ref = learner.snapshot()
        const refs = await ref.score(samples)
        ref.dispose()
        await learner.update(
          samples.map((s, i) => ({
            ...s,
            advantage: i - 1,
            oldLogProbs: old[i]!.logProbs,
            refLogProbs: refs[i]!.logProbs,
          })),
          { microBatchSize: 2 },
        )
        await learner.sft([{ prompt: SHORT, response: 'look' }], { seed: 1, batchSize: 1 })
        await learner.save(dir)
        const loaded = await loadPolicy(dir)
        loaded.dispose()
        learner.clone().dispose()
      }
      await round() // creates the optimizer moments once
      const before = tf.memory().numTensors
      await round()
      await round()
      expect(tf.memory().numTensors).toBe(before)
      learner.dispose()
    })
  })
})
