/**
 * Runs a profile from the editor, on the same engine as `perflab run`: a progress notification
 * with the live figures and a Cancel button, a status bar item while it runs (click: stop), the
 * run's log in the PerfLab output channel, then the run page and the Runs view. A run of a
 * profile with a saved baseline (Set as Baseline) is compared with it as it ends, the comparison
 * kept in its record as `perflab run --baseline saved` does. One run at a time. The engine (runs
 * and comparisons, src/views/engine.ts) loads on the first run from its own bundle
 * (dist/run-profile.js), so the editor's activation does not pay for it; the load generator and
 * the analysis run off the extension host's thread.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Commands } from '../constants';
import { CAPACITY_DEFAULTS, type CapacityPlan, isCapacityProfile } from '../core/capacity';
import type { PerfLabConfig, Profile } from '../core/config';
import { liveText, type LiveFigures, type LiveProgress } from '../core/report/live';
import type { RunRecord, TimelinePoint } from '../core/runRecord';
import { remoteHostsOf } from '../core/config/hosts';
import { KINDS, kindOf, untrustedRefusal } from '../runners/registry';
import type { ProfileRun, ProfileRunOptions } from '../runners/runProfile';
import type { ConfigState } from './configService';
import type { Folders, PerfLabFolder } from './folders';
import type { RedisSecrets } from './redisSecrets';
import { registerCommand } from './contributions';
import { LiveMonitorPanel } from './liveMonitor';
import { RunPanel } from './runPanel';
import { runOutcomeText } from './runText';

export function registerRunCommands(context: vscode.ExtensionContext, controller: RunController): void {
  registerCommand(context, Commands.runProfile, (arg: ProfileArg) => controller.run(arg));
  registerCommand(context, Commands.findCapacity, (arg: ProfileArg) => controller.findCapacity(arg));
  registerCommand(context, Commands.runLastProfile, () => controller.runLast());
  registerCommand(context, Commands.stopRun, () => controller.stop());
  registerCommand(context, Commands.showRunMonitor, () => controller.showMonitor());
}

/**
 * How a command names the profile: a Profiles tree item, a CodeLens or a test item (the profile
 * and its folder), a name (looked for in each folder with a config, in order), or nothing (then a
 * QuickPick asks).
 */
export type ProfileArg = string | { kind: 'profile'; profile: Pick<Profile, 'name'>; folder?: PerfLabFolder } | undefined;

/**
 * How a run is shown. From the palette and the views: the run page when it ends and a
 * notification of its outcome. The Test Explorer shows the outcome itself (`quiet`), cancels
 * through its own `token` and shows the run's log in its output (`onLog`).
 */
export interface RunHow {
  title?: string;
  /** Search the profile's capacity instead of running its phases (Find Capacity…). */
  capacity?: CapacityPlan;
  quiet?: boolean;
  token?: vscode.CancellationToken;
  onLog?: (line: string) => void;
}

/** A run ready to start: its profile, the folder whose config has it (and whose runs folder keeps the run), and the options of runProfile. */
export interface PreparedRun {
  name: string;
  profile: Profile;
  folder: PerfLabFolder;
  options: ProfileRunOptions;
}

const CONFIRMED_HOSTS_KEY = 'perflab.confirmedHosts';

interface LiveRun {
  profile: string;
  cancel(): void;
  /** What the live monitor of the run shows: every second of it so far, the samples of its process. */
  id: string;
  rateUnit: string;
  seconds: TimelinePoint[];
  processSamples: unknown[];
  /** Whether the run samples a process (its live monitor then shows it). */
  sampling: boolean;
  monitor?: LiveMonitorPanel;
}

export class RunController implements vscode.Disposable {
  private live: LiveRun | undefined;
  private last: { name: string; folder: PerfLabFolder } | undefined;
  private readonly status = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Left, 50);

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly folders: Folders,
    private readonly log: vscode.LogOutputChannel,
    private readonly secrets: RedisSecrets,
    /** The workspace's state: the hosts the user has confirmed load for. */
    private readonly memento: vscode.Memento,
  ) {
    this.status.command = Commands.showRunMonitor;
  }

  /** `Run Last Profile Again`: the profile of the last run started here, else asks. */
  runLast(): Promise<RunRecord | undefined> {
    const last = this.last;
    // The folder may have been closed since: then the name alone.
    const open = last && this.folders.all().includes(last.folder);
    return this.run(last && open ? { kind: 'profile', profile: { name: last.name }, folder: last.folder } : last?.name);
  }

  /**
   * `Find Capacity…`: the highest arrival rate the profile's target sustains within its
   * thresholds, as `perflab capacity` finds it; asks how long each step holds its rate.
   */
  async findCapacity(arg: ProfileArg): Promise<RunRecord | undefined> {
    const ready = await this.prepare(arg, 'Find the capacity of which profile?', {
      test: isCapacityProfile,
      none: 'the config has no http profile and no bullmq profile with "workers": "app": a capacity search steps their arrival rate',
    });
    if (!ready) return undefined;
    if (!isCapacityProfile(ready.profile)) {
      void vscode.window.showErrorMessage(`PerfLab: a capacity search steps the arrival rate of an http profile, or of a bullmq profile with "workers": "app"; "${ready.name}" is a ${kindOf(ready.profile.type).label} profile${ready.profile.type === 'bullmq' ? " of PerfLab's own worker" : ''}.`);
      return undefined;
    }
    const picked = await vscode.window.showQuickPick(
      [
        { label: 'Standard', description: '10 s per step', detail: 'A few minutes for most services', stepMs: 10_000 },
        { label: 'Quick', description: '4 s per step', detail: 'A first idea in about a minute; noisier near the limit', stepMs: 4_000 },
        { label: 'Thorough', description: '30 s per step', detail: 'Steadier figures (slow leaks and GC show); ten minutes or more', stepMs: 30_000 },
      ],
      { placeHolder: `Find the capacity of ${ready.name}: how long should each step hold its rate?` },
    );
    if (!picked) return undefined;
    return this.start(ready, { capacity: { ...CAPACITY_DEFAULTS, stepMs: picked.stepMs } });
  }

  /** The status bar item: the live monitor of the run in progress (its rate and latency, and its process when it samples one). */
  showMonitor(): void {
    const live = this.live;
    if (!live) {
      void vscode.window.showInformationMessage('PerfLab: no run is in progress.');
      return;
    }
    if (!live.monitor || live.monitor.closed) {
      const panel = LiveMonitorPanel.show(this.extensionUri, this.log, {
        key: `run:${live.id}`,
        title: `Live: ${live.profile}`,
        run: { profile: live.profile, rateUnit: live.rateUnit },
        ...(live.sampling ? { process: `the process ${live.profile} samples` } : {}),
        onStop: () => this.stop(),
      });
      for (const s of live.seconds) panel.addRunPoint(s);
      for (const s of live.processSamples) panel.addProcessSample(s);
      live.monitor = panel;
    } else {
      live.monitor.reveal();
    }
  }

  stop(): void {
    if (!this.live) {
      void vscode.window.showInformationMessage('PerfLab: no run is in progress.');
      return;
    }
    this.log.info(`Stopping the run of ${this.live.profile}: saving what was measured so far`);
    this.live.cancel();
  }

  /** Runs a profile and opens its page; resolves with the record (undefined when nothing ran). */
  async run(arg: ProfileArg, how: RunHow = {}): Promise<RunRecord | undefined> {
    const ready = await this.prepare(arg);
    if (!ready || how.token?.isCancellationRequested) return undefined;
    return this.start(ready, how);
  }

  /** Starts a prepared run and follows it (see {@link follow}). */
  private async start(ready: PreparedRun, how: RunHow): Promise<RunRecord | undefined> {
    const { runProfile } = await import('./engine');
    let started: ProfileRun;
    try {
      started = runProfile({
        ...ready.options,
        ...(how.capacity ? { capacity: how.capacity } : {}),
        // The process the run samples, for its live monitor (the status bar item opens it).
        onProcessSample: (sample) => {
          const live = this.live;
          if (!live || live.id !== started.id) return;
          live.processSamples.push(sample);
          live.monitor?.addProcessSample(sample);
        },
      });
    } catch (err) {
      void vscode.window.showErrorMessage(`PerfLab: ${(err as Error).message}`);
      return undefined;
    }
    this.last = { name: ready.name, folder: ready.folder };
    return this.follow(ready, started, () => started.handle.cancel(), how);
  }

  /**
   * What a run needs before it starts: no other run in progress, a valid config, the profile
   * (asked for with a QuickPick of those `eligible`, from every folder with a config, when `arg`
   * names none; `eligible.none` says why there is none to pick). Undefined, after telling the
   * user why, when it cannot start.
   */
  async prepare(arg: ProfileArg, question = 'Run which profile?', eligible?: { test: (p: Profile) => boolean; none: string }): Promise<PreparedRun | undefined> {
    if (await this.refuseWhileRunning()) return undefined;
    const configured = await this.folders.configured();
    if (!configured.length) {
      const create = await vscode.window.showWarningMessage('PerfLab: this workspace has no perflab.config.json yet.', 'Create Starter Config');
      if (create) await vscode.commands.executeCommand(Commands.initConfig);
      return undefined;
    }
    const states = await Promise.all(configured.map(async (folder) => ({ folder, state: await folder.config.current() })));
    const chosen = await this.pickProfile(arg, states, question, eligible);
    if (!chosen) return undefined;
    const { folder, state, name } = chosen;
    const config = state.config!;
    const file = state.file!;
    const profile = config.profiles[name]!;
    const untrusted = vscode.workspace.isTrusted ? undefined : untrustedRefusal(profile);
    if (untrusted) {
      const trust = await vscode.window.showErrorMessage(`PerfLab: ${untrusted}.`, 'Manage Workspace Trust');
      if (trust) await vscode.commands.executeCommand('workbench.trust.manage');
      return undefined;
    }
    if (!(await this.confirmHosts(name, config, profile))) return undefined;
    if (!(await this.confirmAppWorkers(name, config, profile))) return undefined;
    return {
      name,
      profile,
      folder,
      options: {
        config,
        profile: name,
        configDir: path.dirname(file),
        configName: path.basename(file),
        store: folder.runs.store,
        // The Redis password, when one is stored, reaches the engine as it reads it: from the environment.
        env: await this.secrets.env(config),
        // Custom generators are workspace code: they run only in a trusted workspace.
        trusted: vscode.workspace.isTrusted,
        // Redis and BullMQ benchmarks in a process of their own: the editor stays responsive.
        ownProcess: true,
      },
    };
  }

  /**
   * Shows a started run the way every run is shown (the notification with its live figures and
   * Cancel, the status bar item, the log), then its page and its outcome. Also for the load run
   * of a profile under load, whose `cancel` stops the captures too. Resolves with the record.
   */
  async follow(ready: Pick<PreparedRun, 'name' | 'profile' | 'folder'>, run: Pick<ProfileRun, 'id' | 'handle' | 'record'>, cancel: () => void, how: RunHow = {}): Promise<RunRecord> {
    const { name, profile, folder } = ready;
    const kind = kindOf(profile.type);
    const live: LiveRun = { profile: name, cancel, id: run.id, rateUnit: kind.words.rateUnit, seconds: [], processSamples: [], sampling: profile.process !== undefined };
    this.live = live;
    run.handle.on('sample', (s) => {
      live.seconds.push(s);
      live.monitor?.addRunPoint(s);
    });
    const title = how.title ?? `PerfLab: ${name}`;
    this.log.info(`Running ${name} (${kind.label}), run ${run.id}`);
    run.handle.on('log', (l) => {
      this.log[l.level](`[${name}] ${l.message}`);
      how.onLog?.(`[${l.level}] ${l.message}`);
    });
    const cancelled = how.token?.onCancellationRequested(() => this.stop());
    this.status.text = `$(pulse) PerfLab: ${name}`;
    this.status.tooltip = `Running ${name}: click for its live monitor (Stop Run stops it and saves what was measured)`;
    this.status.show();
    try {
      let record = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title, cancellable: true },
        (progress, token) => {
          token.onCancellationRequested(() => this.stop());
          let last: LiveProgress | undefined;
          let sample: LiveFigures | undefined;
          let reported = 0;
          const show = () => {
            const fraction = Math.min(1, last?.fraction ?? 0);
            const increment = Math.max(0, fraction * 100 - reported);
            reported += increment;
            const text = liveText(last, sample, { bar: false, rateUnit: kind.words.rateUnit });
            progress.report({ message: text, increment });
            this.status.text = `$(pulse) PerfLab: ${name} ${Math.round(fraction * 100)}%`;
          };
          run.handle.on('progress', (p) => {
            last = p;
            show();
          });
          run.handle.on('sample', (s) => {
            sample = s;
            show();
          });
          return run.record;
        },
      );
      if (!record.capacity) record = await this.compareWithBaseline(ready, record);
      live.monitor?.end(runOutcomeText(record).text.replace(/^PerfLab: /, ''));
      folder.runs.refresh();
      if (!how.quiet) {
        RunPanel.show(this.extensionUri, folder.runs, this.log, record);
        this.tellOutcome(record);
      }
      return record;
    } finally {
      cancelled?.dispose();
      this.live = undefined;
      this.status.hide();
    }
  }

  /**
   * When the profile has a saved baseline, compares the completed run with it and keeps the
   * comparison in the run's record (its `pass` then also needs no regression). A comparison that
   * cannot be made (the baseline was deleted, holds no metrics) is a warning: the run stays as
   * it was recorded.
   */
  private async compareWithBaseline(ready: Pick<PreparedRun, 'name' | 'profile' | 'folder'>, record: RunRecord): Promise<RunRecord> {
    const { name, profile } = ready;
    const store = ready.folder.runs.store;
    if (record.status !== 'completed') return record;
    try {
      const { compareWithSavedBaseline } = await import('./engine');
      const compared = await compareWithSavedBaseline(store, record, profile.regressions);
      if (!compared) return record;
      const { comparison, baselineId } = compared;
      this.log.info(`Compared ${name} (run ${record.id}) with its baseline ${baselineId}: ${comparison.regressions} regression(s) in ${comparison.metrics.length} metrics`);
      for (const w of comparison.warnings) this.log.warn(`[${name}] comparison with the baseline: ${w}`);
      return compared.record;
    } catch (err) {
      const why = (err as Error).message;
      this.log.warn(`Run ${record.id} of ${name} was not compared with its baseline: ${why}`);
      void vscode.window.showWarningMessage(`PerfLab: ${name} was not compared with its baseline: ${why}. The run is saved as it was measured.`);
      return record;
    }
  }

  /**
   * Load for a host that is not this machine (the config allows it) goes only after the user
   * said so, once per host in this workspace. False when they did not.
   */
  private async confirmHosts(name: string, config: PerfLabConfig, profile: Profile): Promise<boolean> {
    const confirmed = this.memento.get<string[]>(CONFIRMED_HOSTS_KEY, []);
    for (const host of remoteHostsOf(config, profile, !!KINDS[profile.type].usesRedis)) {
      if (confirmed.includes(host)) continue;
      const answer = await vscode.window.showWarningMessage(
        `PerfLab: ${name} sends load to ${host}, which is not this machine.`,
        { modal: true, detail: 'The config allows it (allowHosts). Load only a service that is yours to load, never one that others depend on. PerfLab asks once per host in this workspace.' },
        'Send Load',
      );
      if (answer !== 'Send Load') return false;
      confirmed.push(host);
      await this.memento.update(CONFIRMED_HOSTS_KEY, confirmed);
      this.log.info(`Load to ${host} confirmed for this workspace`);
    }
    return true;
  }

  /**
   * A run of the app's own workers (`"workers": "app"`) adds jobs to the app's queue, and the
   * app's job code runs them, side effects and all: it goes only after the user said so, every
   * time (a modal, as for a remote host). False when they did not.
   */
  private async confirmAppWorkers(name: string, config: PerfLabConfig, profile: Profile): Promise<boolean> {
    if (profile.type !== 'bullmq' || profile.workers !== 'app') return true;
    const prefix = config.stack.queues.find((q) => q.name === profile.queue)?.prefix ?? 'bull';
    const answer = await vscode.window.showWarningMessage(
      `PerfLab: ${name} adds jobs to your app's queue "${profile.queue}", and your app's workers will run them.`,
      {
        modal: true,
        detail: `Whatever a "${profile.jobName ?? 'perflab'}" job does in your app (send an email, charge a card, write rows) happens for each job PerfLab adds to "${prefix}:${profile.queue}". ` +
          'PerfLab marks its jobs ("_perflab" in their data, ids "perflab-…") and removes only those at the end; your app\'s own jobs are not touched. Run it only against a stack that is yours to load.',
      },
      'Add Jobs',
    );
    if (answer !== 'Add Jobs') return false;
    this.log.info(`Jobs of ${name} for the app's workers on queue ${profile.queue} confirmed`);
    return true;
  }

  /** True (after offering to stop it) when a run is in progress: one run at a time. */
  async refuseWhileRunning(): Promise<boolean> {
    if (!this.live) return false;
    const stop = await vscode.window.showWarningMessage(`PerfLab: ${this.live.profile} is still running.`, 'Stop It');
    if (stop) this.stop();
    return true;
  }

  /**
   * The profile `arg` names, or the one picked, with its folder and that folder's config state
   * (valid: a config with problems is refused here, after saying so).
   */
  private async pickProfile(
    arg: ProfileArg,
    states: { folder: PerfLabFolder; state: ConfigState }[],
    question: string,
    eligible?: { test: (p: Profile) => boolean; none: string },
  ): Promise<{ folder: PerfLabFolder; state: ConfigState; name: string } | undefined> {
    const refuseBroken = async (state: ConfigState) => {
      const show = await vscode.window.showErrorMessage(`PerfLab: ${path.basename(state.file ?? 'the config')} has problems; fix them to run a profile.`, 'Show Problems');
      if (show) await vscode.commands.executeCommand('workbench.actions.view.problems');
      return undefined;
    };
    const valid = states.filter((s) => s.state.config);
    const broken = states.find((s) => !s.state.config);
    if (typeof arg === 'object' && arg?.kind === 'profile') {
      const name = arg.profile.name;
      const entry = arg.folder ? states.find((s) => s.folder === arg.folder) : valid.find((s) => Object.hasOwn(s.state.config!.profiles, name));
      if (entry && !entry.state.config) return refuseBroken(entry.state);
      if (entry && Object.hasOwn(entry.state.config!.profiles, name)) return { ...entry, name };
      if (!entry && broken) return refuseBroken(broken.state);
      void vscode.window.showErrorMessage(`PerfLab: the config${entry && states.length > 1 ? ` of ${entry.folder.name}` : ''} has no profile "${name}".`);
      return undefined;
    }
    if (typeof arg === 'string') {
      const entry = valid.find((s) => Object.hasOwn(s.state.config!.profiles, arg));
      if (entry) return { ...entry, name: arg };
      if (broken) return refuseBroken(broken.state);
      void vscode.window.showErrorMessage(`PerfLab: the config has no profile "${arg}".`);
      return undefined;
    }
    if (!valid.length) return refuseBroken(broken!.state);
    const several = states.length > 1;
    const candidates = valid.flatMap((entry) =>
      Object.values(entry.state.config!.profiles)
        .filter((p) => eligible?.test(p) ?? true)
        .map((p) => ({ label: p.name, description: kindOf(p.type).label + (several ? ` · ${entry.folder.name}` : ''), detail: p.description, entry })),
    );
    if (!candidates.length) {
      void vscode.window.showInformationMessage(`PerfLab: ${eligible?.none ?? 'the config has no profiles yet'}.`);
      return undefined;
    }
    const picked = await vscode.window.showQuickPick(candidates, { placeHolder: question, matchOnDescription: true });
    return picked && { ...picked.entry, name: picked.label };
  }

  private tellOutcome(record: RunRecord): void {
    const { level, text } = runOutcomeText(record);
    if (level === 'error') void vscode.window.showErrorMessage(text);
    else if (level === 'warning') void vscode.window.showWarningMessage(text);
    else void vscode.window.showInformationMessage(text);
  }

  dispose(): void {
    this.live?.cancel();
    this.status.dispose();
  }
}
