/**
 * A tiny element builder. Text only ever goes in through `textContent` and attributes through
 * `setAttribute`: run records hold untrusted names (profiles, scenarios, functions), so no
 * markup is ever parsed from data.
 */

export interface ElementOptions {
  className?: string;
  text?: string;
  /** Set with `setAttribute`; `undefined` values are skipped. */
  attrs?: Record<string, string | undefined>;
}

export type Child = Node | string | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  options: ElementOptions = {},
  children: Child[] = [],
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (options.className) el.className = options.className;
  if (options.text !== undefined) el.textContent = options.text;
  for (const [name, value] of Object.entries(options.attrs ?? {})) {
    if (value !== undefined) el.setAttribute(name, value);
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    el.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return el;
}

/** A button that runs `onClick`; `type="button"` so it never submits anything. */
export function button(label: string, onClick: () => void, className = 'button', title?: string): HTMLButtonElement {
  const el = h('button', { className, text: label, attrs: { type: 'button', title } });
  el.addEventListener('click', onClick);
  return el;
}

/** A page's error banner: what could not be shown, and why (a message from the host, shown as text). */
export function errorBanner(title: string, message: string): HTMLElement {
  return h('div', { className: 'banner banner-error', attrs: { role: 'alert' } }, [h('strong', { text: title }), h('span', { className: 'banner-text', text: message })]);
}
