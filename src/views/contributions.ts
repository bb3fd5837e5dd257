import * as vscode from 'vscode';
import { type CommandId, ContextKeys, SETTINGS_SECTION, Settings } from '../constants';

type SettingName = keyof typeof Settings;
type SettingValue<K extends SettingName> = (typeof Settings)[K]['default'] extends string ? string : never;

/** Reads a PerfLab setting for a folder, falling back to the documented default. */
export function readSetting<K extends SettingName>(name: K, scope?: vscode.Uri): SettingValue<K> {
  const { key, default: fallback } = Settings[name];
  const value = vscode.workspace.getConfiguration(SETTINGS_SECTION, scope).get<string>(key);
  return (typeof value === 'string' && value.trim() ? value : fallback) as SettingValue<K>;
}

/** Registers a command by its id from constants.ts and ties it to the extension's lifetime. */
export function registerCommand(
  context: vscode.ExtensionContext,
  id: CommandId,
  handler: (...args: never[]) => unknown,
): void {
  context.subscriptions.push(vscode.commands.registerCommand(id, handler as (...args: unknown[]) => unknown));
}

export function setContext(key: (typeof ContextKeys)[keyof typeof ContextKeys], value: unknown): Thenable<unknown> {
  return vscode.commands.executeCommand('setContext', key, value);
}
