/**
 * The host side of a page's requests (src/protocol.ts): each method's handler gives a result or
 * throws an error whose message the page shows. VS Code-free, so the webview tier answers a page
 * with the same code as the panels.
 */
import type { FromWebview, RequestMethod, RequestParams, RequestResult, ToWebview } from '../protocol';

export type RequestHandlers = { [M in RequestMethod]?: (params: RequestParams<M>) => RequestResult<M> | Promise<RequestResult<M>> };

/** The reply to one request: the handler's result, or its error as one sentence. */
export async function answer(message: Extract<FromWebview, { type: 'request' }>, handlers: RequestHandlers): Promise<ToWebview> {
  const handler = handlers[message.method] as ((params: unknown) => unknown) | undefined;
  if (!handler) return { type: 'reply', id: message.id, ok: false, error: `this view cannot answer "${message.method}"` };
  try {
    return { type: 'reply', id: message.id, ok: true, result: (await handler(message.params)) ?? null };
  } catch (err) {
    return { type: 'reply', id: message.id, ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}
