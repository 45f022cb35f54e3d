import { STRUCTURAL_ROLES } from './ax-line.js';
import { AX_PAGE_NAMES_JS } from './ax-page-names.js';
import { AX_PAGE_PROPS_JS } from './ax-page-props.js';
import { AX_PAGE_ROLES_JS } from './ax-page-roles.js';
import { AX_REGISTRY_GET_OR_CREATE } from './ax-registry.js';
import { ACTIONABLE_ROLES } from './webarena-profile.js';

/**
 * The in-page walker: one pass over the DOM of one document (open shadow roots and slots
 * followed; iframes are other documents, observed by their own evaluation) building the tree
 * bottom-up, so that a name from content is the text already gathered below it; then one pass
 * over that tree dropping WebArena's structural nodes and handing out ids.
 *
 * Visibility costs one `checkVisibility()` per element (style only, no layout): a `display:none`
 * subtree is skipped whole, a `visibility:hidden` element is no node but its visible children
 * are, `aria-hidden="true"` and `inert` subtrees are skipped.
 *
 * Returned as a JSON string: `{ title, url, maxId, lines: [id, role, name, depth, props, flags][] }` where
 * props alternate name and value and flags are 1 = actionable, 2 = iframe (its document's lines
 * go under it), 4 = a field's value.
 *
 * A string, never a serialized function: tsx would inject its helpers into a function's source.
 * Playwright passes no argument to a string, so the argument is embedded as JSON.
 */

/** What the Node side passes in. */
export interface AxScriptArgument {
  /** Ids of a document observed for the first time start after this (keeps ids unique across documents). */
  idBase: number;
}

/** One line as the page returns it. */
export type AxRawLine = [id: number, role: string, name: string, depth: number, props: string[], flags: number];

export interface AxRawSnapshot {
  title: string;
  url: string;
  /** The highest id handed out in this document so far. */
  maxId: number;
  lines: AxRawLine[];
}

export const AX_FLAG_ACTIONABLE = 1;
export const AX_FLAG_IFRAME = 2;
export const AX_FLAG_FIELD_VALUE = 4;

const WALKER_JS = String.raw`
const F_PRE = 1, F_HIDETEXT = 2, F_GRID = 4, F_THEAD = 8, F_SECT = 16, F_ADIS = 32;
const ACTIONABLE = new Set(${JSON.stringify([...ACTIONABLE_ROLES])});
const STRUCTURAL = new Set(${JSON.stringify(STRUCTURAL_ROLES)});
const SECTIONING = new Set(['ARTICLE', 'ASIDE', 'MAIN', 'NAV', 'SECTION']);
/** Roles whose field value Chrome exposes as a StaticText child (the text editor inside the field). */
const VALUE_ROLES = new Set(['textbox', 'searchbox', 'spinbutton', 'combobox']);
/** Elements whose children are not walked (replaced content, fields, frames). */
const LEAF_TAGS = new Set(['IMG', 'svg', 'math', 'IFRAME', 'FRAME', 'BR', 'HR', 'VIDEO', 'AUDIO', 'CANVAS', 'INPUT', 'TEXTAREA', 'SELECT', 'METER', 'PROGRESS']);

const top = window === window.top;
let active = document.activeElement;
while (active && active.shadowRoot && active.shadowRoot.activeElement) active = active.shadowRoot.activeElement;
let rootFocused = false;
if (!active || active === document.body || active === document.documentElement) {
  active = null;
  rootFocused = top || document.hasFocus();
} else if (active.tagName === 'IFRAME' || active.tagName === 'FRAME' || (!top && !document.hasFocus())) {
  // Focus is in another document (a frame, or this frame is not the focused one).
  active = null;
}

function node(n, role, name, props, act) {
  return { n: n, role: role, name: name, props: props, kids: [], act: act, virt: 0 };
}

function walkChildren(el, out, flags) {
  let text = '';
  if (el.tagName === 'SLOT') {
    const assigned = el.assignedNodes();
    if (assigned.length) {
      for (let i = 0; i < assigned.length; i++) text += walkNode(assigned[i], out, flags);
      return text;
    }
  }
  for (let c = (el.shadowRoot || el).firstChild; c; c = c.nextSibling) text += walkNode(c, out, flags);
  return text;
}

/** Returns the node's text as it counts toward an ancestor's name from content. */
function walkNode(n, out, flags) {
  const type = n.nodeType;
  if (type === 1) return walkElement(n, out, flags);
  if (type !== 3 || flags & F_HIDETEXT) return '';
  const raw = n.nodeValue;
  const text = flags & F_PRE ? raw : raw.replace(WS, ' ');
  const name = flags & F_PRE ? raw.replace(/^\n+|\s+$/g, '') : text.trim();
  if (!name) return text ? ' ' : '';
  out.push({ n: n, role: 'StaticText', name: name, props: NONE, kids: NONE, act: 0, virt: 0 });
  return text;
}

function walkSelect(el, parent, listbox) {
  const role = listbox ? 'option' : 'menuitem';
  for (let c = el.firstElementChild; c; c = c.nextElementSibling) {
    if (c.hidden) continue;
    if (c.tagName === 'OPTION') {
      parent.kids.push(node(c, role, clean(c.getAttribute('aria-label')) || c.label, optionProps(c), ${AX_FLAG_ACTIONABLE}));
    } else if (c.tagName === 'OPTGROUP') {
      // A collapsed select lists its options flat (Chrome's menu list); a list box keeps groups.
      let group = parent;
      if (listbox) {
        group = node(c, 'group', clean(c.label), NONE, 0);
        parent.kids.push(group);
      }
      for (let o = c.firstElementChild; o; o = o.nextElementSibling) {
        if (o.tagName === 'OPTION' && !o.hidden) group.kids.push(node(o, role, clean(o.getAttribute('aria-label')) || o.label, optionProps(o), ${AX_FLAG_ACTIONABLE}));
      }
    }
  }
}

function walkElement(el, out, flags) {
  const tag = el.tagName;
  if (SKIP_TAGS.has(tag)) return '';
  const has = el.hasAttributes();
  if (has && (el.getAttribute('aria-hidden') === 'true' || el.hasAttribute('inert'))) return '';
  if (tag === 'INPUT' && el.type === 'hidden') return '';
  let selfHidden = false;
  if (!el.checkVisibility(VIS)) {
    // Rendered but visibility:hidden: no node, yet visible descendants are. No box at all:
    // display:none (skip) unless display:contents (children render).
    if (el.checkVisibility()) selfHidden = true;
    else if (getComputedStyle(el).display !== 'contents') return '';
  }
  let role = has ? explicitRole(el, tag) : undefined;
  if (role === undefined) role = implicitRole(el, tag, flags, has);
  let kidFlags = selfHidden ? flags | F_HIDETEXT : flags & ~F_HIDETEXT;
  if (tag === 'PRE' || tag === 'TEXTAREA') kidFlags |= F_PRE;
  else if (tag === 'TABLE') kidFlags = (role === 'grid' || role === 'treegrid' ? kidFlags | F_GRID : kidFlags & ~F_GRID) & ~F_THEAD;
  else if (tag === 'THEAD') kidFlags |= F_THEAD;
  else if (tag === 'TBODY' || tag === 'TFOOT') kidFlags &= ~F_THEAD;
  if (SECTIONING.has(tag)) kidFlags |= F_SECT;
  if (has && el.getAttribute('aria-disabled') === 'true') kidFlags |= F_ADIS;
  if (selfHidden || role === null) {
    const lifted = LEAF_TAGS.has(tag) ? '' : walkChildren(el, out, kidFlags);
    return BLOCK_TAGS.has(tag) ? ' ' + lifted + ' ' : lifted;
  }
  const self = node(el, role, '', NONE, ACTIONABLE.has(role) ? ${AX_FLAG_ACTIONABLE} : 0);
  out.push(self);
  let content = '';
  if (tag === 'INPUT' || tag === 'TEXTAREA') {
    content = tag === 'TEXTAREA' ? el.value : inputText(el);
    const value = el.value;
    if (value && VALUE_ROLES.has(role)) {
      const shown = el.type === 'password' ? '\u2022'.repeat(value.length) : tag === 'TEXTAREA' ? value : clean(value);
      self.kids.push({ n: el, role: 'StaticText', name: shown, props: NONE, kids: NONE, act: ${AX_FLAG_FIELD_VALUE}, virt: 1 });
    }
  } else if (tag === 'SELECT') {
    walkSelect(el, self, role === 'listbox');
    content = selectedText(el);
  } else if (tag === 'IFRAME' || tag === 'FRAME') {
    self.act |= ${AX_FLAG_IFRAME};
  } else if (!LEAF_TAGS.has(tag)) {
    content = walkChildren(el, self.kids, kidFlags);
  }
  self.name = role === 'LineBreak' ? '\n' : computeName(el, tag, role, content, has);
  self.props = computeProps(el, tag, role, flags, has);
  let contribution;
  if ((has && (el.hasAttribute('aria-label') || el.hasAttribute('aria-labelledby'))) || tag === 'IMG' || tag === 'svg') contribution = self.name;
  else if (role === 'LineBreak') contribution = ' ';
  else contribution = content || (has ? el.getAttribute('title') || '' : '');
  return BLOCK_TAGS.has(tag) ? ' ' + contribution + ' ' : contribution;
}

const reg = ${AX_REGISTRY_GET_OR_CREATE};
if (arg.idBase > reg.next) reg.next = arg.idBase;
const root = node(document, 'RootWebArea', clean(document.title), rootFocused ? ['focused', 'True'] : NONE, 0);
if (document.documentElement) walkChildren(document.documentElement, root.kids, 0);

const lines = [];
const byId = new Map();
function emit(x, depth) {
  let childDepth = depth;
  // WebArena's pruning: a nameless structural node without properties (a nameless listitem even
  // with properties) is dropped and its children lifted.
  const keep = x.name.trim() !== '' || !(x.role === 'listitem' || (x.props.length === 0 && STRUCTURAL.has(x.role)));
  if (keep) {
    const ids = x.virt ? reg.values : reg.ids;
    let id = ids.get(x.n);
    if (id === undefined) {
      id = ++reg.next;
      ids.set(x.n, id);
    }
    const target = x.n.nodeType === 3 ? x.n.parentElement : x.n === document ? document.documentElement : x.n;
    if (target) byId.set(id, target);
    lines.push([id, x.role, x.name, depth, x.props, x.act]);
    childDepth = depth + 1;
  }
  for (let i = 0; i < x.kids.length; i++) emit(x.kids[i], childDepth);
}
emit(root, 0);
reg.byId = byId;
// One JSON string: Playwright's own serialization of nested arrays costs ~7x the walk itself.
return JSON.stringify({ title: document.title, url: location.href, maxId: reg.next, lines: lines });
`;

const WALKER_SOURCE = `function (arg) {
'use strict';
${AX_PAGE_ROLES_JS}
${AX_PAGE_NAMES_JS}
${AX_PAGE_PROPS_JS}
${WALKER_JS}
}`;

/** The walker with its argument embedded, ready for `frame.evaluate()`; parse its result with `JSON.parse`. */
export const axTreeScript = (arg: AxScriptArgument): string => `(${WALKER_SOURCE})(${JSON.stringify(arg)})`;
