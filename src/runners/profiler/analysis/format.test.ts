import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { displayPath, location } from './format';

describe('format', () => {
  it('prints locations relative to the working folder when inside it', () => {
    const cwd = path.resolve('/work/app');
    expect(location(pathToFileURL(path.join(cwd, 'src/server.ts')).href, 41, cwd)).toBe(path.join('src', 'server.ts') + ':41');
    expect(location(path.resolve('/elsewhere/x.js'), 3, cwd)).toBe(path.resolve('/elsewhere/x.js') + ':3');
    expect(location('node:internal/timers', 0, cwd)).toBe('node:internal/timers');
    expect(location('', 0, cwd)).toBe('');
  });

  it('shows files inside cwd relative to it and others in full', () => {
    expect(displayPath('file:///repo/src/a.js', '/repo')).toBe('src/a.js');
    expect(displayPath('file:///elsewhere/b.js', '/repo')).toBe('/elsewhere/b.js');
    expect(displayPath('node:internal/x', '/repo')).toBe('node:internal/x');
  });
});
