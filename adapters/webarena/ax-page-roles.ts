/**
 * Page-script fragment (JS source, spliced into the walker by ax-page-script.ts): ARIA roles of
 * elements, explicit (`role` attribute) or implicit by tag and type, named as Chrome's
 * accessibility tree names them (which is what WebArena prints: `LabelText`, `Section`,
 * `HeaderAsNonLandmark`, `LineBreak`, `Iframe`, `menuitem` for the options of a collapsed select).
 *
 * Provides: explicitRole(el, tag), implicitRole(el, tag, flags, has).
 * Needs (from the walker): F_GRID, F_THEAD, F_SECT.
 */

/** ARIA 1.2 roles accepted in a `role` attribute (`image` is an alias of `img`). */
export const ARIA_ROLES: readonly string[] = [
  'alert', 'alertdialog', 'application', 'article', 'banner', 'blockquote', 'button', 'caption', 'cell', 'checkbox',
  'code', 'columnheader', 'combobox', 'comment', 'complementary', 'contentinfo', 'definition', 'deletion', 'dialog',
  'directory', 'document', 'emphasis', 'feed', 'figure', 'form', 'generic', 'grid', 'gridcell', 'group', 'heading',
  'img', 'insertion', 'link', 'list', 'listbox', 'listitem', 'log', 'main', 'mark', 'marquee', 'math', 'menu', 'menubar',
  'menuitem', 'menuitemcheckbox', 'menuitemradio', 'meter', 'navigation', 'note', 'option', 'paragraph', 'progressbar',
  'radio', 'radiogroup', 'region', 'row', 'rowgroup', 'rowheader', 'scrollbar', 'search', 'searchbox', 'separator',
  'slider', 'spinbutton', 'status', 'strong', 'subscript', 'superscript', 'switch', 'tab', 'table', 'tablist',
  'tabpanel', 'term', 'textbox', 'time', 'timer', 'toolbar', 'tooltip', 'tree', 'treegrid', 'treeitem',
];

/** Input types with their own role; every other type is a textbox (a combobox with `list`). */
const INPUT_ROLES: Readonly<Record<string, string>> = {
  button: 'button', submit: 'button', reset: 'button', image: 'button', file: 'button',
  checkbox: 'checkbox', radio: 'radio', range: 'slider', number: 'spinbutton', search: 'searchbox',
};

/** Tags whose role is a plain lookup. */
const TAG_ROLES: Readonly<Record<string, string>> = {
  BUTTON: 'button', TEXTAREA: 'textbox', H1: 'heading', H2: 'heading', H3: 'heading', H4: 'heading', H5: 'heading',
  H6: 'heading', UL: 'list', OL: 'list', MENU: 'list', LI: 'listitem', NAV: 'navigation', MAIN: 'main',
  ASIDE: 'complementary', SEARCH: 'search', ARTICLE: 'article', DIALOG: 'dialog', FIELDSET: 'group', LEGEND: 'Legend',
  LABEL: 'LabelText', P: 'paragraph', STRONG: 'strong', EM: 'emphasis', CODE: 'code', BLOCKQUOTE: 'blockquote',
  FIGURE: 'figure', FIGCAPTION: 'Figcaption', HR: 'separator', BR: 'LineBreak', TABLE: 'table', CAPTION: 'caption',
  TR: 'row', DL: 'list', DT: 'term', DD: 'definition', DETAILS: 'group', SUMMARY: 'DisclosureTriangle', TIME: 'time',
  MARK: 'mark', SUB: 'subscript', SUP: 'superscript', DEL: 'deletion', INS: 'insertion', PROGRESS: 'progressbar',
  METER: 'meter', OUTPUT: 'status', IFRAME: 'Iframe', FRAME: 'Iframe', VIDEO: 'Video', AUDIO: 'Audio',
  CANVAS: 'Canvas', ADDRESS: 'group', HGROUP: 'group', OPTGROUP: 'group', OPTION: 'option', svg: 'img', math: 'math',
};

/** Tags that are no node of their own: their children belong to the parent (Chrome ignores them). */
const LIFTED_TAGS: readonly string[] = ['HTML', 'BODY', 'FRAMESET', 'THEAD', 'TBODY', 'TFOOT', 'SLOT'];

export const AX_PAGE_ROLES_JS = String.raw`
const ARIA_ROLES = new Set(${JSON.stringify(ARIA_ROLES)});
const INPUT_ROLES = ${JSON.stringify(INPUT_ROLES)};
const TAG_ROLES = ${JSON.stringify(TAG_ROLES)};
const LIFTED_TAGS = new Set(${JSON.stringify(LIFTED_TAGS)});
const FOCUSABLE_TAGS = new Set(['BUTTON', 'INPUT', 'SELECT', 'TEXTAREA']);

/** undefined: no valid role attribute; null: none/presentation (ignored on focusable elements, as ARIA says). */
function explicitRole(el, tag) {
  const attr = el.getAttribute('role');
  if (attr === null) return undefined;
  const tokens = attr.trim().toLowerCase().split(/\s+/);
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t === 'none' || t === 'presentation') {
      const focusable = FOCUSABLE_TAGS.has(tag) || (tag === 'A' && el.hasAttribute('href')) || el.hasAttribute('tabindex');
      return focusable ? undefined : null;
    }
    if (t === 'image') return 'img';
    if (ARIA_ROLES.has(t)) return t;
  }
  return undefined;
}

/** A name given by the author (what makes a form a landmark and a section a region). */
function hasAuthorName(el, has) {
  if (!has) return false;
  const label = el.getAttribute('aria-label');
  return (label !== null && label.trim() !== '') || el.hasAttribute('aria-labelledby') || el.hasAttribute('title');
}

/** The implicit role; null for elements that are no node (their children are lifted). */
function implicitRole(el, tag, flags, has) {
  const fixed = TAG_ROLES[tag];
  if (fixed !== undefined) return fixed;
  if (LIFTED_TAGS.has(tag)) return null;
  switch (tag) {
    case 'A': case 'AREA': return has && el.hasAttribute('href') ? 'link' : 'generic';
    case 'INPUT': {
      const t = el.type;
      const role = INPUT_ROLES[t];
      if (role !== undefined) return t === 'search' && has && el.hasAttribute('list') ? 'combobox' : role;
      return has && el.hasAttribute('list') ? 'combobox' : 'textbox';
    }
    case 'SELECT': return el.multiple || el.size > 1 ? 'listbox' : 'combobox';
    case 'IMG': return has && el.getAttribute('alt') === '' ? null : 'img';
    case 'HEADER': return flags & F_SECT ? 'HeaderAsNonLandmark' : 'banner';
    case 'FOOTER': return flags & F_SECT ? 'FooterAsNonLandmark' : 'contentinfo';
    case 'FORM': return hasAuthorName(el, has) ? 'form' : 'generic';
    case 'SECTION': return hasAuthorName(el, has) ? 'region' : 'Section';
    case 'TD': return flags & F_GRID ? 'gridcell' : 'cell';
    case 'TH': {
      const scope = has ? (el.getAttribute('scope') || '').toLowerCase() : '';
      if (scope === 'row' || scope === 'rowgroup') return 'rowheader';
      if (scope === 'col' || scope === 'colgroup' || flags & F_THEAD) return 'columnheader';
      // Chrome's heuristic: a header cell in a row that also holds data cells heads that row.
      const row = el.parentElement;
      if (row) for (let c = row.firstElementChild; c; c = c.nextElementSibling) if (c.tagName === 'TD') return 'rowheader';
      return 'columnheader';
    }
    default: return 'generic';
  }
}
`;
