/**
 * The inspector's HTTP side: `/json/version` tells whether a port is a Node inspector at all,
 * `/json/list` names its debugging targets and their WebSocket URLs.
 */
import * as http from 'node:http';
import { isLoopbackHost } from '../../core/config/hosts';
import { ProfilerError } from './types';

/** Where an inspector listens. */
export interface InspectorAddress {
  host: string;
  port: number;
}

/** One debugging target of a Node inspector (`/json/list`). */
export interface InspectorTarget extends InspectorAddress {
  id: string;
  /** WebSocket URL, with its host rewritten to the address we reached the inspector on. */
  webSocketDebuggerUrl: string;
  /** The main script, as the inspector reports it. */
  title: string;
  url: string;
}

export const DEFAULT_HTTP_TIMEOUT_MS = 2_000;

/** `127.0.0.1:9229`, `[::1]:9229`, `localhost:9229`, or a bare port (`9229`, loopback). */
export function parseInspectorAddress(text: string): InspectorAddress {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return { host: '127.0.0.1', port: checkPort(Number(trimmed), text) };
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(trimmed);
  if (!m) throw new ProfilerError(`"${text}" is not an inspector address; write HOST:PORT, e.g. 127.0.0.1:9229`, 'refused');
  return { host: (m[1] ?? m[2])!, port: checkPort(Number(m[3]), text) };
}

function checkPort(port: number, text: string): number {
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new ProfilerError(`"${text}": ${port} is not a port number (1–65535)`, 'refused');
  }
  return port;
}

/**
 * Refuses a non-loopback host unless the user named it explicitly: the inspector runs arbitrary
 * code in the target, so PerfLab never wanders off the machine on its own.
 */
export function assertHostAllowed(host: string, namedByUser: boolean): void {
  if (!isLoopbackHost(host) && !namedByUser) {
    throw new ProfilerError(`refusing to attach to ${host}: the inspector is only attached on loopback unless you name the host with --inspect HOST:PORT`, 'refused');
  }
}

/** GET a JSON document from an inspector, with a timeout. */
export function getJson(address: InspectorAddress, path: string, timeoutMs = DEFAULT_HTTP_TIMEOUT_MS): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: address.host, port: address.port, path, timeout: timeoutMs, headers: { host: `127.0.0.1:${address.port}` } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
        // An inspector's answers are small; anything large is not an inspector.
        if (body.length > 1_000_000) req.destroy(new Error('response too large'));
      });
      res.on('end', () => {
        try {
          resolve(JSON.parse(body));
        } catch {
          reject(new Error(`${path} did not answer JSON (HTTP ${res.statusCode})`));
        }
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}

/** The Node version behind an inspector port (`node.js/v20.20.2`), or undefined when it is not one. */
export async function probeInspector(address: InspectorAddress, timeoutMs = 500): Promise<string | undefined> {
  try {
    const v = (await getJson(address, '/json/version', timeoutMs)) as { Browser?: unknown };
    return typeof v?.Browser === 'string' && v.Browser.startsWith('node.js/') ? v.Browser : undefined;
  } catch {
    return undefined;
  }
}

/** The Node target behind an inspector address, from `/json/list`. */
export async function findNodeTarget(address: InspectorAddress, timeoutMs = DEFAULT_HTTP_TIMEOUT_MS): Promise<InspectorTarget> {
  const where = formatAddress(address);
  let list: unknown;
  try {
    list = await getJson(address, '/json/list', timeoutMs);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ECONNREFUSED' ? 'nothing listens there' : (err as Error).message;
    throw new ProfilerError(`no Node inspector at ${where}: ${why}. Start the target with --inspect (or --inspect=0) or attach by --pid`, 'unreachable');
  }
  if (!Array.isArray(list)) throw new ProfilerError(`${where} is not a Node inspector (/json/list is not a list)`, 'unreachable');
  const targets = list as Partial<InspectorTarget & { type: string }>[];
  const target = targets.find((t) => t.type === 'node' && typeof t.webSocketDebuggerUrl === 'string') ?? targets.find((t) => typeof t.webSocketDebuggerUrl === 'string');
  if (!target) {
    throw new ProfilerError(`the inspector at ${where} has no attachable target (another debugger may hold it exclusively)`, 'unreachable');
  }
  // The inspector reports the address it bound (0.0.0.0, a host name); reach it the way we did.
  const ws = new URL(target.webSocketDebuggerUrl!);
  ws.hostname = address.host.includes(':') ? `[${address.host}]` : address.host;
  ws.port = String(address.port);
  return {
    host: address.host,
    port: address.port,
    id: String(target.id ?? ''),
    webSocketDebuggerUrl: ws.toString(),
    title: String(target.title ?? ''),
    url: String(target.url ?? ''),
  };
}

export function formatAddress(address: InspectorAddress): string {
  return address.host.includes(':') ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}
