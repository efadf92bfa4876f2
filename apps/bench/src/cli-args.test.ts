import { describe, expect, it } from 'vitest'
import { InvalidArgumentError } from '@gigpo/protocol'
import { parseCliArgs, USAGE } from './cli-args.js'
import { PRESETS } from './presets.js'

describe('parseCliArgs', () => {
  it('defaults to the quick preset with its seeds and both environments, resuming', () => {
    const o = parseCliArgs([])
    expect(o.preset).toBe(PRESETS.quick)
    expect(o.seeds).toEqual([0])
    expect(o.envs).toEqual(['alfworld', 'webshop'])
    expect(o.experiments).toBeUndefined()
    expect(o.fresh).toBe(false)
  })

  it('selects a preset positionally (pnpm passes a leading --)', () => {
    expect(parseCliArgs(['--', 'standard']).preset.name).toBe('standard')
    expect(parseCliArgs(['paper']).seeds).toEqual([0, 1, 2])
    expect(parseCliArgs(['--preset', 'paper']).preset.name).toBe('paper')
    expect(parseCliArgs(['paper', '--preset', 'paper']).preset.name).toBe('paper')
    expect(() => parseCliArgs(['quick', '--preset', 'paper'])).toThrow(
      /Two presets: quick and --preset paper/,
    )
  })

  it('parses experiments, seeds, envs, output and switches', () => {
    const o = parseCliArgs([
      'standard',
      '-e',
      'table1, claim',
      '--seeds',
      '3,1,3',
      '--envs',
      'webshop',
      '-o',
      '/tmp/x',
      '--fresh',
      '--report-only',
      '--run-micro',
      '--backend',
      'wasm',
    ])
    expect(o.experiments).toEqual(['table1', 'claim'])
    expect(o.seeds).toEqual([3, 1])
    expect(o.envs).toEqual(['webshop'])
    expect(o.out).toBe('/tmp/x')
    expect([o.fresh, o.reportOnly, o.runMicro]).toEqual([true, true, true])
    expect(o.backend).toBe('wasm')
    expect(parseCliArgs(['--num-seeds', '3']).seeds).toEqual([0, 1, 2])
  })

  it.each([
    [['nope'], /Unknown preset "nope".*quick, standard, paper, smoke/],
    [['quick', 'standard'], /at most one preset/],
    [['--seeds=-1'], /non-negative integer/],
    [['--seeds', 'a'], /non-negative integer/],
    [['--seeds', '1', '--num-seeds', '2'], /either --seeds or --num-seeds/],
    [['--envs', 'minecraft'], /unknown environment.*minecraft/],
    [['--resume', '--fresh'], /contradict/],
    [['--backend', 'tpu'], /unknown backend "tpu"/],
    [['--jobs', '0'], /--jobs: must be a positive integer/],
    [['--frobnicate'], /--help/],
  ])('rejects %j with a clear message', (argv, message) => {
    expect(() => parseCliArgs(argv)).toThrow(InvalidArgumentError)
    expect(() => parseCliArgs(argv)).toThrow(message)
  })

  it('documents every preset in the usage text', () => {
    for (const name of Object.keys(PRESETS)) expect(USAGE).toContain(name)
  })

  it('parses where training rollouts run', () => {
    expect(parseCliArgs([]).rollouts).toBeUndefined()
    expect(parseCliArgs(['--rollouts', 'in-process']).rollouts).toEqual({ backend: 'in-process' })
    expect(parseCliArgs(['--rollouts', 'threads']).rollouts).toEqual({ backend: 'threads', threads: 2 })
    expect(parseCliArgs(['--rollouts', 'threads', '--threads', '3']).rollouts).toEqual({
      backend: 'threads',
      threads: 3,
    })
    // A thread count or a Redis URL alone names its backend.
    expect(parseCliArgs(['--threads', '4']).rollouts).toEqual({ backend: 'threads', threads: 4 })
    expect(parseCliArgs(['--redis', 'redis://10.0.0.5:6379']).rollouts).toEqual({
      backend: 'queue',
      redis: 'redis://10.0.0.5:6379',
    })
  })

  it('rejects rollout options that do not fit together', () => {
    expect(() => parseCliArgs(['--rollouts', 'gpu'])).toThrow(/--rollouts: unknown value "gpu"/)
    expect(() => parseCliArgs(['--rollouts', 'queue'])).toThrow(/needs --redis <url>/)
    expect(() => parseCliArgs(['--rollouts', 'queue', '--redis', 'localhost:6379'])).toThrow(
      /expected a redis:\/\/ or rediss:\/\/ URL/,
    )
    expect(() => parseCliArgs(['--rollouts', 'queue', '--threads', '2', '--redis', 'redis://x'])).toThrow(
      /--threads goes with --rollouts threads, not --rollouts queue/,
    )
    expect(() => parseCliArgs(['--rollouts', 'threads', '--redis', 'redis://x'])).toThrow(
      /--redis goes with --rollouts queue/,
    )
    expect(() => parseCliArgs(['--threads', '0'])).toThrow(InvalidArgumentError)
    expect(USAGE).toContain('--rollouts <where>')
  })

  it('parses --policy, --sft and --lora (the last two only with --policy)', () => {
    expect(parseCliArgs([]).policy).toBeUndefined()
    expect(parseCliArgs(['paper', '--policy', '/models/Qwen2.5-1.5B-Instruct']).policy).toEqual({
      dir: '/models/Qwen2.5-1.5B-Instruct',
      sft: false,
    })
    expect(parseCliArgs(['--', 'quick', '--policy', 'm', '--sft', '--lora', '16']).policy).toEqual({
      dir: 'm',
      sft: true,
      loraRank: 16,
    })
    expect(() => parseCliArgs(['--sft'])).toThrow(/--sft goes with --policy <dir>/)
    expect(() => parseCliArgs(['--lora', '8'])).toThrow(/--lora goes with --policy <dir>/)
    expect(() => parseCliArgs(['--policy', 'm', '--lora', '0'])).toThrow(
      /--lora: the rank must be a positive integer, got "0"/,
    )
    expect(() => parseCliArgs(['--policy', 'm', '--lora', 'x'])).toThrow(InvalidArgumentError)
    expect(() => parseCliArgs(['--policy', ' '])).toThrow(/--policy: give a directory/)
    expect(() => parseCliArgs(['--policy'])).toThrow(InvalidArgumentError)
    expect(parseCliArgs(['--policy', 'm', '--memory-budget', '80']).memoryBudgetBytes).toBe(80 * 1024 ** 3)
    expect(parseCliArgs(['--policy', 'm']).memoryBudgetBytes).toBeUndefined()
    expect(() => parseCliArgs(['--memory-budget', '80'])).toThrow(/--memory-budget goes with --policy/)
    expect(() => parseCliArgs(['--policy', 'm', '--memory-budget', '0'])).toThrow(
      /--memory-budget: a positive number of GiB, got "0"/,
    )
    expect(USAGE).toContain('--policy <dir>')
    expect(USAGE).toContain('--lora <rank>')
  })
})
