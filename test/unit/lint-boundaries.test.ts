// `npm run lint` must refuse `vscode` in the VS Code-free parts and allow it in the editor glue.
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint();
const IMPORT = "import * as vscode from 'vscode';\nexport const x = vscode;\n";
const REQUIRE = "const vscode = require('vscode');\nexport const x = vscode;\n";

async function boundaryErrors(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? [])
    .filter((m) => m.ruleId === 'no-restricted-imports' || m.ruleId === 'no-restricted-syntax')
    .map((m) => m.message);
}

describe('lint: VS Code-free boundary', () => {
  it.each(['src/core/x.ts', 'src/runners/http/x.ts', 'src/protocol.ts', 'webview/run/x.ts'])('rejects vscode in %s', async (file) => {
    expect((await boundaryErrors(IMPORT, file))[0]).toMatch(/VS Code-free/);
    expect((await boundaryErrors(REQUIRE, file))[0]).toMatch(/VS Code-free/);
  });

  it('allows vscode in src/views and src/extension.ts', async () => {
    expect(await boundaryErrors(IMPORT, 'src/views/x.ts')).toEqual([]);
    expect(await boundaryErrors(IMPORT, 'src/extension.ts')).toEqual([]);
  });
});
