/**
 * The Stack view: the Redis of the config (reachable? version, memory, eviction policy,
 * persistence, keys) and each BullMQ queue it lists with its job counts. Read in the background
 * (src/runners/stack.ts, from its own bundle) when the config changes, on Refresh, and every few
 * seconds while the view is visible; `getChildren` returns the last reading and never waits on
 * Redis. What cannot be read is an item that says what to check.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { whileVisible } from './tree';
import { Commands } from '../constants';
import { formatBytes, formatCount } from '../core/format';
import type { QueueStatus, StackStatus } from '../runners/stack';
import type { Folders, PerfLabFolder } from './folders';
import type { RedisSecrets } from './redisSecrets';

const REFRESH_MS = 5_000;

/** A node of the Stack view; `scope` keeps the ids of two folders' stacks apart (a multi-root workspace). */
export type StackNode = { scope?: string } & (
  | { kind: 'folder'; folder: PerfLabFolder }
  | { kind: 'redis'; status: NonNullable<StackStatus['redis']> }
  | { kind: 'queue'; queue: QueueStatus }
  | { kind: 'fact'; id: string; label: string; description?: string; icon: string; tooltip?: string; fix?: vscode.Command }
);

/** What one folder's stack reading found: its status, or why there is none. */
interface Reading {
  status?: StackStatus;
  missing?: string;
}

/**
 * The Stack view: the stack of the folder with a config, or with several such folders, each
 * one's under the folder.
 */
export class StackTreeProvider implements vscode.TreeDataProvider<StackNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  /** The last reading of each folder shown, in order; undefined before the first. */
  private readings: { folder: PerfLabFolder | undefined; reading: Reading }[] | undefined;
  private reading: Promise<void> | undefined;
  private view: vscode.TreeView<StackNode> | undefined;
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly folders: Folders,
    private readonly secrets: RedisSecrets,
  ) {
    // A hidden view reads nothing: it reads when it shows (see watch).
    const reread = () => {
      if (this.view?.visible) void this.refresh();
    };
    this.subscription = vscode.Disposable.from(folders.onDidChangeConfig(reread), secrets.onDidChange(reread));
  }

  /** Reads now and every few seconds while the view is visible. */
  watch(view: vscode.TreeView<StackNode>): vscode.Disposable {
    this.view = view;
    return whileVisible(view, REFRESH_MS, () => void this.refresh());
  }

  refresh(): Promise<void> {
    this.reading ??= (async () => {
      try {
        const configured = await this.folders.configured();
        if (!configured.length) return this.show([{ folder: undefined, reading: { missing: 'No perflab.config.json in this workspace.' } }]);
        this.show(await Promise.all(configured.map(async (folder) => ({ folder, reading: await this.read(folder) }))));
      } finally {
        this.reading = undefined;
      }
    })();
    return this.reading;
  }

  private async read(folder: PerfLabFolder): Promise<Reading> {
    const state = await folder.config.current();
    if (!state.config) return { missing: 'The config has problems (see the Profiles view); fix them to see the stack.' };
    if (!state.config.stack.redis?.url && !state.config.stack.queues.length) {
      return { missing: 'The config names no Redis: add "stack": { "redis": { "url": "redis://127.0.0.1:6379" } }.' };
    }
    const { readStackStatus } = await import('../runners/stack');
    return { status: await readStackStatus(state.config, await this.secrets.env(state.config), path.basename(state.file ?? folder.configPath)) };
  }

  private show(readings: { folder: PerfLabFolder | undefined; reading: Reading }[]): void {
    const text = (r: typeof readings | undefined) => JSON.stringify(r?.map((x) => [x.folder?.key, x.reading]));
    const changed = text(readings) !== text(this.readings);
    this.readings = readings;
    if (changed) this.changed.fire();
  }

  getChildren(element?: StackNode): StackNode[] {
    if (!element) {
      const readings = this.readings;
      if (!readings) {
        void this.refresh();
        return [{ kind: 'fact', id: 'loading', label: 'Reading the stack…', icon: 'loading~spin' }];
      }
      if (readings.length > 1) return readings.map((r): StackNode => ({ kind: 'folder', folder: r.folder! }));
      return readings[0] ? nodesOf(readings[0].reading) : [];
    }
    const { scope } = element;
    if (element.kind === 'folder') {
      const reading = this.readings?.find((r) => r.folder === element.folder)?.reading;
      return reading ? nodesOf(reading, element.folder.key) : [];
    }
    if (element.kind === 'redis') return redisFacts(element.status).map((n) => ({ ...n, scope }));
    if (element.kind === 'queue') return queueFacts(element.queue).map((n) => ({ ...n, scope }));
    return [];
  }

  getTreeItem(node: StackNode): vscode.TreeItem {
    const scope = node.scope ? `${node.scope}|` : '';
    switch (node.kind) {
      case 'folder': {
        const item = new vscode.TreeItem(node.folder.name, vscode.TreeItemCollapsibleState.Expanded);
        item.id = `stack:folder:${node.folder.key}`;
        item.description = vscode.workspace.asRelativePath(node.folder.configPath, true);
        item.iconPath = vscode.ThemeIcon.Folder;
        return item;
      }
      case 'redis': {
        const s = node.status;
        const item = new vscode.TreeItem('Redis', vscode.TreeItemCollapsibleState.Expanded);
        item.id = `${scope}stack:redis`;
        item.description = s.ok ? `${s.label} · ${s.facts.version}` : `${s.label} · not reachable`;
        item.iconPath = new vscode.ThemeIcon(s.ok ? 'database' : 'error');
        item.tooltip = s.ok ? `Redis ${s.facts.version} at ${s.label}` : s.error;
        return item;
      }
      case 'queue': {
        const q = node.queue;
        const item = new vscode.TreeItem(q.name, vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `${scope}stack:queue:${q.prefix}:${q.name}`;
        const c = q.counts;
        item.description = c ? `waiting ${formatCount(c.waiting)} · active ${formatCount(c.active)} · failed ${formatCount(c.failed)}` : (q.error ?? '');
        item.iconPath = new vscode.ThemeIcon(c ? 'list-ordered' : 'warning');
        item.tooltip = `BullMQ queue ${q.name} (prefix ${q.prefix})${q.error ? `: ${q.error}` : ''}`;
        return item;
      }
      case 'fact': {
        const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
        item.id = `${scope}stack:${node.id}`;
        item.description = node.description;
        item.iconPath = new vscode.ThemeIcon(node.icon);
        item.tooltip = node.tooltip ?? node.label;
        if (node.fix) item.command = node.fix;
        return item;
      }
    }
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}

const openConfig: vscode.Command = { command: Commands.openConfig, title: 'Open Config' };

/** The nodes of one folder's reading, their ids in `scope`. */
function nodesOf(reading: Reading, scope?: string): StackNode[] {
  if (reading.missing || !reading.status) return [{ kind: 'fact', id: 'missing', label: reading.missing ?? 'Reading the stack…', icon: 'info', scope }];
  const { status } = reading;
  const redis: StackNode[] = status.redis
    ? [{ kind: 'redis', status: status.redis, scope }]
    : [{ kind: 'fact', id: 'no-redis', label: 'No Redis in the config', description: 'stack.redis.url', icon: 'info', fix: openConfig, scope }];
  return [...redis, ...status.queues.map((queue): StackNode => ({ kind: 'queue', queue, scope }))];
}

function redisFacts(s: NonNullable<StackStatus['redis']>): StackNode[] {
  if (!s.ok) {
    return [{
      kind: 'fact', id: 'redis:error', label: s.error, icon: 'error', fix: openConfig,
      tooltip: `${s.error}\n\nCheck that redis-server runs at ${s.label} (\`npx perflab demo\` starts one with the demo stack), or change stack.redis.url in the config (click to open it).`,
    }];
  }
  const f = s.facts;
  const persistence = [f.rdbSave === undefined ? 'RDB unknown (CONFIG GET not allowed)' : f.rdbSave ? `RDB (save ${f.rdbSave})` : 'no RDB', f.aof ? 'AOF' : 'no AOF'].join(' · ');
  const keys = Object.entries(f.keys).map(([db, n]) => `${db} ${formatCount(n)}`).join(' · ') || 'none';
  return [
    { kind: 'fact', id: 'redis:memory', label: 'memory', description: `${formatBytes(s.usedMemory)} used${f.maxmemory ? ` of ${formatBytes(f.maxmemory)}` : ', no maxmemory'}`, icon: 'server' },
    {
      kind: 'fact', id: 'redis:policy', label: 'maxmemory-policy', description: f.maxmemoryPolicy,
      icon: f.maxmemoryPolicy === 'noeviction' ? 'pass' : 'warning',
      tooltip: f.maxmemoryPolicy === 'noeviction' ? 'noeviction: what BullMQ requires' : `${f.maxmemoryPolicy}: Redis may evict keys when full; BullMQ requires noeviction`,
    },
    { kind: 'fact', id: 'redis:persistence', label: 'persistence', description: persistence, icon: 'save' },
    { kind: 'fact', id: 'redis:keys', label: 'keys', description: keys, icon: 'key' },
    { kind: 'fact', id: 'redis:role', label: 'role', description: `${f.role}${f.replicas ? `, ${f.replicas} replicas` : ''}${f.clusterEnabled ? ', cluster' : ''}`, icon: 'type-hierarchy' },
    ...(s.agents ? [agentsFact(s.agents, s.label)] : []),
  ];
}

/** The load agents connected to the Redis, for distributed runs (`"distributed"` in a profile). */
function agentsFact(agents: NonNullable<Extract<NonNullable<StackStatus['redis']>, { ok: true }>['agents']>, label: string): StackNode {
  return {
    kind: 'fact', id: 'redis:agents', label: 'load agents', icon: 'broadcast',
    description: agents.length ? `${agents.length}: ${agents.map((a) => a.name).join(', ')}` : 'none',
    tooltip: agents.length
      ? agents.map((a) => `${a.name} (${a.addr})`).join('\n')
      : `No load agent is connected. A distributed profile needs them: \`perflab agent --redis ${label}\` on each load machine.`,
  };
}

function queueFacts(q: QueueStatus): StackNode[] {
  if (!q.counts) return [{ kind: 'fact', id: `queue:${q.name}:error`, label: q.error ?? 'no counts', icon: 'warning' }];
  return Object.entries(q.counts).map(([state, n]): StackNode => ({ kind: 'fact', id: `queue:${q.prefix}:${q.name}:${state}`, label: state, description: formatCount(n), icon: 'circle-small' }));
}
