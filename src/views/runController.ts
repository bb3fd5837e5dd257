/**
 * Runs a profile from the editor, on the same engine as `perflab run`: a progress notification
 * with the live figures and a Cancel button, a status bar item while it runs (click: stop), the
 * run's log in the PerfLab output channel, then the run page and the Runs view. One run at a
 * time. The engine loads on the first run from its own bundle (dist/run-profile.js), so the
 * editor's activation does not pay for it; the load generator and the analysis run off the
 * extension host's thread.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Commands } from '../constants';
import type { PerfLabConfig, Profile } from '../core/config';
import { liveText, type LiveFigures, type LiveProgress } from '../core/report/live';
import type { RunRecord } from '../core/runRecord';
import { remoteHostsOf } from '../core/config/hosts';
import { KINDS, kindOf, untrustedRefusal } from '../runners/registry';
import type { ProfileRun, ProfileRunOptions } from '../runners/runProfile';
import type { ConfigService } from './configService';
import type { RedisSecrets } from './redisSecrets';
import { registerCommand } from './contributions';
import { RunPanel } from './runPanel';
import type { RunService } from './runService';

export function registerRunCommands(context: vscode.ExtensionContext, controller: RunController): void {
  registerCommand(context, Commands.runProfile, (arg: ProfileArg) => controller.run(arg));
  registerCommand(context, Commands.runLastProfile, () => controller.runLast());
  registerCommand(context, Commands.stopRun, () => controller.stop());
}

/** How a command names the profile: a Profiles tree item, a name, or nothing (then a QuickPick asks). */
export type ProfileArg = string | { kind: 'profile'; profile: Profile } | undefined;

/**
 * How a run is shown. From the palette and the views: the run page when it ends and a
 * notification of its outcome. The Test Explorer shows the outcome itself (`quiet`), cancels
 * through its own `token` and shows the run's log in its output (`onLog`).
 */
export interface RunHow {
  title?: string;
  quiet?: boolean;
  token?: vscode.CancellationToken;
  onLog?: (line: string) => void;
}

/** A run ready to start: its profile and the options of runProfile. */
export interface PreparedRun {
  name: string;
  profile: Profile;
  options: ProfileRunOptions;
}

const CONFIRMED_HOSTS_KEY = 'perflab.confirmedHosts';

interface LiveRun {
  profile: string;
  cancel(): void;
}

export class RunController implements vscode.Disposable {
  private live: LiveRun | undefined;
  private last: string | undefined;
  private readonly status = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Left, 50);

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly config: ConfigService,
    private readonly runs: RunService,
    private readonly log: vscode.LogOutputChannel,
    private readonly secrets: RedisSecrets,
    /** The workspace's state: the hosts the user has confirmed load for. */
    private readonly memento: vscode.Memento,
  ) {
    this.status.command = Commands.stopRun;
  }

  /** `Run Last Profile Again`: the profile of the last run started here, else asks. */
  runLast(): Promise<RunRecord | undefined> {
    return this.run(this.last);
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
    const { runProfile } = await import('../runners/runProfile');
    let started;
    try {
      started = runProfile(ready.options);
    } catch (err) {
      void vscode.window.showErrorMessage(`PerfLab: ${(err as Error).message}`);
      return undefined;
    }
    this.last = ready.name;
    return this.follow(ready.name, ready.profile, started, () => started.handle.cancel(), how);
  }

  /**
   * What a run needs before it starts: no other run in progress, a valid config, the profile
   * (asked for with a QuickPick of those `eligible` when `arg` names none; `eligible.none` says
   * why there is none to pick), a folder to save it in. Undefined, after telling the user why,
   * when it cannot start.
   */
  async prepare(arg: ProfileArg, question = 'Run which profile?', eligible?: { test: (p: Profile) => boolean; none: string }): Promise<PreparedRun | undefined> {
    if (await this.refuseWhileRunning()) return undefined;
    const state = await this.config.current();
    if (!state.exists || !state.file) {
      const create = await vscode.window.showWarningMessage('PerfLab: this workspace has no perflab.config.json yet.', 'Create Starter Config');
      if (create) await vscode.commands.executeCommand(Commands.initConfig);
      return undefined;
    }
    if (!state.config) {
      const show = await vscode.window.showErrorMessage(`PerfLab: ${path.basename(state.file)} has problems; fix them to run a profile.`, 'Show Problems');
      if (show) await vscode.commands.executeCommand('workbench.actions.view.problems');
      return undefined;
    }
    const candidates = Object.values(state.config.profiles).filter((p) => eligible?.test(p) ?? true);
    const name = await this.pickProfile(arg, candidates, question, eligible?.none ?? 'the config has no profiles yet');
    if (!name) return undefined;
    const profile = state.config.profiles[name]!;
    const untrusted = vscode.workspace.isTrusted ? undefined : untrustedRefusal(profile);
    if (untrusted) {
      const trust = await vscode.window.showErrorMessage(`PerfLab: ${untrusted}.`, 'Manage Workspace Trust');
      if (trust) await vscode.commands.executeCommand('workbench.trust.manage');
      return undefined;
    }
    if (!(await this.confirmHosts(name, state.config, profile))) return undefined;
    const store = this.runs.store;
    if (!store) {
      void vscode.window.showErrorMessage('PerfLab: open a folder first; runs are saved in it.');
      return undefined;
    }
    return {
      name,
      profile,
      options: {
        config: state.config,
        profile: name,
        configDir: path.dirname(state.file),
        configName: path.basename(state.file),
        store,
        // The Redis password, when one is stored, reaches the engine as it reads it: from the environment.
        env: await this.secrets.env(state.config),
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
  async follow(name: string, profile: Profile, run: Pick<ProfileRun, 'id' | 'handle' | 'record'>, cancel: () => void, how: RunHow = {}): Promise<RunRecord> {
    this.live = { profile: name, cancel };
    const kind = kindOf(profile.type);
    const title = how.title ?? `PerfLab: ${name}`;
    this.log.info(`Running ${name} (${kind.label}), run ${run.id}`);
    run.handle.on('log', (l) => {
      this.log[l.level](`[${name}] ${l.message}`);
      how.onLog?.(`[${l.level}] ${l.message}`);
    });
    const cancelled = how.token?.onCancellationRequested(() => this.stop());
    this.status.text = `$(pulse) PerfLab: ${name}`;
    this.status.tooltip = `Running ${name}: click to stop (what was measured is saved)`;
    this.status.show();
    try {
      const record = await vscode.window.withProgress(
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
      this.runs.refresh();
      if (!how.quiet) {
        RunPanel.show(this.extensionUri, this.runs, this.log, record);
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

  /** True (after offering to stop it) when a run is in progress: one run at a time. */
  async refuseWhileRunning(): Promise<boolean> {
    if (!this.live) return false;
    const stop = await vscode.window.showWarningMessage(`PerfLab: ${this.live.profile} is still running.`, 'Stop It');
    if (stop) this.stop();
    return true;
  }

  private async pickProfile(arg: ProfileArg, profiles: Profile[], question: string, none: string): Promise<string | undefined> {
    if (typeof arg === 'object' && arg?.kind === 'profile') return arg.profile.name;
    if (typeof arg === 'string') {
      if (profiles.some((p) => p.name === arg)) return arg;
      void vscode.window.showErrorMessage(`PerfLab: the config has no profile "${arg}".`);
      return undefined;
    }
    if (!profiles.length) {
      void vscode.window.showInformationMessage(`PerfLab: ${none}.`);
      return undefined;
    }
    const picked = await vscode.window.showQuickPick(
      profiles.map((p) => ({ label: p.name, description: kindOf(p.type).label, detail: p.description })),
      { placeHolder: question, matchOnDescription: true },
    );
    return picked?.label;
  }

  private tellOutcome(record: RunRecord): void {
    const failed = record.thresholds.filter((t) => !t.pass).length;
    if (record.status === 'failed') {
      void vscode.window.showErrorMessage(`PerfLab: ${record.profile} failed: ${record.error ?? 'see the run page'}`);
    } else if (record.status === 'cancelled') {
      void vscode.window.showWarningMessage(`PerfLab: ${record.profile} was stopped; what was measured is saved.`);
    } else if (failed) {
      void vscode.window.showWarningMessage(`PerfLab: ${record.profile} FAIL: ${failed} of ${record.thresholds.length} thresholds failed.`);
    } else {
      const n = record.thresholds.length;
      void vscode.window.showInformationMessage(`PerfLab: ${record.profile} PASS${n ? ` (${n} threshold${n === 1 ? '' : 's'})` : ''}.`);
    }
  }

  dispose(): void {
    this.live?.cancel();
    this.status.dispose();
  }
}
