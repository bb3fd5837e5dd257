// The ids in src/constants.ts and package.json `contributes` must name the same things.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Commands, ContextKeys, CustomEditors, ItemContext, SETTINGS_SECTION, Settings, VIEW_CONTAINER, Views, WebviewTypes } from '../../src/constants';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
const contributes = pkg.contributes;

describe('constants match package.json', () => {
  it('declares exactly the commands in constants, each with the PerfLab category', () => {
    const declared = contributes.commands.map((c: { command: string }) => c.command).sort();
    expect(declared).toEqual(Object.values(Commands).sort());
    for (const c of contributes.commands) expect(c.category, c.command).toBe('PerfLab');
  });

  it('has the view container and views', () => {
    expect(contributes.viewsContainers.activitybar.map((c: { id: string }) => c.id)).toEqual([VIEW_CONTAINER]);
    expect(contributes.views[VIEW_CONTAINER].map((v: { id: string }) => v.id).sort()).toEqual(Object.values(Views).sort());
    for (const w of contributes.viewsWelcome) expect(Object.values(Views)).toContain(w.view);
  });

  it('declares exactly the custom editors in constants, each for its file type as an option', () => {
    expect(contributes.customEditors.map((e: { viewType: string }) => e.viewType).sort()).toEqual(Object.values(CustomEditors).sort());
    for (const e of contributes.customEditors) expect(e.priority, e.viewType).toBe('option');
  });

  it('has every setting with a default equal to the constant and a markdown description', () => {
    const props = contributes.configuration.properties;
    const keys = Object.values(Settings).map((s) => `${SETTINGS_SECTION}.${s.key}`).sort();
    expect(Object.keys(props).sort()).toEqual(keys);
    for (const s of Object.values(Settings)) {
      const prop = props[`${SETTINGS_SECTION}.${s.key}`];
      expect(prop.default).toBe(s.default);
      expect(prop.markdownDescription).toBeTruthy();
    }
  });

  it('menus refer only to known commands, views, context keys and item contexts', () => {
    const commands = new Set<string>(Object.values(Commands));
    const whens: string[] = [];
    for (const entries of Object.values(contributes.menus) as { command: string; when?: string }[][]) {
      for (const entry of entries) {
        expect(commands.has(entry.command), entry.command).toBe(true);
        if (entry.when) whens.push(entry.when);
      }
    }
    const text = whens.join(' ');
    for (const view of text.match(/view == ([\w.]+)/g) ?? []) expect(Object.values(Views)).toContain(view.slice(8));
    for (const key of text.match(/perflab\.\w+/g) ?? []) {
      expect([...Object.values(Views), ...Object.values(ContextKeys)]).toContain(key);
    }
    for (const m of text.match(/viewItem =~ \/\^(\w+)\\\./g) ?? []) {
      const prefix = m.replace(/viewItem =~ \/\^/, '').replace(/\\\./, '');
      expect(Object.values(ItemContext).some((c) => c.startsWith(prefix + '.'))).toBe(true);
    }
  });

  it("walks through with the extension's own commands and packaged images", () => {
    const commands = new Set<string>(Object.values(Commands));
    const packaged = (file: string) => pkg.files.some((f: string) => (f.endsWith('/') ? file.startsWith(f) : f === file));
    const [walkthrough] = contributes.walkthroughs;
    expect(walkthrough.steps.length).toBeGreaterThan(3);
    for (const step of walkthrough.steps) {
      const links = [...step.description.matchAll(/\(command:([\w.]+)(?:\?([^)]*))?\)/g)];
      expect(links.length, step.id).toBeGreaterThan(0);
      for (const [, command, args] of links) {
        expect(commands.has(command!) || command!.startsWith('workbench.'), command).toBe(true);
        if (args) expect(Array.isArray(JSON.parse(decodeURIComponent(args))), args).toBe(true);
      }
      for (const event of step.completionEvents) {
        if (event.startsWith('onCommand:')) expect(commands.has(event.slice('onCommand:'.length)), event).toBe(true);
      }
      expect(existsSync(new URL(`../../${step.media.image}`, import.meta.url)), step.media.image).toBe(true);
      expect(packaged(step.media.image), step.media.image).toBe(true);
    }
  });

  it('activates only on its config file, views, commands and a run page to restore', () => {
    expect(pkg.activationEvents).toEqual(['workspaceContains:perflab.config.json', `onWebviewPanel:${WebviewTypes.run}`]);
    expect(pkg.engines.vscode).toMatch(/^\^1\.\d+\.0$/);
    expect(pkg.devDependencies['@types/vscode']).toBe(pkg.engines.vscode.slice(1));
  });
});
