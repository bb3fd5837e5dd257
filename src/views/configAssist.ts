/**
 * Completions and hovers in the config file where the schema cannot help: a threshold's metric
 * names depend on the profile (its scenarios, phases and operations fill the catalog's
 * placeholders, src/core/config/metrics.ts), and its limit on the metric's unit. The JSON
 * language service gives the schema's own completions and hovers for everything else.
 */
import { getLocation } from 'jsonc-parser';
import * as vscode from 'vscode';
import type { PerfLabConfig, Profile } from '../core/config';
import { lookupMetric, metricContextOf, validMetricNames } from '../core/config/metrics';
import type { MetricUnit } from '../core/config/threshold';
import type { Folders, PerfLabFolder } from './folders';

/** A limit to start from, per unit, in the config's own notation. */
const EXAMPLE_LIMITS: Record<MetricUnit, string[]> = {
  ms: ['< 200ms', '< 1s'],
  'ops/s': ['>= 100/s'],
  ratio: ['< 1%', '< 0.1%'],
  bytes: ['< 256MB'],
  'bytes/min': ['< 1MB'],
  count: ['== 0', '< 10'],
};

export class ConfigAssist implements vscode.CompletionItemProvider, vscode.HoverProvider, vscode.Disposable {
  /** Each folder's last config that loaded (by folder key): while a threshold is being typed the file does not parse. */
  private readonly lastGood = new Map<string, PerfLabConfig>();
  private readonly subscription: vscode.Disposable;

  constructor(private readonly folders: Folders) {
    const keep = (folder: PerfLabFolder) =>
      void folder.config.current().then((state) => {
        if (state.config) this.lastGood.set(folder.key, state.config);
      });
    // A folder's config changed, or the folders did (undefined).
    this.subscription = folders.onDidChangeConfig((folder) => {
      for (const f of folder ? [folder] : folders.all()) keep(f);
    });
    // The configs as loaded at activation: the first edit may already break one.
    for (const f of folders.all()) keep(f);
  }

  register(): vscode.Disposable {
    const selector = [{ scheme: 'file', language: 'json' }, { scheme: 'file', language: 'jsonc' }];
    return vscode.Disposable.from(
      vscode.languages.registerCompletionItemProvider(selector, this, '"'),
      vscode.languages.registerHoverProvider(selector, this),
    );
  }

  async provideCompletionItems(doc: vscode.TextDocument, position: vscode.Position): Promise<vscode.CompletionItem[]> {
    const at = await this.thresholdAt(doc, position);
    if (!at) return [];
    const range = doc.getWordRangeAtPosition(position, /[\w.<>%/ =-]+/);
    if (at.key) {
      const ctx = metricContextOf(at.profile);
      const taken = new Set(at.profile.thresholds.map((t) => t.metric));
      return validMetricNames(ctx)
        .filter((name) => !taken.has(name))
        .map((name, i) => {
          const found = lookupMetric(name, ctx);
          const item = new vscode.CompletionItem(name, vscode.CompletionItemKind.Property);
          if (found.ok) {
            item.detail = found.unit;
            item.documentation = new vscode.MarkdownString(found.template.description);
          }
          item.sortText = String(i).padStart(4, '0');
          if (range) item.range = range;
          return item;
        });
    }
    const found = lookupMetric(at.metric, metricContextOf(at.profile));
    if (!found.ok) return [];
    return EXAMPLE_LIMITS[found.unit].map((limit) => {
      const item = new vscode.CompletionItem(limit, vscode.CompletionItemKind.Value);
      item.detail = `${at.metric} (${found.unit})`;
      if (range) item.range = range;
      return item;
    });
  }

  async provideHover(doc: vscode.TextDocument, position: vscode.Position): Promise<vscode.Hover | undefined> {
    const at = await this.thresholdAt(doc, position);
    if (!at?.key || !at.metric) return undefined;
    const found = lookupMetric(at.metric, metricContextOf(at.profile));
    const md = new vscode.MarkdownString();
    if (found.ok) md.appendMarkdown(`**${at.metric}** (${found.unit}): ${found.template.description}`);
    else md.appendText(`${found.message}. ${found.hint}`);
    return new vscode.Hover(md);
  }

  /** The threshold under the cursor: its profile, its metric, and whether the cursor is on the key. */
  private async thresholdAt(doc: vscode.TextDocument, position: vscode.Position): Promise<{ profile: Profile; metric: string; key: boolean } | undefined> {
    const folder = this.folders.ofConfigFile(doc.uri);
    if (!folder) return undefined;
    const location = getLocation(doc.getText(), doc.offsetAt(position));
    const [top, name, section, metric] = location.path;
    if (top !== 'profiles' || typeof name !== 'string' || section !== 'thresholds' || location.path.length !== 4) return undefined;
    const config = (await folder.config.current()).config ?? this.lastGood.get(folder.key);
    const profile = config && Object.hasOwn(config.profiles, name) ? config.profiles[name] : undefined;
    if (!profile) return undefined;
    return { profile, metric: typeof metric === 'string' ? metric : '', key: location.isAtPropertyKey };
  }

  dispose(): void {
    this.subscription.dispose();
  }
}
