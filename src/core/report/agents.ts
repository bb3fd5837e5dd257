/** The per-agent breakdown of a distributed run, for the text and Markdown reports. */
import type { DistributedSummary } from '../runRecord';
import { formatCount, formatErrors, formatMs, formatRate, textTable } from '../format';

/** The agents' table rows: name, status, share, clock offset, count, rate, errors, p50, p99, generator. */
export function agentRows(d: DistributedSummary, rateUnit: string): string[][] {
  return d.agents.map((a) => [
    a.name,
    a.status,
    `${a.share.index + 1}/${a.share.of}`,
    `${a.clockOffsetMs >= 0 ? '+' : '−'}${formatMs(Math.abs(a.clockOffsetMs))} ±${formatMs(a.clockUncertaintyMs)}`,
    a.overall ? formatCount(a.overall.count) : '—',
    a.overall ? formatRate(a.overall.rate, rateUnit) : '—',
    a.overall ? formatErrors(a.overall.errors, a.overall.count) : '—',
    a.overall ? formatMs(a.overall.latency.p50) : '—',
    a.overall ? formatMs(a.overall.latency.p99) : '—',
    a.generator ? (a.generator.generatorBound ? 'BOUND' : `lag p99 ${formatMs(a.generator.lagP99Ms)}`) : '—',
  ]);
}

export const AGENT_COLUMNS = ['agent', 'status', 'share', 'clock', 'count', 'rate', 'errors', 'p50', 'p99', 'generator'];

/** `agents: 3 of 3 asked for, on redis://…` and the table; the figures above are their merged histograms. */
export function agentTextLines(d: DistributedSummary, rateUnit: string): string[] {
  const head = `agents: ${d.agents.length} of ${d.requested} asked for, coordinated on ${d.redis}${d.partial ? ` — partial, missing ${d.missing.join(', ')}` : ''}` +
    ' (the figures above merge their histograms; clock: against the coordinator\'s)';
  return [head, textTable(AGENT_COLUMNS, agentRows(d, rateUnit))];
}
