import { describe, expect, it } from 'vitest';
import { AnalysisError, deserializeError, ioError, serializeError } from './errors';

describe('analysis errors', () => {
  it('cross the worker boundary as plain data and come back typed', () => {
    const back = deserializeError(serializeError(new AnalysisError('x.cpuprofile: truncated', 'bad-file', 'x.cpuprofile')));
    expect(back).toBeInstanceOf(AnalysisError);
    expect(back).toMatchObject({ message: 'x.cpuprofile: truncated', reason: 'bad-file', file: 'x.cpuprofile' });
  });

  it('turn unexpected errors into one line with the place they happened', () => {
    const e = serializeError(new TypeError('boom'));
    expect(e.reason).toBe('internal');
    expect(e.message).toMatch(/^internal error: boom \(at .+\)$/);
    expect(e.message).not.toContain('\n');
  });

  it('name the file and the I/O problem', () => {
    expect(ioError('a.heapsnapshot', Object.assign(new Error('x'), { code: 'EACCES' })).message).toBe('a.heapsnapshot: permission denied');
  });
});
