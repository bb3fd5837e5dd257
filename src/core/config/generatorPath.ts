/**
 * Where a profile's `generator` module is, and whether it may run. It is workspace code, so it
 * must live inside the config file's folder (after following links): a config cannot pull in a
 * module from elsewhere on the machine, say `../../home/me/other/evil.mjs`. Validation and the
 * runner both resolve it here.
 */

import { realpathSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { quoted } from './echo';

/** The module's absolute path, or why it may not run, with the fix. */
export type GeneratorPath = { ok: true; file: string } | { ok: false; code: 'generator-missing' | 'generator-outside'; message: string; hint: string };

/** Resolves `generator` (as written in the config) against the config's folder. */
export function resolveGeneratorPath(configDir: string, generator: string): GeneratorPath {
  const folder = resolve(configDir);
  const file = resolve(folder, generator);
  if (!inside(folder, file)) return outside(generator, file);
  if (!isReadableFile(file)) {
    return {
      ok: false, code: 'generator-missing', message: `the generator module ${quoted(generator)} was not found (looked for ${quoted(file)})`,
      hint: 'create it, or fix the path: it is relative to the folder of the config file',
    };
  }
  // A link inside the folder may still lead out of it.
  const real = realpathSync(file);
  if (!inside(realpathSync(folder), real)) return outside(generator, real);
  return { ok: true, file };
}

function isReadableFile(file: string): boolean {
  try {
    return statSync(file, { throwIfNoEntry: false })?.isFile() === true && realpathSync(file) !== '';
  } catch {
    return false;
  }
}

function inside(folder: string, file: string): boolean {
  const rel = relative(folder, file);
  return rel !== '' && !isAbsolute(rel) && rel !== '..' && !rel.startsWith(`..${sep}`);
}

function outside(generator: string, file: string): GeneratorPath {
  return {
    ok: false, code: 'generator-outside', message: `the generator module ${quoted(generator)} is outside the config's folder (${quoted(file)})`,
    hint: 'move the module into the folder of the config file (or a subfolder) and give its relative path, e.g. "./perflab.generators.mjs": workspace code runs only from there',
  };
}
