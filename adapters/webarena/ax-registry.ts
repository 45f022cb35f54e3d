import { randomBytes } from 'node:crypto';

/**
 * Where a document keeps its element ids: a registry object on a non-enumerable `window` property
 * whose name is random per Node process, created by the first observation of the document.
 *
 * Why not BrowserGym's way (a `bid` attribute written into every element)? Attributes are part of
 * the page: the site's own CSS (`[data-*]`, `*[class]` …), MutationObservers and frameworks that
 * diff or re-render the DOM see them, and re-rendered elements lose them. A WeakMap in the page's
 * script context leaves the DOM untouched, survives as long as the element object does (a framework
 * that re-creates an element yields a new element, hence a new id, which is the truth), and frees
 * removed elements with them. The cost: resolving an id needs the same process (the key), which
 * is where actions run anyway.
 *
 * Registry shape (page side): `{ ids: WeakMap<Node, number>, values: WeakMap<Element, number>,
 * next: number, byId: Map<number, Element> }` — `ids` for elements, text nodes and the document,
 * `values` for the virtual StaticText showing a field's value, `next` the last id handed out (ids
 * are never reused within the document), `byId` the elements behind the ids of the last observation.
 */
export const AX_REGISTRY_KEY = `__dreambridgeAx_${randomBytes(12).toString('hex')}`;

/** JS expression: this document's registry, created on first use (non-enumerable, read-only property). */
export const AX_REGISTRY_GET_OR_CREATE = `(() => {
  const key = ${JSON.stringify(AX_REGISTRY_KEY)};
  let reg = window[key];
  if (!reg) {
    reg = { ids: new WeakMap(), values: new WeakMap(), next: 0, byId: new Map() };
    Object.defineProperty(window, key, { value: reg, enumerable: false, writable: false, configurable: false });
  }
  return reg;
})()`;

/** JS expression: this document's registry, or undefined when the document was never observed. */
export const AX_REGISTRY_GET = `window[${JSON.stringify(AX_REGISTRY_KEY)}]`;
