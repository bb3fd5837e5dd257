// The fixture runs used by the webview and e2e tiers must be records the store accepts.
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RunStore } from '../../src/core/runStore';

describe('fixture runs', () => {
  it.each(['test/fixtures/runs', 'test/e2e/workspaces/good/.perflab/runs'])('%s lists cleanly', async (dir) => {
    const { runs, warnings } = await new RunStore(path.resolve(dir)).list();
    expect(warnings).toEqual([]);
    expect(runs.length).toBeGreaterThan(0);
  });
});
