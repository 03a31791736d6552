// Server-sent events read over fetch (EventSource cannot send the Authorization header).

export interface SseEvent {
  event: string
  data: string
  id?: string
}

/** Splits what has arrived into whole events and the unfinished rest (the WHATWG event-stream format). */
export function parseSse(buffer: string): { events: SseEvent[]; rest: string } {
  const text = buffer.replace(/\r\n?/g, '\n')
  const blocks = text.split('\n\n')
  const rest = blocks.pop() ?? ''
  const events: SseEvent[] = []
  for (const block of blocks) {
    let event = 'message'
    let id: string | undefined
    const data: string[] = []
    for (const line of block.split('\n')) {
      if (!line || line.startsWith(':')) continue
      const i = line.indexOf(':')
      const field = i < 0 ? line : line.slice(0, i)
      const value = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '')
      if (field === 'event') event = value
      else if (field === 'data') data.push(value)
      else if (field === 'id') id = value
    }
    if (data.length) events.push({ event, data: data.join('\n'), ...(id !== undefined ? { id } : {}) })
  }
  return { events, rest }
}

/** The wait before the n-th reconnect: 1 s doubling to 30 s. */
export function backoff(attempt: number): number {
  return Math.min(30_000, 1000 * 2 ** Math.max(0, attempt))
}
