/** Small Markdown builders for the report. */

/** Column alignment of {@link table}. */
export type Align = 'left' | 'right' | 'center'

/** A GitHub-flavoured Markdown table; `|` in cells is escaped, newlines become spaces. */
export function table(options: {
  readonly header: readonly string[]
  readonly rows: readonly (readonly string[])[]
  readonly align?: readonly Align[]
}): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ')
  const sep = options.header.map((_, i) => {
    const a = options.align?.[i] ?? 'left'
    return a === 'right' ? '---:' : a === 'center' ? ':---:' : '---'
  })
  const line = (cells: readonly string[]) => `| ${cells.map(cell).join(' | ')} |`
  return [line(options.header), line(sep), ...options.rows.map((r) => line(r))].join('\n')
}

/** A bulleted list. */
export function bullets(items: readonly (string | undefined | false)[]): string {
  return items
    .filter((i): i is string => typeof i === 'string')
    .map((i) => `- ${i}`)
    .join('\n')
}

/** An image link to a plot (relative path), with alt text. */
export function image(alt: string, path: string): string {
  return `![${alt.replace(/[[\]]/g, '')}](${path})`
}

/** Paragraphs joined with blank lines (empty ones dropped). */
export function paragraphs(...parts: readonly (string | undefined | false)[]): string {
  return parts.filter((p): p is string => typeof p === 'string' && p.trim() !== '').join('\n\n')
}

/** A signed number with `digits` decimals (`+3.2`, `-1.0`). */
export function signed(value: number, digits = 1): string {
  if (!Number.isFinite(value)) return '–'
  const s = value.toFixed(digits)
  return value > 0 || (value === 0 && !s.startsWith('-')) ? `+${s}` : s
}
