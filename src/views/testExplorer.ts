/**
 * The Test Explorer: each profile of the config is a test, its thresholds are its children.
 * Running a test runs the profile through the RunController (the same notification, status bar
 * item and log as any run; cancel from the Test Explorer stops it) and marks each threshold
 * passed or failed, a failure saying limit and actual (`latency.p95: 312 ms does not meet < 200ms`).
 * In a multi-root workspace with more than one config, each folder's profiles are under the folder.
 */
import * as vscode from 'vscode';
import type { Profile, SourceLocation } from '../core/config';
import { formatMiss } from '../core/format';
import type { RunRecord } from '../core/runRecord';
import { kindOf } from '../runners/registry';
import type { Folders, PerfLabFolder } from './folders';
import type { RunController } from './runController';

const CONTROLLER_ID = 'perflab';

/**
 * A test item's id: `profile:<name>` for a profile, `profile:<name>/<metric>` for one of its
 * thresholds; under a folder's item (`folder:<uri>`), `<uri>|profile:<name>`.
 */
function profileId(name: string, folder: PerfLabFolder | undefined): string {
  return folder ? `${folder.key}|profile:${name}` : `profile:${name}`;
}

/** What a profile's test item stands for. */
interface ProfileTest {
  profile: Profile;
  folder: PerfLabFolder;
}

export class PerfLabTests implements vscode.Disposable {
  private readonly controller = vscode.tests.createTestController(CONTROLLER_ID, 'PerfLab');
  private readonly disposables: vscode.Disposable[] = [this.controller];
  /** The profiles the items were made from, by item id (a run reads what the item stands for). */
  private profiles = new Map<string, ProfileTest>();
  /** Each folder's last items (by folder key): a config with problems keeps them. */
  private lastItems = new Map<string, vscode.TestItem[]>();
  /** Each folder's own item while the folders are grouped (kept, so its children stay where they are). */
  private folderItems = new Map<string, vscode.TestItem>();

  constructor(
    private readonly folders: Folders,
    private readonly runs: RunController,
  ) {
    this.controller.createRunProfile('Run Profile', vscode.TestRunProfileKind.Run, (request, token) => this.run(request, token), true);
    this.controller.resolveHandler = async () => this.sync();
    this.disposables.push(this.folders.onDidChangeConfig(() => void this.sync()));
  }

  /** Makes the items match the configs; a config with problems keeps its last good items. */
  private async sync(): Promise<void> {
    const configured = await this.folders.configured();
    const grouped = configured.length > 1;
    const profiles = new Map<string, ProfileTest>();
    const lastItems = new Map<string, vscode.TestItem[]>();
    const roots: vscode.TestItem[] = [];
    for (const folder of configured) {
      const state = await folder.config.current();
      let items = this.lastItems.get(folder.key) ?? [];
      if (state.config) {
        const uri = state.file ? vscode.Uri.file(state.file) : undefined;
        items = Object.values(state.config.profiles).map((profile) => {
          const item = this.controller.createTestItem(profileId(profile.name, grouped ? folder : undefined), profile.name, uri);
          // No description: the Test Explorer reads it out in place of the name.
          item.range = rangeOf(profile.source);
          item.children.replace(
            profile.thresholds.map((t) => {
              const child = this.controller.createTestItem(`${item.id}/${t.metric}`, `${t.metric} ${t.expression}`, uri);
              if (t.source) child.range = rangeOf(t.source);
              return child;
            }),
          );
          return item;
        });
      }
      // Items made while the folders were not grouped have other ids: made again when the config loads.
      items = items.filter((i) => i.id.startsWith(grouped ? `${folder.key}|` : 'profile:'));
      for (const item of items) {
        const fresh = state.config && Object.hasOwn(state.config.profiles, item.label) ? state.config.profiles[item.label] : undefined;
        const profile = fresh ?? this.profiles.get(item.id)?.profile;
        if (profile) profiles.set(item.id, { profile, folder });
      }
      lastItems.set(folder.key, items);
      if (grouped) {
        const folderItem = this.folderItems.get(folder.key) ?? this.controller.createTestItem(`folder:${folder.key}`, folder.name, vscode.Uri.file(folder.configPath));
        this.folderItems.set(folder.key, folderItem);
        folderItem.children.replace(items);
        roots.push(folderItem);
      } else {
        roots.push(...items);
      }
    }
    this.profiles = profiles;
    this.lastItems = lastItems;
    if (!grouped) this.folderItems.clear();
    this.controller.items.replace(roots);
  }

  /** Runs the profiles asked for one after the other; a threshold item runs its profile and reports itself. */
  private async run(request: vscode.TestRunRequest, token: vscode.CancellationToken): Promise<void> {
    await this.sync();
    const asked = new Map<vscode.TestItem, Set<string> | 'all'>();
    const excluded = new Set((request.exclude ?? []).map((i) => i.id));
    const roots: vscode.TestItem[] = [];
    this.controller.items.forEach((i) => roots.push(i));
    // A folder's item stands for each of its profiles; a profile's for itself; a threshold's for itself within its profile.
    const ask = (item: vscode.TestItem) => {
      if (this.profiles.has(item.id)) return void asked.set(item, 'all');
      const parent = item.parent;
      if (parent && this.profiles.has(parent.id)) {
        const current = asked.get(parent);
        if (current !== 'all') asked.set(parent, new Set([...(current ?? []), item.id]));
        return;
      }
      if (excluded.has(item.id)) return;
      item.children.forEach(ask);
    };
    for (const item of request.include ?? roots) ask(item);
    const run = this.controller.createTestRun(request);
    try {
      for (const [item, which] of asked) {
        if (excluded.has(item.id)) continue;
        const children: vscode.TestItem[] = [];
        item.children.forEach((c) => {
          if (!excluded.has(c.id) && (which === 'all' || which.has(c.id))) children.push(c);
        });
        if (token.isCancellationRequested) {
          for (const i of [item, ...children]) run.skipped(i);
          continue;
        }
        await this.runOne(run, item, children, token);
      }
    } finally {
      run.end();
    }
  }

  private async runOne(run: vscode.TestRun, item: vscode.TestItem, children: vscode.TestItem[], token: vscode.CancellationToken): Promise<void> {
    const test = this.profiles.get(item.id);
    if (!test) return;
    const { profile, folder } = test;
    for (const i of [item, ...children]) run.started(i);
    const record = await this.runs.run({ kind: 'profile', profile, folder }, { quiet: true, token, onLog: (line) => run.appendOutput(`${line}\r\n`, undefined, item) });
    if (!record) {
      const message = token.isCancellationRequested ? undefined : new vscode.TestMessage(`${profile.name} did not start; PerfLab said why.`);
      for (const i of [item, ...children]) {
        if (message) run.errored(i, message);
        else run.skipped(i);
      }
      return;
    }
    run.appendOutput(`Run ${record.id}: ${record.status}\r\n`, undefined, item);
    markProfile(run, item, children, profile, record);
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

/** The verdicts of a finished run on the profile's item and its threshold items. */
function markProfile(run: vscode.TestRun, item: vscode.TestItem, children: vscode.TestItem[], profile: Profile, record: RunRecord): void {
  const rateUnit = kindOf(record.type).words.rateUnit;
  const duration = record.durationMs;
  if (record.status !== 'completed') {
    const why = record.status === 'cancelled' ? `${profile.name} was stopped before it completed` : `${profile.name} failed: ${record.error ?? 'see the run page'}`;
    run.errored(item, located(why, item), duration);
    for (const c of children) run.skipped(c);
    return;
  }
  const misses: string[] = [];
  for (const child of children) {
    const metric = child.id.slice(item.id.length + 1);
    const verdict = record.thresholds.find((t) => t.metric === metric);
    if (!verdict) {
      run.skipped(child);
    } else if (verdict.pass) {
      run.passed(child);
    } else {
      const miss = formatMiss(verdict, rateUnit);
      misses.push(miss);
      run.failed(child, located(miss, child));
    }
  }
  if (record.pass) run.passed(item, duration);
  else {
    const failed = record.thresholds.filter((t) => !t.pass).map((t) => formatMiss(t, rateUnit));
    run.failed(item, located([...new Set([...misses, ...failed])].join('\n') || `${profile.name} did not pass its baseline comparison`, item), duration);
  }
}

function located(text: string, item: vscode.TestItem): vscode.TestMessage {
  const message = new vscode.TestMessage(text);
  if (item.uri && item.range) message.location = new vscode.Location(item.uri, item.range);
  return message;
}

function rangeOf(at: SourceLocation): vscode.Range {
  const pos = new vscode.Position(at.line - 1, at.column - 1);
  return new vscode.Range(pos, pos);
}
