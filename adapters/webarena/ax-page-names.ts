/**
 * Page-script fragment (JS source, spliced into the walker by ax-page-script.ts): accessible
 * names, following the accname steps Chrome and Playwright implement — aria-labelledby,
 * aria-label, the element's native source (label[for] / wrapping label, alt, button-input value,
 * legend, caption, figcaption), name from content for the roles that take it, then title and
 * placeholder. Name from content uses the text the walker has already gathered bottom-up, so a
 * subtree is read once; labels and aria-labelledby targets (elsewhere in the page) use textOf().
 *
 * Provides: clean(s), textOf(node, skip, includeHidden), inputText(el), selectedText(select),
 * computeName(el, tag, role, content, has), BLOCK_TAGS, SKIP_TAGS, VIS.
 */

/** Roles named by their content (ARIA "name from: contents", plus Chrome's DisclosureTriangle). */
export const NAME_FROM_CONTENT_ROLES: readonly string[] = [
  'button', 'cell', 'checkbox', 'columnheader', 'gridcell', 'heading', 'link', 'menuitem', 'menuitemcheckbox',
  'menuitemradio', 'option', 'radio', 'rowheader', 'switch', 'tab', 'tooltip', 'treeitem', 'DisclosureTriangle',
];

/** Tags rendered as blocks: their text is set apart by spaces when names are read from content. */
const BLOCK_TAGS: readonly string[] = [
  'ADDRESS', 'ARTICLE', 'ASIDE', 'BLOCKQUOTE', 'BR', 'CAPTION', 'DD', 'DETAILS', 'DIALOG', 'DIV', 'DL', 'DT',
  'FIELDSET', 'FIGCAPTION', 'FIGURE', 'FOOTER', 'FORM', 'H1', 'H2', 'H3', 'H4', 'H5', 'H6', 'HEADER', 'HR', 'LEGEND',
  'LI', 'MAIN', 'NAV', 'OL', 'P', 'PRE', 'SECTION', 'SUMMARY', 'TABLE', 'TBODY', 'TD', 'TFOOT', 'TH', 'THEAD', 'TR', 'UL',
];

/** Never rendered, never read. */
const SKIP_TAGS: readonly string[] = [
  'SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE', 'HEAD', 'META', 'LINK', 'TITLE', 'BASE', 'COLGROUP', 'COL', 'DATALIST',
  'PARAM', 'SOURCE', 'TRACK', 'MAP', 'OBJECT', 'EMBED',
];

export const AX_PAGE_NAMES_JS = String.raw`
const NAME_FROM_CONTENT = new Set(${JSON.stringify(NAME_FROM_CONTENT_ROLES)});
const BLOCK_TAGS = new Set(${JSON.stringify(BLOCK_TAGS)});
const SKIP_TAGS = new Set(${JSON.stringify(SKIP_TAGS)});
/** checkVisibility() options: display:none anywhere above, content-visibility, and visibility:hidden. */
const VIS = { visibilityProperty: true };
/** Only the ASCII whitespace CSS collapses (a no-break space stays, as Chrome keeps it). */
const WS = /[ \t\n\r\f]+/g;

function clean(s) {
  return s ? s.replace(WS, ' ').trim() : '';
}

/** What a form control contributes to a name it is embedded in: its value (accname 2E). */
function inputText(el) {
  const t = el.type;
  if (t === 'checkbox' || t === 'radio' || t === 'file' || t === 'hidden') return '';
  if (t === 'submit' || t === 'reset') return el.value || (t === 'submit' ? 'Submit' : 'Reset');
  if (t === 'image') return el.getAttribute('alt') || el.value || 'Submit';
  if (t === 'password') return '';
  return el.value;
}

function selectedText(select) {
  const options = select.selectedOptions;
  let s = '';
  for (let i = 0; i < options.length; i++) s += (i ? ' ' : '') + options[i].label;
  return s;
}

/** Text of a subtree outside the walk (labels, aria-labelledby targets); skip: the element being named. */
function textOf(node, skip, includeHidden) {
  if (node.nodeType === 3) return node.nodeValue;
  if (node.nodeType !== 1 || node === skip) return '';
  const tag = node.tagName;
  if (SKIP_TAGS.has(tag)) return '';
  if (!includeHidden && (node.getAttribute('aria-hidden') === 'true' || !node.checkVisibility(VIS))) return '';
  const label = node.getAttribute('aria-label');
  let s = '';
  if (label && label.trim()) s = label;
  else if (tag === 'IMG') s = node.getAttribute('alt') || '';
  else if (tag === 'INPUT') s = inputText(node);
  else if (tag === 'TEXTAREA') s = node.value;
  else if (tag === 'SELECT') s = selectedText(node);
  else {
    for (let c = (node.shadowRoot || node).firstChild; c; c = c.nextSibling) s += textOf(c, skip, includeHidden);
    if (!s.trim()) s = node.getAttribute('title') || '';
  }
  return BLOCK_TAGS.has(tag) ? ' ' + s + ' ' : s;
}

/** Referenced elements are read even when hidden (accname 2B); their hidden descendants then too. */
function labelledByText(ids, self) {
  const root = self.getRootNode();
  const lookup = root.getElementById ? root : document;
  const list = ids.trim().split(/\s+/);
  let s = '';
  for (let i = 0; i < list.length; i++) {
    const ref = lookup.getElementById(list[i]);
    if (ref) s += ' ' + textOf(ref, null, !ref.checkVisibility(VIS));
  }
  return clean(s);
}

function labelsText(el) {
  const labels = el.labels;
  if (!labels || labels.length === 0) return '';
  let s = '';
  for (let i = 0; i < labels.length; i++) s += ' ' + textOf(labels[i], el, !labels[i].checkVisibility(VIS));
  return clean(s);
}

function firstChildText(el, tag) {
  for (let c = el.firstElementChild; c; c = c.nextElementSibling) if (c.tagName === tag) return clean(textOf(c, null, false));
  return '';
}

/** The element's own naming source (HTML-AAM), before content. */
function nativeName(el, tag) {
  switch (tag) {
    case 'INPUT': {
      const t = el.type;
      if (t === 'button' || t === 'submit' || t === 'reset') return clean(el.value) || (t === 'submit' ? 'Submit' : t === 'reset' ? 'Reset' : '');
      if (t === 'image') return clean(el.getAttribute('alt')) || clean(el.value) || 'Submit';
      return labelsText(el);
    }
    case 'TEXTAREA': case 'SELECT': case 'BUTTON': case 'METER': case 'PROGRESS': case 'OUTPUT': return labelsText(el);
    case 'IMG': return clean(el.getAttribute('alt'));
    case 'FIELDSET': return firstChildText(el, 'LEGEND');
    case 'FIGURE': return firstChildText(el, 'FIGCAPTION');
    case 'TABLE': return el.caption ? clean(textOf(el.caption, null, false)) : '';
    case 'OPTGROUP': return clean(el.label);
    case 'svg': {
      // An SVG <title> is never rendered, so it is read directly.
      for (let c = el.firstElementChild; c; c = c.nextElementSibling) if (c.tagName === 'title') return clean(c.textContent);
      return '';
    }
    default: return '';
  }
}

function computeName(el, tag, role, content, has) {
  let v;
  if (has) {
    v = el.getAttribute('aria-labelledby');
    if (v && (v = labelledByText(v, el))) return v;
    v = clean(el.getAttribute('aria-label'));
    if (v) return v;
  }
  v = nativeName(el, tag);
  if (v) return v;
  if (NAME_FROM_CONTENT.has(role) && (v = clean(content))) return v;
  if (has) {
    v = clean(el.getAttribute('title'));
    if (v) return v;
    if (tag === 'INPUT' || tag === 'TEXTAREA') v = clean(el.getAttribute('placeholder'));
    if (v) return v;
    v = clean(el.getAttribute('aria-placeholder'));
  }
  return v || '';
}
`;
