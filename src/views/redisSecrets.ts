/**
 * `Set Redis Password`: the password of the config's Redis (`stack.redis.url`) in VS Code's
 * SecretStorage, keyed by that URL, so it is asked again for another server. Runs and the Stack
 * view get it as `PERFLAB_REDIS_PASSWORD` in the environment they are given, the one way the
 * engine reads a password, which it never writes to a run record, a log or a report.
 */
import * as vscode from 'vscode';
import type { PerfLabConfig } from '../core/config';
import { PASSWORD_ENV } from '../runners/types';
import type { Folders } from './folders';

const KEY_PREFIX = 'perflab.redisPassword:';

export class RedisSecrets implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  /** A stored password was set or cleared. */
  readonly onDidChange = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly folders: Folders,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.subscription = secrets.onDidChange((e) => {
      if (e.key.startsWith(KEY_PREFIX)) this.changed.fire();
    });
  }

  /** The environment for an engine: the editor's, with the stored password of the config's Redis when there is one. */
  async env(config: PerfLabConfig | undefined): Promise<Record<string, string | undefined>> {
    const url = config?.stack.redis?.url;
    const password = url ? await this.secrets.get(keyOf(url)) : undefined;
    return password ? { ...process.env, [PASSWORD_ENV]: password } : process.env;
  }

  /**
   * The command: asks for the password of the config's Redis (with several folders' configs
   * naming other ones: of the Redis picked); an empty answer clears it.
   */
  async set(): Promise<void> {
    const states = await Promise.all((await this.folders.configured()).map((f) => f.config.current()));
    const urls = [...new Set(states.map((s) => s.config?.stack.redis?.url).filter((u): u is string => !!u))];
    if (!urls.length) {
      void vscode.window.showWarningMessage(
        states.some((s) => s.config) ? 'PerfLab: the config names no Redis; add "stack": { "redis": { "url": "redis://127.0.0.1:6390" } } first.' : 'PerfLab: open a folder with a valid perflab.config.json first; the password is for the Redis it names.',
      );
      return;
    }
    const url = urls.length === 1 ? urls[0] : await vscode.window.showQuickPick(urls, { placeHolder: 'Set the password of which Redis?' });
    if (!url) return;
    const stored = (await this.secrets.get(keyOf(url))) !== undefined;
    const password = await vscode.window.showInputBox({
      title: `Redis password for ${url}`,
      prompt: `Kept in VS Code's secret storage, given to runs as ${PASSWORD_ENV}; never written to run records, logs or reports.${stored ? ' Leave empty to remove the stored one.' : ''}`,
      password: true,
      ignoreFocusOut: true,
    });
    if (password === undefined) return;
    if (password === '') {
      if (!stored) return;
      await this.secrets.delete(keyOf(url));
      this.log.info(`Removed the stored Redis password for ${url}`);
      void vscode.window.showInformationMessage(`PerfLab: removed the stored password for ${url}.`);
      return;
    }
    await this.secrets.store(keyOf(url), password);
    this.log.info(`Stored a Redis password for ${url}`);
    void vscode.window.showInformationMessage(`PerfLab: password for ${url} stored; runs and the Stack view use it.`);
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}

/** The URL as the config writes it, so another server (or database) has its own entry. */
function keyOf(url: string): string {
  return KEY_PREFIX + url.trim().replace(/\/+$/, '');
}
