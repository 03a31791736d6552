// Requests and navigations in flight, for "the page has settled" (the browser tests wait for it: the live
// inbox stream stays open, so the network is never idle). The stream itself is not counted.

interface ActivityWindow {
  __luoshiPending?: number
  __luoshiLastActivity?: number
}

const w = (typeof window !== 'undefined' ? window : {}) as ActivityWindow

export function begin(): void {
  w.__luoshiPending = (w.__luoshiPending ?? 0) + 1
  w.__luoshiLastActivity = typeof performance !== 'undefined' ? performance.now() : 0
}

export function end(): void {
  w.__luoshiPending = Math.max(0, (w.__luoshiPending ?? 1) - 1)
  w.__luoshiLastActivity = typeof performance !== 'undefined' ? performance.now() : 0
}

/** Runs `work` counted as activity. */
export async function tracked<T>(work: () => Promise<T>): Promise<T> {
  begin()
  try {
    return await work()
  } finally {
    end()
  }
}
