/**
 * Progress on stderr with an ETA. On a terminal one line is redrawn in place (`\r`); otherwise (CI logs, pipes)
 * a plain line is printed whenever a unit of work finishes, never redrawn.
 */

import type { RolloutWorkerStatus } from '@gigpo/trainer'

/** Where progress goes: stderr in the CLI, a buffer in tests. */
export interface ProgressStream {
  write(text: string): unknown
  readonly isTTY?: boolean
  readonly columns?: number
}

/** Options of {@link createProgress}. */
export interface ProgressOptions {
  readonly stream: ProgressStream
  /** Units of work planned (training iterations plus SFT and evaluation equivalents). */
  readonly total: number
  /** Clock in milliseconds. @defaultValue `performance.now` */
  readonly now?: () => number
}

/** A progress reporter. */
export interface Progress {
  /** Changes the planned total (units already done stay done). */
  setTotal(total: number): void
  /** Marks `units` of work done and redraws. */
  advance(units: number): void
  /** Sets the activity text shown after the bar (e.g. `alfworld/grpo/seed-0 · iter 3/8 · rollout 5/12`). */
  status(text: string): void
  /** Prints a line above the bar. */
  log(line: string): void
  /** Clears the bar (terminal) at the end. */
  finish(): void
  /** Units done so far. */
  readonly done: number
}

/**
 * A distributed rollout's status in a few characters for the progress line: the backend, its workers, and its
 * jobs waiting / active / done (of total) / failed, plus retried and discarded when there were any, e.g.
 * `threads 2 up · jobs w0 a2 d1/3 f0`.
 */
export function formatWorkerStatus(status: RolloutWorkerStatus): string {
  const j = status.jobs
  const workers =
    status.backend === 'threads' ? `threads ${status.workers} up` : `queue ${status.workers} worker(s)`
  return (
    `${workers} · jobs w${j.waiting} a${j.active} d${j.done}/${j.total} f${j.failed}` +
    (j.retried > 0 ? ` r${j.retried}` : '') +
    (status.discarded > 0 ? ` · ${status.discarded} discarded` : '')
  )
}

/** `1h02m`, `3m10s`, `42s`; `--` for unknown. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '--'
  const s = Math.round(ms / 1000)
  if (s < 60) return `${s}s`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`
}

/** Estimated time left: elapsed × remaining / done (`NaN` before any work is done). */
export function estimateRemaining(options: {
  readonly done: number
  readonly total: number
  readonly elapsedMs: number
}): number {
  if (options.done <= 0) return Number.NaN
  return (options.elapsedMs * Math.max(0, options.total - options.done)) / options.done
}

/** The progress line: bar, percent, elapsed, ETA and the activity, cut to `width` characters. */
export function renderProgressLine(options: {
  readonly done: number
  readonly total: number
  readonly elapsedMs: number
  readonly status: string
  readonly width: number
}): string {
  const fraction = options.total > 0 ? Math.min(1, options.done / options.total) : 0
  const barWidth = 24
  const filled = Math.round(fraction * barWidth)
  const bar = `[${'#'.repeat(filled)}${'.'.repeat(barWidth - filled)}]`
  const eta = estimateRemaining(options)
  const line =
    `${bar} ${String(Math.floor(fraction * 100)).padStart(3)}% · ${formatDuration(options.elapsedMs)} elapsed · ` +
    `ETA ${formatDuration(eta)}${options.status === '' ? '' : ` · ${options.status}`}`
  return line.length > options.width ? `${line.slice(0, Math.max(0, options.width - 1))}…` : line
}

/** Creates a progress reporter on `stream`. */
export function createProgress(options: ProgressOptions): Progress {
  const now = options.now ?? (() => performance.now())
  const stream = options.stream
  const tty = stream.isTTY === true
  const started = now()
  let total = options.total
  let done = 0
  let status = ''
  let drawn = false
  let lastDraw = 0

  const line = () =>
    renderProgressLine({
      done,
      total,
      elapsedMs: now() - started,
      status,
      // A plain line in a log is never redrawn, so it need not fit a terminal: keep the whole status.
      width: tty ? Math.max(40, (stream.columns ?? 120) - 1) : 400,
    })

  const draw = (force: boolean) => {
    if (!tty) return
    const t = now()
    if (!force && t - lastDraw < 100) return
    lastDraw = t
    stream.write(`\r\x1b[2K${line()}`)
    drawn = true
  }
  const clear = () => {
    if (tty && drawn) stream.write('\r\x1b[2K')
    drawn = false
  }

  return {
    get done() {
      return done
    },
    setTotal(value) {
      total = value
      draw(true)
    },
    advance(units) {
      done += units
      if (tty) draw(true)
      else stream.write(`${line()}\n`)
    },
    status(text) {
      status = text
      draw(false)
    },
    log(text) {
      clear()
      stream.write(`${text}\n`)
      draw(true)
    },
    finish() {
      clear()
    },
  }
}
