import { describe, expect, it } from 'vitest';
import { compileTemplate, splitArgs, TemplateError } from './templates';

const render = (src: string, seq = 1) => compileTemplate(src, 'test').render({ seq });

describe('templates', () => {
  it('leaves text without templates as is', () => {
    const t = compileTemplate('/messages?x=1', 'test');
    expect(t.isStatic).toBe(true);
    expect(t.render({ seq: 3 })).toBe('/messages?x=1');
  });

  it('renders every helper', () => {
    expect(render('{{phone}}')).toMatch(/^\+1555\d{7}$/);
    expect(render('{{uuid}}')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(render('{{words(5)}}').split(' ')).toHaveLength(5);
    expect(['a', 'b c', 'd,e']).toContain(render(`{{pick(a, "b c", 'd,e')}}`));
    expect(render('n{{seq}}', 42)).toBe('n42');
    for (let i = 0; i < 200; i++) {
      const n = Number(render('{{int(1,3)}}'));
      expect(Number.isInteger(n) && n >= 1 && n <= 3).toBe(true);
    }
  });

  it('produces distinct values per render', () => {
    const t = compileTemplate('{{uuid}}/{{phone}}', 'test');
    const seen = new Set(Array.from({ length: 500 }, () => t.render({ seq: 0 })));
    expect(seen.size).toBe(500);
  });

  it('covers the whole int range, both ends included', () => {
    const t = compileTemplate('{{int(-2,2)}}', 'test');
    const seen = new Set(Array.from({ length: 500 }, () => t.render({ seq: 0 })));
    expect([...seen].sort()).toEqual(['-1', '-2', '0', '1', '2']);
  });

  it('keeps a lone helper value raw (numbers stay numbers)', () => {
    expect(typeof compileTemplate('{{int(1,100)}}', 'test').single?.({ seq: 1 })).toBe('number');
    expect(compileTemplate('{{seq}}', 'test').single?.({ seq: 7 })).toBe(7);
    expect(compileTemplate('x{{seq}}', 'test').single).toBeUndefined();
  });

  it('encodes helper output only when asked', () => {
    const t = compileTemplate('/search/{{pick("a b")}}?q=1', 'test', encodeURIComponent);
    expect(t.render({ seq: 0 })).toBe('/search/a%20b?q=1');
  });

  it.each([
    ['{{nope}}', /scenario x request.path: unknown template helper "nope".*phone, uuid/],
    ['{{int(1)}}', /int\(min,max\)\}\} takes two integers/],
    ['{{int(5,1)}}', /min is greater than max/],
    ['{{int(a,2)}}', /min of \{\{int\(…\)\}\} must be an integer, got "a"/],
    ['{{words(0)}}', /between 1 and 1000/],
    ['{{pick()}}', /needs at least one value/],
    ['{{uuid(3)}}', /takes no arguments/],
    ['/x/{{uuid', /without a closing/],
    ['{{1abc}}', /is not a template helper call/],
  ])('rejects %s with a message that says where and what', (src, message) => {
    expect(() => compileTemplate(src, 'scenario x request.path')).toThrow(TemplateError);
    expect(() => compileTemplate(src, 'scenario x request.path')).toThrow(message);
  });

  it('splits helper arguments with quotes', () => {
    expect(splitArgs('a, b ,c', 'w')).toEqual(['a', 'b', 'c']);
    expect(splitArgs(`"x, y", 'z'`, 'w')).toEqual(['x, y', 'z']);
    expect(() => splitArgs('"open', 'w')).toThrow(/unclosed/);
  });
});
