/**
 * The live monitor's panel (webview/monitor): one per thing watched (a process, a run), fed the
 * points as they arrive and sending them to the page in batches every 250 ms. A page opened late
 * (the status bar clicked mid-run) first gets everything so far. Closing the panel, or its Stop
 * button, calls `onStop`: the owner stops what it watches (the monitor of a process, or the run).
 */
import * as vscode from 'vscode';
import { WebviewTypes } from '../constants';
import { type ProcessPoint, processPoint } from '../core/report/processSeries';
import type { TimelinePoint } from '../core/runRecord';
import { type FromWebview, isFromWebview, type ToWebview } from '../protocol';
import { setUpWebview } from './webviewSetup';

/** How often the page gets the points that arrived. */
export const MONITOR_BATCH_MS = 250;

export interface MonitorSubject {
  /** One panel per key: showing a subject already shown reveals its panel. */
  key: string;
  title: string;
  /** The sampled process, described (`pid 1234 (node server.js)`). */
  process?: string;
  run?: { profile: string; rateUnit: string };
  onStop: () => void;
}

export class LiveMonitorPanel implements vscode.Disposable {
  private static readonly open = new Map<string, LiveMonitorPanel>();

  /** The panel of `subject`, opened (or revealed) beside the editor. */
  static show(extensionUri: vscode.Uri, log: vscode.LogOutputChannel, subject: MonitorSubject): LiveMonitorPanel {
    const existing = LiveMonitorPanel.open.get(subject.key);
    if (existing && existing.ended === undefined) {
      existing.panel.reveal(undefined, true);
      return existing;
    }
    // The panel of a monitor that ended gives way to the new one.
    existing?.dispose();
    const panel = vscode.window.createWebviewPanel(WebviewTypes.monitor, subject.title, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true });
    setUpWebview(panel.webview, extensionUri, 'monitor', subject.title);
    const monitor = new LiveMonitorPanel(subject, panel, log);
    LiveMonitorPanel.open.set(subject.key, monitor);
    return monitor;
  }

  private readonly processPoints: ProcessPoint[] = [];
  private readonly runPoints: TimelinePoint[] = [];
  /** How many of each the page has. */
  private sent = { process: 0, run: 0 };
  private ready = false;
  private ended: string | undefined;
  private readonly timer: NodeJS.Timeout;
  private readonly disposables: vscode.Disposable[] = [];
  private disposed = false;

  private constructor(
    private readonly subject: MonitorSubject,
    private readonly panel: vscode.WebviewPanel,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.timer = setInterval(() => this.flush(), MONITOR_BATCH_MS);
    this.disposables.push(
      panel.webview.onDidReceiveMessage((msg: unknown) => {
        if (isFromWebview(msg)) this.handle(msg);
        else this.log.warn(`Live monitor sent an unknown message: ${JSON.stringify(msg).slice(0, 200)}`);
      }),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  /** The panel was closed. */
  get closed(): boolean {
    return this.disposed;
  }

  /** Shows the panel again. */
  reveal(): void {
    if (!this.disposed) this.panel.reveal(undefined, true);
  }

  /** A monitor sample of the process (src/runners/profiler/types.ts MonitorSample). */
  addProcessSample(sample: unknown): void {
    const point = processPoint(sample);
    if (point) this.processPoints.push(point);
  }

  /** A second of the run (its live sample). */
  addRunPoint(point: TimelinePoint): void {
    this.runPoints.push({ t: point.t, rps: point.rps, p50: point.p50, p99: point.p99, errors: point.errors, ...(point.phase !== undefined ? { phase: point.phase } : {}) });
  }

  /** What it watched has ended: the page says so (and why) and stops offering Stop. */
  end(message: string): void {
    if (this.ended !== undefined || this.disposed) return;
    this.ended = message;
    this.flush();
    if (this.ready) this.post({ type: 'monitor.end', message });
  }

  private handle(msg: FromWebview): void {
    switch (msg.type) {
      case 'ready':
        this.ready = true;
        this.sent = { process: 0, run: 0 };
        this.post({
          type: 'monitor.start',
          title: this.subject.title,
          ...(this.subject.process !== undefined ? { process: this.subject.process } : {}),
          ...(this.subject.run ? { run: this.subject.run } : {}),
        });
        this.flush();
        if (this.ended !== undefined) this.post({ type: 'monitor.end', message: this.ended });
        return;
      case 'monitor.stop':
        if (this.ended === undefined) this.subject.onStop();
        return;
      case 'log':
        this.log[msg.level](`[live monitor] ${msg.message}`);
        return;
      default:
        this.log.warn(`Live monitor sent "${msg.type}", which it has no use for`);
    }
  }

  private flush(): void {
    if (!this.ready || this.disposed) return;
    const process = this.processPoints.slice(this.sent.process);
    const run = this.runPoints.slice(this.sent.run);
    if (!process.length && !run.length) return;
    this.sent = { process: this.processPoints.length, run: this.runPoints.length };
    this.post({ type: 'monitor.points', ...(process.length ? { process } : {}), ...(run.length ? { run } : {}) });
  }

  private post(msg: ToWebview): void {
    void this.panel.webview.postMessage(msg);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    clearInterval(this.timer);
    LiveMonitorPanel.open.delete(this.subject.key);
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
    // Closing the panel of a process stops its monitor; a run goes on (its notification stays).
    if (this.ended === undefined && !this.subject.run) this.subject.onStop();
  }
}
