/**
 * The theme of a page exported as HTML (`perflab report --html`): VS Code's Light Modern and
 * Dark Modern variables, which the editor sets on a webview and a browser does not, chosen by the
 * reader's system setting. The pages' own stylesheets fall back to the same light values.
 */

/** Each variable (without its `--`) with its Light Modern and Dark Modern value. */
const VARIABLES: readonly [name: string, light: string, dark: string][] = [
  ['vscode-font-family', "-apple-system, BlinkMacSystemFont, 'Segoe UI', Ubuntu, 'Droid Sans', sans-serif", "-apple-system, BlinkMacSystemFont, 'Segoe UI', Ubuntu, 'Droid Sans', sans-serif"],
  ['vscode-font-size', '13px', '13px'],
  ['vscode-editor-font-family', "'Droid Sans Mono', 'monospace', monospace", "'Droid Sans Mono', 'monospace', monospace"],
  ['vscode-foreground', '#3b3b3b', '#cccccc'],
  ['vscode-editor-background', '#ffffff', '#1f1f1f'],
  ['vscode-descriptionForeground', '#717171', '#9d9d9d'],
  ['vscode-panel-border', '#e5e5e5', '#2b2b2b'],
  ['vscode-focusBorder', '#005fb8', '#0078d4'],
  ['vscode-button-background', '#005fb8', '#0078d4'],
  ['vscode-button-foreground', '#ffffff', '#ffffff'],
  ['vscode-button-hoverBackground', '#0258a8', '#026ec1'],
  ['vscode-button-border', '#0000001a', '#ffffff12'],
  ['vscode-button-secondaryBackground', '#e5e5e5', '#313131'],
  ['vscode-button-secondaryForeground', '#3b3b3b', '#cccccc'],
  ['vscode-button-secondaryHoverBackground', '#cccccc', '#3c3c3c'],
  ['vscode-settings-textInputBackground', '#ffffff', '#313131'],
  ['vscode-settings-textInputForeground', '#3b3b3b', '#cccccc'],
  ['vscode-settings-textInputBorder', '#cecece', '#3c3c3c'],
  ['vscode-input-placeholderForeground', '#767676', '#989898'],
  ['vscode-settings-checkboxBackground', '#f8f8f8', '#313131'],
  ['vscode-settings-checkboxBorder', '#cecece', '#3c3c3c'],
  ['vscode-settings-checkboxForeground', '#3b3b3b', '#cccccc'],
  ['vscode-editorHoverWidget-background', '#f8f8f8', '#202020'],
  ['vscode-editorHoverWidget-border', '#c8c8c8', '#454545'],
  ['vscode-textLink-foreground', '#005fb8', '#4daafc'],
  ['vscode-editorWidget-background', '#f8f8f8', '#202020'],
  ['vscode-list-hoverBackground', '#f2f2f2', '#2a2d2e'],
  ['vscode-textCodeBlock-background', '#f2f2f2', '#2b2b2b'],
  ['vscode-testing-iconPassed', '#388a34', '#73c991'],
  ['vscode-testing-iconFailed', '#e51400', '#f14c4c'],
  ['vscode-testing-iconSkipped', '#848484', '#848484'],
  ['vscode-errorForeground', '#a1260d', '#f85149'],
  ['vscode-editorWarning-foreground', '#bf8803', '#cca700'],
  ['vscode-inputValidation-errorBackground', '#f2dede', '#5a1d1d'],
  ['vscode-inputValidation-errorBorder', '#be1100', '#be1100'],
  ['vscode-inputValidation-warningBackground', '#f6f5d2', '#352a05'],
  ['vscode-inputValidation-warningBorder', '#b89500', '#b89500'],
  ['vscode-widget-border', '#e5e5e5', '#313131'],
  ['vscode-badge-background', '#cccccc', '#616161'],
  ['vscode-badge-foreground', '#3b3b3b', '#f8f8f8'],
];

const block = (pick: 1 | 2, indent: string) => VARIABLES.map((v) => `${indent}--${v[0]}: ${v[pick]};`).join('\n');

/** One theme's variables, as VS Code sets them on a webview (the webview tier's light and dark pages). */
export function themeCss(theme: 'light' | 'dark'): string {
  return `:root {\n${block(theme === 'light' ? 1 : 2, '  ')}\n}\n`;
}

export const STANDALONE_THEME_CSS = `:root {\n${block(1, '  ')}\n}\n@media (prefers-color-scheme: dark) {\n  :root {\n${block(2, '    ')}\n  }\n}\n`;
