/**
 * The theme of a page exported as HTML (`perflab report --html`): VS Code's Light Modern and
 * Dark Modern variables, which the editor sets on a webview and a browser does not, chosen by the
 * reader's system setting. The pages' own stylesheets fall back to the same light values.
 */
export const STANDALONE_THEME_CSS = `:root {
  --vscode-font-family: -apple-system, BlinkMacSystemFont, 'Segoe UI', Ubuntu, 'Droid Sans', sans-serif;
  --vscode-font-size: 13px;
  --vscode-editor-font-family: 'Droid Sans Mono', 'monospace', monospace;
  --vscode-foreground: #3b3b3b;
  --vscode-editor-background: #ffffff;
  --vscode-descriptionForeground: #717171;
  --vscode-panel-border: #e5e5e5;
  --vscode-focusBorder: #005fb8;
  --vscode-button-background: #005fb8;
  --vscode-button-foreground: #ffffff;
  --vscode-button-hoverBackground: #0258a8;
  --vscode-button-border: #0000001a;
  --vscode-button-secondaryBackground: #e5e5e5;
  --vscode-button-secondaryForeground: #3b3b3b;
  --vscode-button-secondaryHoverBackground: #cccccc;
  --vscode-settings-textInputBackground: #ffffff;
  --vscode-settings-textInputForeground: #3b3b3b;
  --vscode-settings-textInputBorder: #cecece;
  --vscode-input-placeholderForeground: #767676;
  --vscode-settings-checkboxBackground: #f8f8f8;
  --vscode-settings-checkboxBorder: #cecece;
  --vscode-settings-checkboxForeground: #3b3b3b;
  --vscode-editorHoverWidget-background: #f8f8f8;
  --vscode-editorHoverWidget-border: #c8c8c8;
  --vscode-textLink-foreground: #005fb8;
}
@media (prefers-color-scheme: dark) {
  :root {
    --vscode-font-family: -apple-system, BlinkMacSystemFont, 'Segoe UI', Ubuntu, 'Droid Sans', sans-serif;
    --vscode-font-size: 13px;
    --vscode-editor-font-family: 'Droid Sans Mono', 'monospace', monospace;
    --vscode-foreground: #cccccc;
    --vscode-editor-background: #1f1f1f;
    --vscode-descriptionForeground: #9d9d9d;
    --vscode-panel-border: #2b2b2b;
    --vscode-widget-border: #313131;
    --vscode-editorWidget-background: #202020;
    --vscode-list-hoverBackground: #2a2d2e;
    --vscode-textCodeBlock-background: #2b2b2b;
    --vscode-testing-iconPassed: #73c991;
    --vscode-testing-iconFailed: #f14c4c;
    --vscode-testing-iconSkipped: #848484;
    --vscode-errorForeground: #f85149;
    --vscode-editorWarning-foreground: #cca700;
    --vscode-focusBorder: #0078d4;
    --vscode-button-background: #0078d4;
    --vscode-button-foreground: #ffffff;
    --vscode-button-hoverBackground: #026ec1;
    --vscode-button-border: #ffffff12;
    --vscode-button-secondaryBackground: #313131;
    --vscode-button-secondaryForeground: #cccccc;
    --vscode-button-secondaryHoverBackground: #3c3c3c;
    --vscode-badge-background: #616161;
    --vscode-badge-foreground: #f8f8f8;
    --vscode-inputValidation-errorBackground: #5a1d1d;
    --vscode-inputValidation-errorBorder: #be1100;
    --vscode-inputValidation-warningBackground: #352a05;
    --vscode-inputValidation-warningBorder: #b89500;
    --vscode-settings-textInputBackground: #313131;
    --vscode-settings-textInputForeground: #cccccc;
    --vscode-settings-textInputBorder: #3c3c3c;
    --vscode-input-placeholderForeground: #989898;
    --vscode-settings-checkboxBackground: #313131;
    --vscode-settings-checkboxBorder: #3c3c3c;
    --vscode-settings-checkboxForeground: #cccccc;
    --vscode-editorHoverWidget-background: #202020;
    --vscode-editorHoverWidget-border: #454545;
    --vscode-textLink-foreground: #4daafc;
  }
}
`;
