/**
 * `Start Demo Stack` / `Stop Demo Stack`: the demo API and its own redis-server, as `perflab demo`
 * starts them, from the installed extension (the demo ships in it) in the workspace's PerfLab
 * folder. Its addresses go to `.perflab/demo.json`, so `Create Starter Config` targets it. A status
 * bar item shows it while it runs (click: stop); it stops with the command, with the window, or
 * when its server exits, which is said with the log to look at.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Commands, ContextKeys } from '../constants';
import { DEMO_DEFAULT_PORTS, startDemo, type DemoHandle } from '../runners/demo';
import { demoMismatch, removeDemoState, writeDemoState } from '../core/demoState';
import { registerCommand, setContext } from './contributions';
import type { Folders, PerfLabFolder } from './folders';

interface RunningDemo {
  handle: DemoHandle;
  folder: string;
  stopping: boolean;
}

/** The variants the command offers: the demo's switches (examples/demo-stack/config.js). */
const VARIANTS: (vscode.QuickPickItem & { env: Record<string, string> })[] = [
  { label: 'Demo stack', description: 'API and its Redis', env: {} },
  { label: 'Demo stack with a hot path', description: 'HOT=1', detail: 'POST /messages does a deliberately expensive step: something to find with the CPU profiler', env: { HOT: '1' } },
  { label: 'Demo stack with a leak', description: 'LEAK=1', detail: 'every request leaves an entry in a module-level array: something to find with Find Leaks', env: { LEAK: '1' } },
];

export function registerDemoCommands(context: vscode.ExtensionContext, demo: DemoController): void {
  registerCommand(context, Commands.startDemo, (env?: Record<string, string>) => demo.start(env));
  registerCommand(context, Commands.stopDemo, () => demo.stop());
}

export class DemoController implements vscode.Disposable {
  private running: RunningDemo | undefined;
  private starting = false;
  private readonly status = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Left, 49);

  constructor(
    private readonly folders: Folders,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.status.command = Commands.stopDemo;
  }

  /** The demo server's pid while it runs: a process of the editor's that the Processes view offers all the same. */
  get servicePids(): number[] {
    return this.running ? [this.running.handle.pid] : [];
  }

  /** Starts the demo (asking which variant unless `env` says); resolves once it listens, or after saying why not. */
  async start(env?: Record<string, string>): Promise<void> {
    if (this.running) {
      const { url, redisUrl } = this.running.handle;
      const stop = await vscode.window.showInformationMessage(`PerfLab: the demo stack is already running: API ${url}, Redis ${redisUrl}.`, 'Stop Demo Stack');
      if (stop) await this.stop();
      return;
    }
    if (this.starting) return;
    // The demo writes its addresses into the first folder with a config, else the first folder.
    const target = await this.folders.primary();
    const configFile = target?.configPath;
    if (!target || !configFile) {
      void vscode.window.showWarningMessage('PerfLab: open a folder first; the demo stack writes its addresses into it for the config.');
      return;
    }
    const folder = path.dirname(configFile);
    const variant = env ? { env } : await vscode.window.showQuickPick(VARIANTS, { placeHolder: 'Start which demo stack?', matchOnDescription: true });
    if (!variant) return;
    this.starting = true;
    let handle: DemoHandle | undefined;
    try {
      handle = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: 'PerfLab: starting the demo stack', cancellable: true },
        (_progress, token) => {
          const abort = new AbortController();
          token.onCancellationRequested(() => abort.abort(new Error('cancelled')));
          return startDemo({ ...DEMO_DEFAULT_PORTS, env: variant.env, log: (line) => this.log.info(`[demo] ${line}`), signal: abort.signal });
        },
      );
    } catch (err) {
      if ((err as Error).message !== 'cancelled') {
        this.log.error(`The demo stack did not start: ${(err as Error).message}`);
        void vscode.window.showErrorMessage(`PerfLab: the demo stack did not start: ${firstLine((err as Error).message)}`, 'Show Log').then((show) => show && this.log.show());
      }
      return;
    } finally {
      this.starting = false;
    }
    const running: RunningDemo = { handle, folder, stopping: false };
    this.running = running;
    void handle.exited.then((code) => this.exited(running, code));
    try {
      await writeDemoState(folder, { pid: process.pid, url: handle.url, redisUrl: handle.redisUrl, ownsRedis: handle.ownsRedis, startedAt: new Date().toISOString() });
    } catch (err) {
      this.log.warn(`Could not write .perflab/demo.json (${(err as Error).message}): Create Starter Config will not know the demo's addresses.`);
    }
    this.log.info(`Demo stack running: API ${handle.url}, Redis ${handle.redisUrl} (pid ${handle.pid}${Object.keys(variant.env).length ? `, ${Object.entries(variant.env).map(([k, v]) => `${k}=${v}`).join(' ')}` : ''})`);
    void setContext(ContextKeys.demoRunning, true);
    this.status.text = '$(server-process) PerfLab demo';
    this.status.tooltip = `Demo stack: API ${handle.url}, Redis ${handle.redisUrl}. Click to stop it.`;
    this.status.show();
    void this.tellStarted(handle, target);
  }

  /** Stops the demo server, then its Redis; the state file goes with them. */
  async stop(): Promise<void> {
    const running = this.running;
    if (!running) {
      void vscode.window.showInformationMessage('PerfLab: the demo stack is not running.');
      return;
    }
    running.stopping = true;
    this.log.info('Stopping the demo stack');
    await running.handle.stop();
    void vscode.window.showInformationMessage('PerfLab: demo stack stopped.');
  }

  private async exited(running: RunningDemo, code: number | null): Promise<void> {
    if (this.running === running) this.running = undefined;
    this.status.hide();
    void setContext(ContextKeys.demoRunning, false);
    await removeDemoState(running.folder, process.pid).catch(() => undefined);
    if (running.stopping) return;
    await running.handle.stop();
    const show = await vscode.window.showErrorMessage(`PerfLab: the demo server exited (code ${code ?? 'by a signal'}); its output is in the PerfLab log.`, 'Show Log');
    if (show) this.log.show();
  }

  private async tellStarted(handle: DemoHandle, folder: PerfLabFolder): Promise<void> {
    const state = await folder.config.reload();
    const notes = [...handle.notices];
    const wrong = state.config ? demoMismatch(state.config, handle) : [];
    if (wrong.length) notes.push(`the config does not point at it: ${wrong.join('; ')}`);
    const actions = state.exists ? ['Run Profile…'] : ['Create Starter Config'];
    const text = `PerfLab: the demo stack is running: API ${handle.url}, Redis ${handle.redisUrl}${notes.length ? `. Note: ${notes.join('; ')}` : ''}.`;
    const picked = await vscode.window.showInformationMessage(text, ...actions);
    if (picked === 'Create Starter Config') await vscode.commands.executeCommand(Commands.initConfig);
    if (picked === 'Run Profile…') await vscode.commands.executeCommand(Commands.runProfile);
  }

  dispose(): void {
    this.status.dispose();
    if (this.running) {
      // The window is closing: no one awaits this; SIGTERM goes out at once.
      this.running.stopping = true;
      void this.running.handle.stop();
    }
  }
}

function firstLine(text: string): string {
  return text.split('\n')[0]!;
}
