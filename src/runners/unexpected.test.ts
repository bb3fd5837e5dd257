import { describe, expect, it } from 'vitest';
import { RunnerError } from './types';
import { describeFailure, describeUnexpected, isProgrammingError } from './unexpected';

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (err) {
    return err;
  }
  throw new Error('did not throw');
}

describe('errors nobody expected', () => {
  const range = thrown(() => Buffer.alloc(9_999_999_999));

  it('are one line: name, code, message and the first frame outside Node', () => {
    const line = describeUnexpected(range, {});
    expect(line).toMatch(/^RangeError \[ERR_OUT_OF_RANGE\]: The value of "size" is out of range\..* \(at .*unexpected\.test\.ts:\d+:\d+\)$/);
    expect(line).not.toContain('\n');
  });

  it('carry the whole stack with PERFLAB_DEBUG', () => {
    expect(describeUnexpected(range, { PERFLAB_DEBUG: '1' })).toMatch(/\n\s+at /);
  });

  it('a message over several lines stays on one', () => {
    expect(describeUnexpected(new TypeError('a\n  b'), {})).toMatch(/^TypeError: a b \(at /);
  });

  it('errors of JavaScript itself are programming errors, server answers are not', () => {
    expect(isProgrammingError(range)).toBe(true);
    expect(isProgrammingError(new TypeError('x'))).toBe(true);
    expect(isProgrammingError(new Error('WRONGTYPE Operation against a key holding the wrong kind of value'))).toBe(false);
    expect(describeFailure(new RunnerError('Redis down', 'redis'), {})).toBe('Redis down');
    expect(describeFailure(new TypeError('x'), {})).toMatch(/^TypeError: x \(at /);
    expect(describeFailure('a string', {})).toMatch(/^Error: a string/);
  });
});
