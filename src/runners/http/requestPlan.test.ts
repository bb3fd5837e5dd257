import { describe, expect, it } from 'vitest';
import type { Scenario } from '../../core/config/types';
import { compileScenario, requestBytes, targetInfo, weightedDeck, weightedPicker } from './requestPlan';
import { RequestSource } from './requestSource';

const target = targetInfo('http://127.0.0.1:3000/api/', { 'X-Team': 'perf' });

function scenario(over: Partial<Scenario['request']> = {}, expect: Scenario['expect'] = {}, name = 's'): Scenario {
  return { name, weight: 1, request: { method: 'GET', path: '/', headers: {}, query: {}, ...over }, expect };
}

describe('compiled scenarios', () => {
  it('builds the bytes of a template-free request once, with base path, query and headers', () => {
    const s = compileScenario(scenario({ path: '/metrics', query: { window: '1m', n: 5 } }), target);
    expect(s.isStatic).toBe(true);
    const text = requestBytes(s.render({ seq: 1 }), target.host).toString();
    expect(text).toBe('GET /api/metrics?window=1m&n=5 HTTP/1.1\r\nX-Team: perf\r\nHost: 127.0.0.1:3000\r\n\r\n');
  });

  it('renders JSON bodies with templates; a lone int stays a number', () => {
    const s = compileScenario(scenario({
      method: 'POST', path: '/messages',
      json: { to: '{{phone}}', n: '{{int(5,5)}}', text: 'hi {{seq}}', nested: [1, { ok: true, id: '{{seq}}' }], none: null },
    }), target);
    expect(s.isStatic).toBe(false);
    const req = s.render({ seq: 9 });
    const body = JSON.parse(String(req.body));
    expect(body).toMatchObject({ n: 5, text: 'hi 9', nested: [1, { ok: true, id: 9 }], none: null });
    expect(body.to).toMatch(/^\+1555\d{7}$/);
    expect(req.headers['Content-Type']).toBe('application/json');
    const bytes = requestBytes(req, target.host).toString();
    expect(bytes).toContain(`Content-Length: ${Buffer.byteLength(String(req.body))}\r\n`);
    expect(bytes.endsWith(`\r\n\r\n${String(req.body)}`)).toBe(true);
  });

  it('escapes template output inside JSON strings', () => {
    const s = compileScenario(scenario({ method: 'POST', json: { q: `{{pick('say "hi"')}}\n` } }), target);
    expect(JSON.parse(String(s.render({ seq: 1 }).body))).toEqual({ q: 'say "hi"\n' });
  });

  it('renders templates in path (encoded), query and header values', () => {
    const s = compileScenario(scenario({ path: '/u/{{pick("a b")}}', query: { q: '{{words(2)}}' }, headers: { 'X-Req': 'r-{{seq}}' } }), target);
    const req = s.render({ seq: 4 });
    expect(req.path).toMatch(/^\/api\/u\/a%20b\?q=[a-z]+%20[a-z]+$/);
    expect(req.headers['X-Req']).toBe('r-4');
  });

  it('lets scenario headers override target headers, whatever their case', () => {
    const s = compileScenario(scenario({ headers: { 'x-team': 'mine', 'content-type': 'text/csv' }, json: {} }), target);
    const h = s.render({ seq: 1 }).headers;
    expect(h).toEqual({ 'x-team': 'mine', 'content-type': 'text/csv' });
  });

  it('sends Content-Length: 0 for a POST without body', () => {
    const s = compileScenario(scenario({ method: 'POST' }), target);
    expect(requestBytes(s.render({ seq: 1 }), target.host).toString()).toContain('Content-Length: 0\r\n');
  });

  it('checks status (default 2xx/3xx) and body', () => {
    const plain = compileScenario(scenario(), target);
    expect([200, 302, 399].every(plain.statusOk)).toBe(true);
    expect([199, 404, 500].some(plain.statusOk)).toBe(false);
    const strict = compileScenario(scenario({}, { status: [201, 404], bodyContains: 'queued' }), target);
    expect(strict.statusOk(404)).toBe(true);
    expect(strict.statusOk(200)).toBe(false);
    const source = new RequestSource([strict], target);
    expect(source.check(0, 500, 'x')).toBe('status:500');
    expect(source.check(0, 201, 'not yet')).toBe('expect:body');
    expect(source.check(0, 201, '{"status":"queued"}')).toBeUndefined();
    expect(source.next().keepBody).toBe(true);
  });

  it('names the scenario and field of a bad template', () => {
    expect(() => compileScenario(scenario({ json: { a: ['{{bogus}}'] } }, {}, 'send'), target)).toThrow('scenario "send" request.json.a[0]: unknown template helper "bogus"');
    expect(() => compileScenario(scenario({ headers: { 'X-A': '{{int(2)}}' } }, {}, 'send'), target)).toThrow('scenario "send" request.headers.X-A');
  });
});

describe('weighted choice', () => {
  it('picks by weight', () => {
    const pick = weightedPicker([70, 20, 10]);
    const counts = [0, 0, 0];
    for (let i = 0; i < 20_000; i++) counts[pick()]!++;
    expect(counts[0]! / 20_000).toBeCloseTo(0.7, 1);
    expect(counts[1]! / 20_000).toBeCloseTo(0.2, 1);
    expect(counts[2]! / 20_000).toBeCloseTo(0.1, 1);
  });

  it('deals a deck whose counts follow the weights, every scenario at least once', () => {
    const deck = weightedDeck([70, 30]);
    expect(deck).toHaveLength(100);
    expect(deck.filter((i) => i === 0)).toHaveLength(70);
    const skewed = weightedDeck([1, 1000]);
    expect(skewed.filter((i) => i === 0)).toHaveLength(1);
    const thirds = weightedDeck([1, 1, 1]);
    expect(thirds.filter((i) => i === 2).length).toBeGreaterThanOrEqual(33);
  });
});
