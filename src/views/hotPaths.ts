/**
 * Hot paths inline: after a CPU profile is opened (from a file, a capture or a profile under
 * load), each source line with self time shows `416 ms · 6.59%` at its end and each function
 * its total at its first line, in every editor of a file the profile names (positions already
 * moved to the original source by the analysis). The hover lists the function's callers and
 * links to the flame graph. `Show Hot Paths` lists the hottest lines to jump to; `Hide Hot
 * Paths` clears the marks. The figures come from src/core/hotPaths.ts.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Commands, ContextKeys, CustomEditors } from '../constants';
import { type HotFile, type HotPaths, hotPaths } from '../core/hotPaths';
import { formatMs, formatShare } from '../core/format';
import { analyzeCpuProfile, type CpuAnalysis } from '../runners/profiler/analysis';
import { registerCommand, setContext } from './contributions';

export class HotPathDecorations implements vscode.Disposable {
  private current: HotPaths | undefined;
  private readonly lineMark = vscode.window.createTextEditorDecorationType({
    after: { color: new vscode.ThemeColor('editorCodeLens.foreground'), margin: '0 0 0 2em', fontStyle: 'italic' },
    overviewRulerColor: new vscode.ThemeColor('editorOverviewRuler.warningForeground'),
    overviewRulerLane: vscode.OverviewRulerLane.Right,
    rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
  });
  private readonly functionMark = vscode.window.createTextEditorDecorationType({
    after: { color: new vscode.ThemeColor('editorCodeLens.foreground'), margin: '0 0 0 2em' },
    rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
  });
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly log: vscode.LogOutputChannel) {
    this.subscriptions = [
      this.lineMark,
      this.functionMark,
      vscode.window.onDidChangeVisibleTextEditors((editors) => editors.forEach((e) => this.decorate(e))),
    ];
  }

  register(context: vscode.ExtensionContext): void {
    registerCommand(context, Commands.showHotPaths, (uri?: vscode.Uri) => this.showCommand(uri));
    registerCommand(context, Commands.hideHotPaths, () => this.hide());
  }

  /** Marks the hot paths of an analyzed profile (replacing those of another one). */
  show(analysis: CpuAnalysis): HotPaths {
    this.current = hotPaths(analysis);
    this.log.info(`Hot paths of ${path.basename(analysis.file)}: ${this.current.top.length} lines in ${this.current.files.size} files`);
    void setContext(ContextKeys.hotPathsShown, true);
    for (const editor of vscode.window.visibleTextEditors) this.decorate(editor);
    return this.current;
  }

  hide(): void {
    this.current = undefined;
    void setContext(ContextKeys.hotPathsShown, false);
    for (const editor of vscode.window.visibleTextEditors) {
      editor.setDecorations(this.lineMark, []);
      editor.setDecorations(this.functionMark, []);
    }
  }

  /**
   * `Show Hot Paths`: those of `uri` (a `.cpuprofile`), else the ones shown, else a profile asked
   * for; then the hottest lines in a QuickPick, the picked one opened at its line.
   */
  private async showCommand(uri?: vscode.Uri): Promise<void> {
    let hot = uri ? undefined : this.current;
    if (!hot) {
      const file = uri ?? (await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'CPU profiles': ['cpuprofile'] }, title: 'Hot paths of which CPU profile?' }))?.[0];
      if (!file) return;
      try {
        const analysis = await vscode.window.withProgress(
          { location: vscode.ProgressLocation.Notification, title: `PerfLab: analyzing ${path.basename(file.fsPath)}`, cancellable: true },
          (_progress, token) => {
            const cancel = new AbortController();
            token.onCancellationRequested(() => cancel.abort());
            return analyzeCpuProfile(file.fsPath, { signal: cancel.signal });
          },
        );
        hot = this.show(analysis);
      } catch (err) {
        void vscode.window.showErrorMessage(`PerfLab: ${(err as Error).message}`);
        return;
      }
    }
    if (!hot.top.length) {
      void vscode.window.showInformationMessage(`PerfLab: ${path.basename(hot.profile)} has no line of a source file with more than 0.5% of the sampled time.`);
      return;
    }
    const picked = await vscode.window.showQuickPick(
      hot.top.map((l) => ({ label: l.functionName ?? '(top level)', description: `${path.basename(l.file)}:${l.line}`, detail: `self ${l.text}`, line: l })),
      { placeHolder: `Hottest lines of ${path.basename(hot.profile)} (self time, share of ${formatMs(hot.sampledMs)} sampled)`, matchOnDescription: true },
    );
    if (!picked) return;
    const at = new vscode.Position(picked.line.line - 1, 0);
    try {
      await vscode.window.showTextDocument(vscode.Uri.file(picked.line.file), { selection: new vscode.Range(at, at) });
    } catch (err) {
      void vscode.window.showErrorMessage(`PerfLab: could not open ${picked.line.file}: ${(err as Error).message}`);
    }
  }

  private decorate(editor: vscode.TextEditor): void {
    const file = this.current?.files.get(editor.document.uri.fsPath);
    if (!this.current || !file || editor.document.uri.scheme !== 'file') {
      editor.setDecorations(this.lineMark, []);
      editor.setDecorations(this.functionMark, []);
      return;
    }
    const { lines, functions } = decorations(this.current, file, editor.document.lineCount);
    editor.setDecorations(this.lineMark, lines);
    editor.setDecorations(this.functionMark, functions);
  }

  dispose(): void {
    for (const d of this.subscriptions) d.dispose();
  }
}

/** The decorations of one file; a line the profile names past the document's end (an edited file) is skipped. */
function decorations(hot: HotPaths, file: HotFile, lineCount: number): { lines: vscode.DecorationOptions[]; functions: vscode.DecorationOptions[] } {
  const at = (line: number) => new vscode.Range(line - 1, Number.MAX_SAFE_INTEGER, line - 1, Number.MAX_SAFE_INTEGER);
  const flame = `command:vscode.openWith?${encodeURIComponent(JSON.stringify([vscode.Uri.file(hot.profile), CustomEditors.cpuProfile]))}`;
  const fnLines = new Set(file.functions.map((f) => f.line));
  const lines = file.lines
    // A function's first line shows its total; its self time there is in the hover.
    .filter((l) => l.line <= lineCount && !fnLines.has(l.line))
    .map((l): vscode.DecorationOptions => ({
      range: at(l.line),
      renderOptions: { after: { contentText: l.text } },
      hoverMessage: hover(`**${md(l.functionName ?? '(top level)')}**, this line: self ${l.text} of ${formatMs(hot.sampledMs)} sampled`, flame, hot),
    }));
  const functions = file.functions
    .filter((f) => f.line <= lineCount)
    .map((f): vscode.DecorationOptions => {
      const own = file.lines.find((l) => l.line === f.line);
      const callers = f.callers.length
        ? ['', 'Called from:', ...f.callers.map((c) => `- ${md(c.name)} (${c.file ? md(`${path.basename(c.file)}:${c.line}`) : 'no file'}): ${formatMs(c.totalMs)} · ${formatShare(c.totalMs, hot.sampledMs)}`)]
        : [];
      return {
        range: at(f.line),
        renderOptions: { after: { contentText: `${f.name}: ${f.text}` } },
        hoverMessage: hover([`**${md(f.name)}**: ${md(f.text)} of ${formatMs(hot.sampledMs)} sampled${own ? `; this line: self ${own.text}` : ''}`, ...callers].join('\n'), flame, hot),
      };
    });
  return { lines, functions };
}

/** A hover whose links run only the two commands it names; `text` has every name from the profile escaped ({@link md}). */
function hover(text: string, flame: string, hot: HotPaths): vscode.MarkdownString {
  const out = new vscode.MarkdownString(`${text}\n\n[Open the flame graph of ${md(path.basename(hot.profile))}](${flame}) · [Hide hot paths](command:${Commands.hideHotPaths})`);
  out.isTrusted = { enabledCommands: ['vscode.openWith', Commands.hideHotPaths] };
  return out;
}

/** A name from a profile as Markdown text: a function called `[x](command:…)` shows as such, never as a link. */
function md(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!<>|~]/g, '\\$&');
}
