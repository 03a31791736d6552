// Requests and navigations in flight, for "the page has settled" (the browser tests wait for it: the live
// inbox stream stays open, so the network is never idle). The stream itself is not counted.

interface ActivityWindow {
  __luoshiPending?: number
  __luoshiLastActivity?: number
}

let requests = 0
let navigating = false

const w = (typeof window !== 'undefined' ? window : {}) as ActivityWindow

function publish(): void {
  w.__luoshiPending = requests + (navigating ? 1 : 0)
  w.__luoshiLastActivity = typeof performance !== 'undefined' ? performance.now() : 0
}

export function begin(): void {
  requests++
  publish()
}

export function end(): void {
  requests = Math.max(0, requests - 1)
  publish()
}

/** A navigation is under way (a flag, not a count: a guard's redirect starts a second one and only the
 * last one finishes). */
export function navigation(on: boolean): void {
  navigating = on
  publish()
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
