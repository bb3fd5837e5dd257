/**
 * Profiling from the editor, on the CLI's engine (`perflab profile`): attach to a local Node
 * process (its inspector opened by SIGUSR1 when closed, only ever on loopback) and keep the
 * session until Detach or the process exits; capture a CPU profile of it, or run a load profile
 * against it while capturing (`Profile Under Load…`). A capture opens in the flame graph, whose
 * analysis marks the hot paths in the editor; a profile under load is a run like any other (the
 * run controller shows it) with its CPU profile among its artifacts. A command on a process that
 * is not attached attaches for that command only and detaches after it.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Commands, ContextKeys, CustomEditors } from '../constants';
import { formatBytes, formatDuration, formatPercent } from '../core/format';
import type { Profile } from '../core/config';
import { KINDS } from '../runners/registry';
import { analyzeHeapProfile } from '../runners/profiler/analysis';
import { formatHeapProfile } from '../runners/profiler/analysis/format';
import type { AttachedTarget, CaptureHandle, NodeProcessInfo } from '../runners/profiler/api';
import { attachable, processLabel } from '../runners/profiler/processList';
import type { ProfileRun } from '../runners/runProfile';
import { registerCommand, setContext } from './contributions';
import { LiveMonitorPanel } from './liveMonitor';
import type { ProfileArg, RunController } from './runController';
import type { Folders, PerfLabFolder } from './folders';

/** How a command names the process: a Processes tree item, a pid, or nothing (the attached one, else a QuickPick asks). */
export type ProcessArg = number | { kind: 'process'; info: NodeProcessInfo } | undefined;

const DURATIONS = [
  { label: '10 seconds', ms: 10_000 },
  { label: '5 seconds', ms: 5_000 },
  { label: '30 seconds', ms: 30_000 },
  { label: '1 minute', ms: 60_000 },
  { label: 'Until I stop it', ms: undefined },
];

const engine = () => import('../runners/profiler/api');

/** The profiles that load another process: Redis and BullMQ benchmarks load PerfLab's own. */
const LOAD_PROFILES = {
  test: (p: Profile) => !KINDS[p.type].ownLoad,
  none: 'the config has no load profile (an http profile) to run against the process',
};

export function registerProfilerCommands(context: vscode.ExtensionContext, profiler: ProfilerController, processes: { refresh(): Promise<void> }): void {
  registerCommand(context, Commands.refreshProcesses, () => processes.refresh());
  registerCommand(context, Commands.attachProcess, (arg: ProcessArg) => profiler.attach(arg));
  registerCommand(context, Commands.detachProcess, () => profiler.detach());
  registerCommand(context, Commands.captureCpuProfile, (arg: ProcessArg) => profiler.captureCpu(arg));
  registerCommand(context, Commands.captureHeapProfile, (arg: ProcessArg) => profiler.captureHeap(arg));
  registerCommand(context, Commands.takeHeapSnapshot, (arg: ProcessArg) => profiler.snapshot(arg));
  registerCommand(context, Commands.findLeaks, (arg: ProcessArg | ProfileArg) => profiler.leaks(arg));
  registerCommand(context, Commands.profileUnderLoad, (arg: ProcessArg | ProfileArg) => profiler.underLoad(arg));
  registerCommand(context, Commands.startLiveMonitor, (arg: ProcessArg) => profiler.startLiveMonitor(arg));
  registerCommand(context, Commands.stopLiveMonitor, () => profiler.stopLiveMonitors());
}

/** The live monitor samples this often, and pulls the samples from the process this often (each pull holds its event loop for up to about a millisecond). */
const LIVE_INTERVAL_MS = 250;
const LIVE_PULL_MS = 500;

export class ProfilerController implements vscode.Disposable {
  private attached: { pid: number; target: AttachedTarget } | undefined;
  /** Live monitors by pid: cancel() stops one (its timeline is saved); `done` settles when it has. */
  private readonly monitors = new Map<number, { cancel(): void; panel?: LiveMonitorPanel; target: AttachedTarget; done: Promise<unknown>; detached?: boolean }>();
  private readonly changed = new vscode.EventEmitter<void>();
  /** The attached process changed (attached, detached, exited). */
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly folders: Folders,
    private readonly runs: RunController,
    private readonly log: vscode.LogOutputChannel,
    /** Processes the editor started for the user (the demo stack's server): offered though they are the editor's children. */
    private readonly services: () => readonly number[] = () => [],
    private readonly extensionUri?: vscode.Uri,
  ) {}

  /** The processes of `list` one may attach to (see {@link attachable}). */
  offered(list: readonly NodeProcessInfo[]): NodeProcessInfo[] {
    return attachable(list, process, this.services());
  }

  get attachedPid(): number | undefined {
    return this.attached?.pid;
  }

  /** The attached process's inspector, as the Processes view shows it. */
  get attachedDescription(): string | undefined {
    return this.attached?.target.description;
  }

  /** `Attach to Node Process…`: holds a session to the process until Detach, or until it exits. */
  async attach(arg: ProcessArg): Promise<void> {
    const pid = await this.pickPid(arg, 'Attach to which Node process?');
    if (pid === undefined) return;
    if (this.attached?.pid === pid) {
      void vscode.window.showInformationMessage(`PerfLab: already attached to ${this.attached.target.description}.`);
      return;
    }
    const target = await this.connect(pid);
    if (!target) return;
    await this.detach();
    this.attached = { pid, target };
    void target.session.gone.then(() => {
      if (this.attached?.target !== target) return;
      this.log.info(`pid ${pid} exited or closed its inspector: detached`);
      void vscode.window.showWarningMessage(`PerfLab: pid ${pid} exited (or closed its inspector); detached.`);
      void this.detach();
    });
    this.log.info(`Attached to ${target.description}`);
    void setContext(ContextKeys.attached, true);
    this.changed.fire();
    void vscode.window.showInformationMessage(`PerfLab: attached to ${target.description}. Capture a CPU profile or profile it under load from the Processes view.`);
  }

  /** Closes the session (and the inspector, when PerfLab opened it). */
  async detach(): Promise<void> {
    const was = this.attached;
    if (!was) return;
    this.attached = undefined;
    void setContext(ContextKeys.attached, false);
    this.changed.fire();
    // A live monitor on this session stops first and saves its timeline, so it does not read the
    // session closing under it as the process exiting (bounded: a stuck save does not hold the detach).
    const users = [...this.monitors.values()].filter((m) => m.target === was.target);
    for (const m of users) {
      m.detached = true;
      m.cancel();
    }
    if (users.length) await Promise.race([Promise.all(users.map((m) => m.done)), new Promise((resolve) => setTimeout(resolve, 2_000))]);
    await was.target.close();
    this.log.info(`Detached from pid ${was.pid}`);
  }

  /** `Capture CPU Profile`: for a chosen time (or until stopped), saved under `.perflab/captures/`, opened in the flame graph. */
  async captureCpu(arg: ProcessArg): Promise<void> {
    const asked = await this.askTimedCapture(arg, 'Capture a CPU profile of which Node process?', 'Profile for how long?');
    if (!asked) return;
    const { pid, duration, dir } = asked;
    const { captureCpuProfile, defaultCaptureName } = await engine();
    const result = await this.capture(pid, `PerfLab: CPU profile of pid ${pid}`, 'cpu profile', (target) =>
      captureCpuProfile(target.session, { out: path.join(dir, defaultCaptureName('cpu', pid, 'cpuprofile')), durationMs: duration.ms }),
    );
    if (!result) return;
    this.log.info(`CPU profile of pid ${pid}: ${result.file} (${formatDuration(result.wallMs)}, ${result.sampleCount} samples)`);
    await openFlame(result.file);
  }

  /**
   * `Capture Heap Profile`: V8's sampling heap profiler for a chosen time, which functions
   * allocated how much (collected objects included); saved under `.perflab/captures/`, its
   * report (as `perflab analyze` prints it) in the PerfLab log, the top allocators said.
   */
  async captureHeap(arg: ProcessArg): Promise<void> {
    const asked = await this.askTimedCapture(arg, 'Capture a heap profile of which Node process?', 'Sample allocations for how long?');
    if (!asked) return;
    const { pid, duration, dir } = asked;
    const { captureHeapProfile, defaultCaptureName } = await engine();
    const result = await this.capture(pid, `PerfLab: heap profile of pid ${pid}`, 'heap profile', (target) =>
      captureHeapProfile(target.session, { out: path.join(dir, defaultCaptureName('heap', pid, 'heapprofile')), durationMs: duration.ms }),
    );
    if (!result) return;
    const analysis = await analyzeHeapProfile(result.file);
    const cwd = (await this.folders.primary())?.folder.uri.fsPath ?? path.dirname(result.file);
    this.log.info(`Heap profile of pid ${pid}: ${result.file}\n${formatHeapProfile(analysis, 15, cwd)}`);
    const top = analysis.functions[0];
    const lead = top ? `; most by ${top.name || '(anonymous)'} (${formatBytes(top.selfSize)}, ${formatPercent(top.selfSize / (analysis.totalSize || 1))})` : '';
    const pick = await vscode.window.showInformationMessage(
      `PerfLab: heap profile of pid ${pid}: ${formatBytes(analysis.totalSize)} allocated in ${formatDuration(result.durationMs)}${lead}.`,
      'Show Report', 'Open Profile',
    );
    if (pick === 'Show Report') this.log.show(true);
    if (pick === 'Open Profile') await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(result.file));
  }

  /**
   * `Take Heap Snapshot`: asks first, since V8 pauses the target while it writes the heap and the
   * target's memory grows to about 15× its heap meanwhile (a machine without that memory is said
   * so, and the snapshot is taken only when asked again); saved under `.perflab/captures/`.
   */
  async snapshot(arg: ProcessArg): Promise<void> {
    const pid = await this.pickPid(arg, 'Take a heap snapshot of which Node process?');
    if (pid === undefined) return;
    const dir = await this.capturesDir();
    if (!dir) return;
    const { checkSnapshotMemory, takeHeapSnapshot, defaultCaptureName } = await engine();
    const result = await this.withTarget(pid, async (target) => {
      const memory = await checkSnapshotMemory(target.session);
      const go = memory.ok ? 'Take Snapshot' : 'Take It Anyway';
      const answer = await vscode.window.showWarningMessage(
        `PerfLab: take a heap snapshot of pid ${pid}? It pauses the process until the heap is written.`,
        { modal: true, detail: memory.message },
        go,
      );
      if (answer !== go) return undefined;
      return this.captureOn(`PerfLab: heap snapshot of pid ${pid}`, 'heap snapshot', () =>
        takeHeapSnapshot(target.session, { out: path.join(dir, defaultCaptureName('snapshot', pid, 'heapsnapshot')), force: !memory.ok }),
      );
    });
    if (!result) return;
    this.log.info(`Heap snapshot of pid ${pid}: ${result.file} (${formatBytes(result.bytes)}, ${formatDuration(result.durationMs)})`);
    const reveal = await vscode.window.showInformationMessage(`PerfLab: heap snapshot of pid ${pid} saved (${formatBytes(result.bytes)}): ${path.basename(result.file)}.`, 'Reveal in Explorer');
    if (reveal) await vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(result.file));
  }

  /**
   * `Profile Under Load…`: a load profile of the config against the process while its CPU is
   * profiled. The run shows as every run does; then its page and the flame graph of its profile.
   * Named by a Profiles item, the process is the attached one (or asked for); named by a process, the profile is asked for.
   */
  async underLoad(arg: ProcessArg | ProfileArg): Promise<void> {
    const profileArg = typeof arg === 'object' && arg?.kind === 'profile' ? arg : typeof arg === 'string' ? arg : undefined;
    const processArg = typeof arg === 'number' || (typeof arg === 'object' && arg?.kind === 'process') ? arg : undefined;
    const pid = await this.pickPid(processArg, 'Profile which Node process under load?');
    if (pid === undefined) return;
    const ready = await this.runs.prepare(profileArg, `Which load profile to run against pid ${pid} while profiling it?`, LOAD_PROFILES);
    if (!ready) return;
    const { profileUnderLoad } = await engine();
    const result = await this.withTarget(pid, async (target) => {
      let started!: (run: ProfileRun) => void;
      const run = new Promise<ProfileRun>((resolve) => (started = resolve));
      // Heap sampling beside the CPU profile: the run's findings then name the allocators too.
      const handle = profileUnderLoad(target.session, { ...ready.options, heap: true, targetPid: pid, targetDescription: target.description, onRun: started });
      handle.on('log', (l) => this.log[l.level](`[${ready.name} under load] ${l.message}`));
      const outcome = handle.result;
      // Until the load run starts (or the capture fails first), there is nothing to follow.
      const live = await Promise.race([run, outcome.then(() => undefined)]);
      if (live) {
        const record = outcome.then((r) => r.record);
        await this.runs.follow(ready, { id: live.id, handle: live.handle, record }, () => handle.cancel(), { title: `PerfLab: ${ready.name}, profiling pid ${pid}` });
      }
      return outcome;
    });
    if (result?.cpu) await openFlame(result.cpu.file);
  }

  /**
   * `Find Leaks…`: the three-snapshot method with a load profile as the action: a baseline
   * snapshot, a run of the profile, a target snapshot, a forced GC and a final snapshot; what the
   * run left alive, grouped by constructor with its retainer path, is the report (in the PerfLab
   * log; `leaks.json` and the snapshots under `.perflab/captures/leaks-…/`). Asks first: each
   * snapshot pauses the process.
   */
  async leaks(arg: ProcessArg | ProfileArg): Promise<void> {
    const profileArg = typeof arg === 'object' && arg?.kind === 'profile' ? arg : typeof arg === 'string' ? arg : undefined;
    const processArg = typeof arg === 'number' || (typeof arg === 'object' && arg?.kind === 'process') ? arg : undefined;
    const pid = await this.pickPid(processArg, 'Find leaks in which Node process?');
    if (pid === undefined) return;
    const ready = await this.runs.prepare(profileArg, `Which load profile to run against pid ${pid} between the snapshots?`, LOAD_PROFILES);
    if (!ready) return;
    const dir = await this.capturesDir(ready.folder);
    if (!dir) return;
    const { checkSnapshotMemory, defaultCaptureName, findLeaks, loadProfileAction } = await engine();
    const result = await this.withTarget(pid, async (target) => {
      const memory = await checkSnapshotMemory(target.session);
      const go = memory.ok ? 'Find Leaks' : 'Find Them Anyway';
      const answer = await vscode.window.showWarningMessage(
        `PerfLab: find leaks in pid ${pid}? PerfLab takes three heap snapshots around a run of ${ready.name}; each pauses the process until its heap is written.`,
        { modal: true, detail: memory.message },
        go,
      );
      if (answer !== go) return undefined;
      const out = path.join(dir, defaultCaptureName('leaks', pid, '').replace(/\.$/, ''));
      return this.captureOn(`PerfLab: finding leaks in pid ${pid}`, 'leaks', () =>
        findLeaks(target.session, { dir: out, action: loadProfileAction(ready.options), force: !memory.ok }),
      );
    });
    if (!result) return;
    this.log.info(`Leaks in pid ${pid}: ${result.file} (${result.action}, ${result.operations} operations)\n${result.summary.join('\n')}`);
    const pick = await vscode.window.showInformationMessage(`PerfLab: leaks in pid ${pid}: ${result.summary[0] ?? 'nothing found'}`, 'Show Report', 'Open leaks.json');
    if (pick === 'Show Report') this.log.show(true);
    if (pick === 'Open leaks.json') await vscode.window.showTextDocument(vscode.Uri.file(result.file));
  }

  /**
   * `Start Live Monitor`: event-loop delay, heap, RSS, CPU and GC of a process in a live panel,
   * until Stop Live Monitor, the panel's Stop or close, or the process exits; then its timeline is
   * saved under `.perflab/captures/` (the file `perflab profile monitor --out` writes).
   */
  async startLiveMonitor(arg: ProcessArg): Promise<void> {
    const pid = await this.pickPid(arg, 'Monitor which Node process live?');
    if (pid === undefined || !this.extensionUri) return;
    const running = this.monitors.get(pid);
    if (running) {
      running.panel?.reveal();
      return;
    }
    const dir = await this.capturesDir();
    if (!dir) return;
    const held = this.attached?.pid === pid ? this.attached.target : undefined;
    const target = held ?? (await this.connect(pid));
    if (!target) return;
    const { captureMonitor, defaultCaptureName } = await engine();
    const out = path.join(dir, defaultCaptureName('monitor', pid, 'json'));
    const handle = captureMonitor(target.session, { out, intervalMs: LIVE_INTERVAL_MS, pullEveryMs: LIVE_PULL_MS, targetLabel: target.description });
    const panel = LiveMonitorPanel.show(this.extensionUri, this.log, { key: `process:${pid}`, title: `Live: pid ${pid}`, process: target.description, onStop: () => handle.cancel() });
    const entry = { cancel: () => handle.cancel(), panel, target, done: handle.result.catch(() => undefined), detached: false };
    this.monitors.set(pid, entry);
    void setContext(ContextKeys.monitoring, true);
    handle.on('sample', (s) => panel.addProcessSample(s));
    this.log.info(`Live monitor of ${target.description} started`);
    try {
      const result = await handle.result;
      const file = result.file ? vscode.workspace.asRelativePath(result.file) : undefined;
      const why = entry.detached ? 'stopped (detached from the process)' : result.endedBy === 'target-exit' ? 'the process exited' : 'stopped';
      panel.end(`Monitor ${why} after ${formatDuration((result.samples.at(-1)?.t ?? 0) * 1000)}${file ? `; its timeline is saved in ${file}` : ''}.`);
      this.log.info(`Live monitor of pid ${pid} ${why}${file ? `; timeline in ${file}` : ''}`);
    } catch (err) {
      panel.end(`Monitor stopped: ${(err as Error).message}.`);
      this.log.warn(`Live monitor of pid ${pid}: ${(err as Error).message}`);
    } finally {
      this.monitors.delete(pid);
      void setContext(ContextKeys.monitoring, this.monitors.size > 0);
      if (!held) await target.close();
    }
  }

  /** `Stop Live Monitor`: stops every live monitor of a process (each saves its timeline). */
  stopLiveMonitors(): void {
    if (!this.monitors.size) {
      void vscode.window.showInformationMessage('PerfLab: no live monitor is running.');
      return;
    }
    for (const m of this.monitors.values()) m.cancel();
  }

  /** A pid: from the argument, the attached process, or a QuickPick of the local Node processes. */
  private async pickPid(arg: ProcessArg, question: string): Promise<number | undefined> {
    if (typeof arg === 'number') return arg;
    if (arg?.kind === 'process') return arg.info.pid;
    if (this.attached) return this.attached.pid;
    const { listNodeProcesses } = await engine();
    const items = this.offered(await listNodeProcesses({ probe: false })).map((p) => ({ label: processLabel(p), description: `pid ${p.pid}`, detail: p.command, pid: p.pid }));
    if (!items.length) {
      void vscode.window.showInformationMessage('PerfLab: no Node process found on this machine (only your own user\'s processes can be attached).');
      return undefined;
    }
    return (await vscode.window.showQuickPick(items, { placeHolder: question, matchOnDescription: true, matchOnDetail: true }))?.pid;
  }

  /** What a capture for a time asks first: the process, how long, and the folder it goes to (undefined: the user gave up, or told why not). */
  private async askTimedCapture(arg: ProcessArg, which: string, howLong: string): Promise<{ pid: number; duration: (typeof DURATIONS)[number]; dir: string } | undefined> {
    const pid = await this.pickPid(arg, which);
    if (pid === undefined) return undefined;
    const duration = await vscode.window.showQuickPick(DURATIONS, { placeHolder: `${howLong} (Cancel in the notification stops early and keeps what was captured)` });
    if (!duration) return undefined;
    const dir = await this.capturesDir();
    return dir ? { pid, duration, dir } : undefined;
  }

  /** A capture of `pid` (attached for it when it is not) with its notification; undefined after an error was shown. */
  private capture<R>(pid: number, title: string, what: string, start: (target: AttachedTarget) => CaptureHandle<R>): Promise<R | undefined> {
    return this.withTarget(pid, (target) => this.captureOn(title, what, () => start(target)));
  }

  /** Shows a capture as a notification: its progress, Cancel (which ends it early and keeps what it has), its log lines. */
  private async captureOn<R>(title: string, what: string, start: () => CaptureHandle<R>): Promise<R> {
    return await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (progress, token) => {
      const handle = start();
      token.onCancellationRequested(() => handle.cancel());
      handle.on('log', (l) => this.log[l.level](`[${what}] ${l.message}`));
      let reported = 0;
      handle.on('progress', (p) => {
        const increment = Math.max(0, p.fraction * 100 - reported);
        reported += increment;
        progress.report({ increment, message: p.message ?? `${formatDuration(p.elapsedMs)}${p.totalMs ? ` of ${formatDuration(p.totalMs)}` : ' (Cancel to stop and save)'}` });
      });
      return handle.result;
    });
  }

  /** Attaches with a progress note; a failure is shown (with what to check) and gives undefined. */
  private async connect(pid: number): Promise<AttachedTarget | undefined> {
    const { attach } = await engine();
    try {
      return await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `PerfLab: attaching to pid ${pid}…` }, () =>
        attach({ kind: 'pid', pid }, { log: (level, message) => this.log[level](`[attach] ${message}`) }),
      );
    } catch (err) {
      void vscode.window.showErrorMessage(`PerfLab: could not attach to pid ${pid}: ${(err as Error).message}`);
      return undefined;
    }
  }

  /** Runs `fn` on the attached session of `pid`, or on one opened for it and closed after; errors are shown. */
  private async withTarget<T>(pid: number, fn: (target: AttachedTarget) => Promise<T>): Promise<T | undefined> {
    const held = this.attached?.pid === pid ? this.attached.target : undefined;
    const target = held ?? (await this.connect(pid));
    if (!target) return undefined;
    try {
      return await fn(target);
    } catch (err) {
      void vscode.window.showErrorMessage(`PerfLab: ${(err as Error).message}`);
      return undefined;
    } finally {
      if (!held) await target.close();
    }
  }

  /**
   * `.perflab/captures` beside the runs folder of `folder` (by default the first with a config),
   * or undefined with a message when no folder is open.
   */
  private async capturesDir(folder?: PerfLabFolder): Promise<string | undefined> {
    const runs = (folder ?? (await this.folders.primary()))?.runsPath;
    if (!runs) {
      void vscode.window.showErrorMessage('PerfLab: open a folder first; captures are saved in it.');
      return undefined;
    }
    return path.join(path.dirname(runs), 'captures');
  }

  dispose(): void {
    for (const m of this.monitors.values()) m.cancel();
    void this.detach();
    this.changed.dispose();
  }
}

async function openFlame(file: string): Promise<void> {
  await vscode.commands.executeCommand('vscode.openWith', vscode.Uri.file(file), CustomEditors.cpuProfile);
}
