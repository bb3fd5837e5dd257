/**
 * What keeps this process alive (sockets, timers, child processes), to prove that a run left
 * nothing behind: `process.getActiveResourcesInfo()` counted by kind, before and after.
 */
import { waitUntil } from './redis';

/** Live resources by kind (`TCPSocketWrap`, `Timeout`, `ProcessWrap`, …). */
export function activeResources(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const kind of process.getActiveResourcesInfo()) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  return counts;
}

/** Kinds of which more are alive now than in `baseline`, as `kind +n`. */
export function resourcesAbove(baseline: Map<string, number>): string[] {
  const out: string[] = [];
  for (const [kind, n] of activeResources()) {
    const extra = n - (baseline.get(kind) ?? 0);
    if (extra > 0) out.push(`${kind} +${extra}`);
  }
  return out;
}

/**
 * Waits until no more resources of any kind are alive than in `baseline` (a closed socket goes
 * away a tick after its close); fails naming what is left.
 */
export async function waitForResourcesBack(baseline: Map<string, number>, timeoutMs = 10_000): Promise<void> {
  try {
    await waitUntil(() => resourcesAbove(baseline).length === 0, 'the run to release its handles', timeoutMs);
  } catch {
    throw new Error(`handles left by the run: ${resourcesAbove(baseline).join(', ')}`);
  }
}
