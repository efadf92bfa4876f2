import { describe, expect, it } from 'vitest'
import {
  createProgress,
  estimateRemaining,
  formatDuration,
  formatWorkerStatus,
  renderProgressLine,
} from './progress.js'

describe('progress', () => {
  it('formats durations', () => {
    expect(formatDuration(42_400)).toBe('42s')
    expect(formatDuration(190_000)).toBe('3m10s')
    expect(formatDuration(3_720_000)).toBe('1h02m')
    expect(formatDuration(Number.NaN)).toBe('--')
  })

  it('estimates the time left from the rate so far', () => {
    expect(estimateRemaining({ done: 10, total: 40, elapsedMs: 60_000 })).toBe(180_000)
    expect(estimateRemaining({ done: 0, total: 40, elapsedMs: 5 })).toBeNaN()
  })

  it('renders bar, percent, ETA and status, cut to the width', () => {
    const line = renderProgressLine({
      done: 25,
      total: 100,
      elapsedMs: 60_000,
      status: 'alfworld/grpo',
      width: 200,
    })
    expect(line).toBe('[######..................]  25% · 1m00s elapsed · ETA 3m00s · alfworld/grpo')
    expect(
      renderProgressLine({ done: 1, total: 2, elapsedMs: 0, status: 'x'.repeat(300), width: 60 }),
    ).toHaveLength(60)
  })

  it('prints plain lines when not a terminal, redraws in place on one', () => {
    let t = 0
    const plain: string[] = []
    const p = createProgress({ stream: { write: (s: string) => plain.push(s) }, total: 4, now: () => t })
    p.status('ignored without a TTY')
    t = 1000
    p.advance(1)
    p.log('note')
    expect(plain).toEqual([
      '[######..................]  25% · 1s elapsed · ETA 3s · ignored without a TTY\n',
      'note\n',
    ])

    const tty: string[] = []
    const q = createProgress({
      stream: { write: (s: string) => tty.push(s), isTTY: true, columns: 100 },
      total: 2,
      now: () => t,
    })
    q.advance(1)
    q.log('between')
    q.finish()
    expect(tty[0]!.startsWith('\r\u001b[2K[')).toBe(true)
    expect(tty).toContain('between\n')
    expect(tty[tty.length - 1]).toBe('\r\x1b[2K')
    expect(q.done).toBe(1)
  })

  it('keeps a long status whole in a log (cut only on a terminal)', () => {
    const long = `alfworld/gigpo-nostd/seed-0 · iter 1/8 · threads 2 up · jobs w0 a2 d0/2 f0 · ${'x'.repeat(120)}`
    const plain: string[] = []
    const p = createProgress({ stream: { write: (s: string) => plain.push(s) }, total: 4 })
    p.status(long)
    p.advance(1)
    expect(plain[0]).toContain(long)
    const tty: string[] = []
    const q = createProgress({
      stream: { write: (s: string) => tty.push(s), isTTY: true, columns: 100 },
      total: 4,
    })
    q.status(long)
    q.advance(1)
    expect(tty.at(-1)!.length).toBeLessThanOrEqual('\r\x1b[2K'.length + 99)
  })

  it('sums up a distributed rollout: workers and jobs waiting / active / done / failed', () => {
    const status = {
      backend: 'threads' as const,
      config: '2 worker threads',
      jobId: 'train-3',
      workers: 2,
      jobs: { total: 2, waiting: 0, active: 2, done: 0, failed: 0, retried: 0 },
      discarded: 0,
    }
    expect(formatWorkerStatus(status)).toBe('threads 2 up · jobs w0 a2 d0/2 f0')
    expect(
      formatWorkerStatus({
        ...status,
        backend: 'queue',
        workers: 3,
        jobs: { total: 16, waiting: 5, active: 3, done: 7, failed: 1, retried: 1 },
        discarded: 2,
      }),
    ).toBe('queue 3 worker(s) · jobs w5 a3 d7/16 f1 r1 · 2 discarded')
  })
})
