/**
 * Which listed processes the editor offers, and how it names them. Pure functions of
 * discovery's list, apart from it so the editor's bundle carries them without the discovery code.
 */
import * as path from 'node:path';
import type { NodeProcessInfo } from './discovery';

/**
 * The processes one may attach to: not the editor's own. Those are this extension host and
 * everything under it (language servers and their helpers, PerfLab's own), the processes above it
 * (the editor's server) and their direct children (other extension hosts, the file watcher, the
 * terminal host). A service started in a terminal runs under the terminal's shell, so it stays
 * listed, and so do the `services` the editor started for the user (the demo stack's server).
 */
export function attachable(list: readonly NodeProcessInfo[], self: { pid: number; ppid: number } = process, services: readonly number[] = []): NodeProcessInfo[] {
  const parent = new Map(list.map((p) => [p.pid, p.ppid]));
  const above = new Set<number>();
  // Up the chain of Node processes (the list's), never to init: its children are everybody's.
  for (let pid: number | undefined = self.ppid; pid && pid > 1 && parent.has(pid) && !above.has(pid); pid = parent.get(pid)) above.add(pid);
  /** Under this extension host: its parent chain (through listed processes) reaches it before a service. */
  const underSelf = (p: NodeProcessInfo): boolean => {
    const seen = new Set<number>();
    for (let pid: number | undefined = p.pid; pid !== undefined && !seen.has(pid); pid = parent.get(pid)) {
      if (services.includes(pid)) return false;
      if (pid === self.pid) return true;
      seen.add(pid);
    }
    return false;
  };
  return list.filter((p) => services.includes(p.pid) || (!underSelf(p) && !above.has(p.pid) && !(p.ppid !== undefined && above.has(p.ppid))));
}

/** A process as a person knows it: its script (`server.js`), else its command. */
export function processLabel(p: Pick<NodeProcessInfo, 'argv' | 'command'>): string {
  const script = p.argv.slice(1).find((a) => !a.startsWith('-'));
  return script ? path.basename(script) : p.command.slice(0, 60);
}
