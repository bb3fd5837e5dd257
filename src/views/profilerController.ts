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
import { formatDuration } from '../core/format';
import { KINDS } from '../runners/registry';
import type { AttachedTarget, NodeProcessInfo } from '../runners/profiler/api';
import { attachable, processLabel } from '../runners/profiler/processList';
import type { ProfileRun } from '../runners/runProfile';
import { registerCommand, setContext } from './contributions';
import type { ProfileArg, RunController } from './runController';
import type { PerfLabWorkspace } from './workspace';

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

export function registerProfilerCommands(context: vscode.ExtensionContext, profiler: ProfilerController, processes: { refresh(): Promise<void> }): void {
  registerCommand(context, Commands.refreshProcesses, () => processes.refresh());
  registerCommand(context, Commands.attachProcess, (arg: ProcessArg) => profiler.attach(arg));
  registerCommand(context, Commands.detachProcess, () => profiler.detach());
  registerCommand(context, Commands.captureCpuProfile, (arg: ProcessArg) => profiler.captureCpu(arg));
  registerCommand(context, Commands.profileUnderLoad, (arg: ProcessArg | ProfileArg) => profiler.underLoad(arg));
}

export class ProfilerController implements vscode.Disposable {
  private attached: { pid: number; target: AttachedTarget } | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  /** The attached process changed (attached, detached, exited). */
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly workspace: PerfLabWorkspace,
    private readonly runs: RunController,
    private readonly log: vscode.LogOutputChannel,
    /** Processes the editor started for the user (the demo stack's server): offered though they are the editor's children. */
    private readonly services: () => readonly number[] = () => [],
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
    await was.target.close();
    this.log.info(`Detached from pid ${was.pid}`);
  }

  /** `Capture CPU Profile`: for a chosen time (or until stopped), saved under `.perflab/captures/`, opened in the flame graph. */
  async captureCpu(arg: ProcessArg): Promise<void> {
    const pid = await this.pickPid(arg, 'Capture a CPU profile of which Node process?');
    if (pid === undefined) return;
    const duration = await vscode.window.showQuickPick(DURATIONS, { placeHolder: 'Profile for how long? (Cancel in the notification stops early and keeps what was captured)' });
    if (!duration) return;
    const dir = this.capturesDir();
    if (!dir) return;
    const { captureCpuProfile, defaultCaptureName } = await engine();
    const file = await this.withTarget(pid, async (target) =>
      vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `PerfLab: CPU profile of pid ${pid}`, cancellable: true },
        async (progress, token) => {
          const handle = captureCpuProfile(target.session, { out: path.join(dir, defaultCaptureName('cpu', pid, 'cpuprofile')), durationMs: duration.ms });
          token.onCancellationRequested(() => handle.cancel());
          handle.on('log', (l) => this.log[l.level](`[cpu profile] ${l.message}`));
          let reported = 0;
          handle.on('progress', (p) => {
            const increment = Math.max(0, p.fraction * 100 - reported);
            reported += increment;
            progress.report({ increment, message: `${formatDuration(p.elapsedMs)}${p.totalMs ? ` of ${formatDuration(p.totalMs)}` : ' (Cancel to stop and save)'}` });
          });
          const result = await handle.result;
          this.log.info(`CPU profile of pid ${pid}: ${result.file} (${formatDuration(result.wallMs)}, ${result.sampleCount} samples)`);
          return result.file;
        },
      ),
    );
    if (file) await openFlame(file);
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
    const ready = await this.runs.prepare(profileArg, `Which load profile to run against pid ${pid} while profiling it?`, {
      // Redis and BullMQ benchmarks load PerfLab's own process, not the one profiled.
      test: (p) => !KINDS[p.type].ownLoad,
      none: 'the config has no load profile (an http profile) to run against the process',
    });
    if (!ready) return;
    const { profileUnderLoad } = await engine();
    const result = await this.withTarget(pid, async (target) => {
      let started!: (run: ProfileRun) => void;
      const run = new Promise<ProfileRun>((resolve) => (started = resolve));
      const handle = profileUnderLoad(target.session, { ...ready.options, targetPid: pid, targetDescription: target.description, onRun: started });
      handle.on('log', (l) => this.log[l.level](`[${ready.name} under load] ${l.message}`));
      const outcome = handle.result;
      // Until the load run starts (or the capture fails first), there is nothing to follow.
      const live = await Promise.race([run, outcome.then(() => undefined)]);
      if (live) {
        const record = outcome.then((r) => r.record);
        await this.runs.follow(ready.name, ready.profile, { id: live.id, handle: live.handle, record }, () => handle.cancel(), { title: `PerfLab: ${ready.name}, profiling pid ${pid}` });
      }
      return outcome;
    });
    if (result?.cpu) await openFlame(result.cpu.file);
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

  /** `.perflab/captures` beside the runs folder (created), or undefined with a message when no folder is open. */
  private capturesDir(): string | undefined {
    const runs = this.workspace.runsPath;
    if (!runs) {
      void vscode.window.showErrorMessage('PerfLab: open a folder first; captures are saved in it.');
      return undefined;
    }
    return path.join(path.dirname(runs), 'captures');
  }

  dispose(): void {
    void this.detach();
    this.changed.dispose();
  }
}

async function openFlame(file: string): Promise<void> {
  await vscode.commands.executeCommand('vscode.openWith', vscode.Uri.file(file), CustomEditors.cpuProfile);
}
