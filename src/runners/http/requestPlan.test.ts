import { describe, expect, it } from 'vitest';
import type { Scenario } from '../../core/config/types';
import { compileScenario, requestBytes, requestFault, targetInfo, weightedDeck, weightedPicker, type RenderedRequest } from './requestPlan';
import { GeneratorFailure, InvalidRequest, MAX_REFUSED_IN_A_ROW, RequestSource } from './requestSource';

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

describe('requests that must not reach the wire', () => {
  const req = (over: Partial<RenderedRequest>): RenderedRequest => ({ method: 'GET', path: '/', headers: {}, ...over });

  it('names a control character in a header value, a header name, the path or the method', () => {
    expect(requestFault(req({ headers: { 'X-A': 'a\r\nX-Injected: 1' } }))).toBe('header "X-A": its value contains a line break (CR) at character 2');
    expect(requestFault(req({ headers: { 'X-A': 'a\nb' } }))).toMatch(/line break \(LF\)/);
    expect(requestFault(req({ headers: { 'X-A': 'a\u0000' } }))).toMatch(/NUL/);
    expect(requestFault(req({ headers: { 'X-A\r\nX-B': '1' } }))).toMatch(/^header name "X-A\\r\\nX-B" contains a line break \(CR\)/);
    expect(requestFault(req({ headers: { 'X A': '1' } }))).toBe('header name "X A" is not a valid HTTP header name');
    expect(requestFault(req({ path: '/a\r\nHost: evil' }))).toMatch(/^path .* contains a line break \(CR\)/);
    expect(requestFault(req({ path: '/a b' }))).toMatch(/contains whitespace/);
    expect(requestFault(req({ method: 'GET / HTTP/1.1\r\nX:' }))).toMatch(/is not an HTTP method/);
    expect(requestFault(req({ method: 'BREW' }))).toMatch(/"BREW" is not an HTTP method/);
  });

  it('lets through what HTTP allows: tabs and non-ASCII in values, any body', () => {
    expect(requestFault(req({ method: 'POST', headers: { 'X-A': 'a\tb', 'X-Name': 'Zoë ☃' }, body: 'line\r\nbreaks are fine here' }))).toBeUndefined();
  });

  it('writes heads as UTF-8: a character past U+00FF never becomes a CR or LF byte', () => {
    const bytes = requestBytes(req({ headers: { 'X-A': 'a\u010d\u010aX-Injected: 1' } }), 'h');
    expect(bytes.includes(Buffer.from('\r\nX-Injected'))).toBe(false);
    expect(bytes.toString()).toContain('X-A: a\u010d\u010aX-Injected: 1\r\n');
  });

  it('refuses a static scenario with a control character when it is compiled, before any load', () => {
    expect(() => compileScenario(scenario({ headers: { 'X-A': 'a\r\nX-Injected: 1' } }, {}, 'bad'), target))
      .toThrow('scenario "bad" request: header "X-A": its value contains a line break (CR) at character 2');
  });

  it('refuses a generated request, counts it to its scenario, warns once, and gives up after a run of refusals', () => {
    const warnings: string[] = [];
    const poison = (seq: number) => seq % 3 === 0;
    const source = new RequestSource([compileScenario(scenario(), target)], target, (ctx) => (poison(ctx.seq) ? { path: '/', headers: { 'X-A': 'a\r\nb' } } : undefined), (m) => warnings.push(m));
    const refused: number[] = [];
    for (let seq = 1; seq <= 30; seq++) {
      try {
        source.next();
      } catch (err) {
        expect(err).toBeInstanceOf(InvalidRequest);
        expect((err as InvalidRequest).scenario).toBe(0);
        refused.push(seq);
      }
    }
    expect(refused).toEqual([3, 6, 9, 12, 15, 18, 21, 24, 27, 30]);
    expect(warnings).toEqual([
      'scenario "s": request 3 from the custom generator was refused, not sent: header "X-A": its value contains a line break (CR) at character 2; ' +
        'every request like it is refused and counted as an error of kind invalid-request (said once per run)',
    ]);
    const always = new RequestSource([compileScenario(scenario(), target)], target, () => ({ path: '/\n' }));
    for (let i = 1; i < MAX_REFUSED_IN_A_ROW; i++) expect(() => always.next()).toThrow(InvalidRequest);
    expect(() => always.next()).toThrow(GeneratorFailure);
    expect(() => always.next()).toThrow(/the last 100 requests were all refused, so there is nothing to send; scenario "s": request 101 .*path "\/api\/\\n" contains a line break \(LF\)/);
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
