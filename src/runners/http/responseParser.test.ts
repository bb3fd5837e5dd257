import { describe, expect, it } from 'vitest';
import { ResponseParser } from './responseParser';

const b = (s: string) => Buffer.from(s, 'latin1');

/** Feeds `text` in pieces of `size` bytes; returns the response and the byte it completed on. */
function feed(p: ResponseParser, text: string, size: number) {
  const buf = b(text);
  for (let i = 0; i < buf.length; i += size) {
    const res = p.execute(buf.subarray(i, i + size));
    if (res) return { res, at: Math.min(buf.length, i + size) };
  }
  return undefined;
}

describe('ResponseParser', () => {
  const lengthResponse = 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello';
  const chunked = 'HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: 1\r\n\r\n';

  it.each([1, 2, 7, 1000])('parses Content-Length bodies fed %i bytes at a time', (size) => {
    const p = new ResponseParser();
    p.expect(false, true);
    const out = feed(p, lengthResponse, size);
    expect(out?.res).toEqual({ status: 200, keepAlive: true, body: 'hello' });
    expect(out?.at).toBe(b(lengthResponse).length);
    expect(p.busy).toBe(false);
  });

  it.each([1, 3, 1000])('parses chunked bodies with extensions and trailers, %i bytes at a time', (size) => {
    const p = new ResponseParser();
    p.expect(false, true);
    expect(feed(p, chunked, size)?.res).toEqual({ status: 201, keepAlive: true, body: 'hello world' });
  });

  it('does not keep the body unless asked', () => {
    const p = new ResponseParser();
    p.expect(false, false);
    expect(p.execute(b(lengthResponse))).toEqual({ status: 200, keepAlive: true });
  });

  it('sees Connection: close and HTTP/1.0', () => {
    const p = new ResponseParser();
    p.expect(false, false);
    expect(p.execute(b('HTTP/1.1 500 Oops\r\nconnection: Close\r\ncontent-length: 0\r\n\r\n'))).toEqual({ status: 500, keepAlive: false });
    p.expect(false, false);
    expect(p.execute(b('HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n'))?.keepAlive).toBe(false);
    p.expect(false, false);
    expect(p.execute(b('HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n'))?.keepAlive).toBe(true);
  });

  it('reads a body without length until the connection closes', () => {
    const p = new ResponseParser();
    p.expect(false, true);
    expect(p.execute(b('HTTP/1.1 200 OK\r\n\r\nsome'))).toBeUndefined();
    expect(p.execute(b(' more'))).toBeUndefined();
    expect(p.endsAtClose).toBe(true);
    expect(p.close()).toEqual({ status: 200, keepAlive: false, body: 'some more' });
  });

  it('has no body for HEAD, 204 and 304, whatever the headers say', () => {
    const p = new ResponseParser();
    p.expect(true, false);
    expect(p.execute(b('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n'))?.status).toBe(200);
    p.expect(false, false);
    expect(p.execute(b('HTTP/1.1 204 No Content\r\n\r\n'))?.status).toBe(204);
    p.expect(false, false);
    expect(p.execute(b('HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n'))?.status).toBe(304);
  });

  it('skips interim 1xx responses', () => {
    const p = new ResponseParser();
    p.expect(false, true);
    expect(p.execute(b('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'))).toEqual({ status: 200, keepAlive: true, body: 'ok' });
  });

  it('keeps bytes past the end of the response as leftover', () => {
    const p = new ResponseParser();
    p.expect(false, false);
    const res = p.execute(b(`${lengthResponse}HTTP/1.1 404`));
    expect(res?.status).toBe(200);
    expect(p.leftover?.toString()).toBe('HTTP/1.1 404');
  });

  it('rejects what is not HTTP', () => {
    const p = new ResponseParser();
    p.expect(false, false);
    expect(() => p.execute(b('SSH-2.0-OpenSSH\r\n\r\n'))).toThrow(/not an HTTP\/1.x response/);
    p.expect(false, false);
    expect(() => p.execute(b('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'))).toThrow(/invalid chunk size/);
  });
});
