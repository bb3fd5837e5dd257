// Every package the sources import is declared in package.json: an import that only resolves
// because another package happens to bring it breaks when that package changes its own deps.
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import * as path from 'node:path';
import { expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '../..');
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
// The bundles carry their libraries, so they may all be devDependencies; either list declares one.
const declared = new Set([...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.devDependencies ?? {})]);
// `vscode` is the editor's own API at run time; its types are @types/vscode.
const provided = new Set(['vscode', ...builtinModules]);

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const file = path.join(dir, e.name);
    if (e.isDirectory()) return sources(file);
    return /\.(ts|mts|cts)$/.test(e.name) && !/\.test\.ts$/.test(e.name) ? [file] : [];
  });
}

/** `devtools-protocol/types/protocol-mapping` → `devtools-protocol`; `@scope/name/x` → `@scope/name`. */
function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('node:') || path.isAbsolute(specifier)) return undefined;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

it('declares every package imported by src/ and webview/', () => {
  const missing = new Set<string>();
  for (const file of [...sources(path.join(ROOT, 'src')), ...sources(path.join(ROOT, 'webview'))]) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|\brequire\s*\(\s*|^import\s+)['"]([^'"]+)['"]/gm)) {
      const name = packageOf(m[1]!);
      if (name && !provided.has(name) && !declared.has(name)) missing.add(`${name} (${path.relative(ROOT, file)})`);
    }
  }
  expect([...missing]).toEqual([]);
});
