// The example config in the README must be one the loader accepts.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { formatProblem, parseConfigText } from '../../src/core/config';

it('README config example validates', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const example = readme.match(/```jsonc\n([\s\S]*?)```/)?.[1];
  expect(example).toBeDefined();
  const { config, problems } = parseConfigText(example!, 'README.md');
  expect(problems.map((p) => formatProblem(p))).toEqual([]);
  expect(Object.keys(config!.profiles)).toEqual(['smoke', 'redis-ops', 'queue-ops']);
});
