/**
 * Page-script fragment (JS source, spliced into the walker by ax-page-script.ts): the properties
 * WebArena prints after a node's name, in the order Chrome's CDP lists them (global states,
 * widget properties, widget states) and with the values it gives them: booleans as Python prints
 * them (`True`/`False`), tristates (`checked`, `pressed`) as the strings CDP sends
 * (`true`/`false`/`mixed`, as in WebArena's traces: `checkbox 'Use system value' checked: true`),
 * tokens as is (`hasPopup: menu`). The properties WebArena skips (focusable, editable, readonly,
 * level, settable, multiline, invalid) are never produced; nor are live-region properties and
 * relations (controls, describedby …), which carry ids of the DOM rather than of the tree.
 *
 * Provides: computeProps(el, tag, role, flags, has), optionProps(option), NONE.
 * Needs (from the walker): active (the focused element or null), F_ADIS, ACTIONABLE.
 */

/** Chrome's RoleAllowsRequired (a native select is a pop-up button there, without `required`). */
const REQUIRED_ROLES = ['textbox', 'spinbutton', 'combobox', 'listbox', 'radiogroup', 'tree', 'treegrid', 'gridcell', 'columnheader', 'rowheader'];
const CHECKED_ROLES = ['checkbox', 'radio', 'switch', 'menuitemcheckbox', 'menuitemradio'];
const MULTISELECTABLE_ROLES = ['listbox', 'tablist', 'grid', 'tree', 'treegrid'];
const ORIENTATION_ROLES = ['listbox', 'menu', 'menubar', 'radiogroup', 'scrollbar', 'separator', 'slider', 'tablist', 'toolbar', 'tree', 'treegrid'];
const DEFAULT_ORIENTATION: Readonly<Record<string, string>> = {
  menubar: 'horizontal', tablist: 'horizontal', toolbar: 'horizontal', slider: 'horizontal', separator: 'horizontal', scrollbar: 'vertical',
};
const RANGE_ROLES = ['slider', 'spinbutton', 'progressbar', 'meter', 'scrollbar'];
/** Roles that print `selected` only when aria-selected says so (options and tabs always print it). */
const SELECTABLE_ROLES = ['treeitem', 'row', 'gridcell', 'cell', 'columnheader', 'rowheader'];
const POPUPS = ['menu', 'listbox', 'tree', 'grid', 'dialog'];

export const AX_PAGE_PROPS_JS = String.raw`
const NONE = [];
const REQUIRED_ROLES = new Set(${JSON.stringify(REQUIRED_ROLES)});
const CHECKED_ROLES = new Set(${JSON.stringify(CHECKED_ROLES)});
const MULTISELECTABLE_ROLES = new Set(${JSON.stringify(MULTISELECTABLE_ROLES)});
const ORIENTATION_ROLES = new Set(${JSON.stringify(ORIENTATION_ROLES)});
const DEFAULT_ORIENTATION = ${JSON.stringify(DEFAULT_ORIENTATION)};
const RANGE_ROLES = new Set(${JSON.stringify(RANGE_ROLES)});
const SELECTABLE_ROLES = new Set(${JSON.stringify(SELECTABLE_ROLES)});
const POPUPS = new Set(${JSON.stringify(POPUPS)});
const NATIVE_DISABLABLE = new Set(['BUTTON', 'INPUT', 'SELECT', 'TEXTAREA', 'FIELDSET', 'OPTGROUP', 'OPTION']);

function attr(el, has, name) {
  return has ? el.getAttribute(name) : null;
}

function bool(b) {
  return b ? 'True' : 'False';
}

function number(s) {
  return s !== null && s !== '' && isFinite(+s) ? String(+s) : null;
}

function rangeProps(el, tag, role, has, p) {
  let min = attr(el, has, 'aria-valuemin');
  let max = attr(el, has, 'aria-valuemax');
  if (tag === 'INPUT') {
    // A range always has bounds (0 and 100 by default); a number input only when given.
    if (el.type === 'range') { min = el.min || '0'; max = el.max || '100'; }
    else { min = el.min || min; max = el.max || max; }
  } else if (tag === 'PROGRESS') { min = '0'; max = String(el.max); }
  else if (tag === 'METER') { min = String(el.min); max = String(el.max); }
  else if (role === 'slider' || role === 'scrollbar') { if (min === null) min = '0'; if (max === null) max = '100'; }
  if ((min = number(min)) !== null) p.push('valuemin', min);
  if ((max = number(max)) !== null) p.push('valuemax', max);
  const text = attr(el, has, 'aria-valuetext');
  if (text) p.push('valuetext', text);
}

function checkedValue(el, tag, has) {
  if (tag === 'INPUT' && (el.type === 'checkbox' || el.type === 'radio')) {
    return el.type === 'checkbox' && el.indeterminate ? 'mixed' : el.checked ? 'true' : 'false';
  }
  const v = attr(el, has, 'aria-checked');
  return v === 'true' || v === 'mixed' ? v : 'false';
}

function computeProps(el, tag, role, flags, has) {
  const p = [];
  let v;
  // Global states.
  if ((NATIVE_DISABLABLE.has(tag) && el.matches(':disabled')) || attr(el, has, 'aria-disabled') === 'true' || (flags & F_ADIS && ACTIONABLE.has(role))) {
    p.push('disabled', 'True');
  }
  if (el === active) p.push('focused', 'True');
  // Widget properties.
  v = attr(el, has, 'aria-autocomplete');
  if (v === 'inline' || v === 'list' || v === 'both') p.push('autocomplete', v);
  else if (tag === 'INPUT' && has && el.hasAttribute('list')) p.push('autocomplete', 'list');
  v = attr(el, has, 'aria-haspopup');
  v = v === 'true' ? 'menu' : POPUPS.has(v) ? v : null;
  if (v === null && role === 'combobox') v = tag === 'SELECT' ? 'menu' : 'listbox';
  if (v !== null) p.push('hasPopup', v);
  if (MULTISELECTABLE_ROLES.has(role)) p.push('multiselectable', bool(tag === 'SELECT' ? el.multiple : attr(el, has, 'aria-multiselectable') === 'true'));
  v = attr(el, has, 'aria-orientation');
  if ((v === 'horizontal' || v === 'vertical') && ORIENTATION_ROLES.has(role)) p.push('orientation', v);
  else if (DEFAULT_ORIENTATION[role]) p.push('orientation', DEFAULT_ORIENTATION[role]);
  if (REQUIRED_ROLES.has(role) && !(role === 'combobox' && tag === 'SELECT')) {
    const native = (tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT') && el.required;
    p.push('required', bool(native || attr(el, has, 'aria-required') === 'true'));
  }
  if (RANGE_ROLES.has(role)) rangeProps(el, tag, role, has, p);
  // Widget states.
  if (CHECKED_ROLES.has(role)) p.push('checked', checkedValue(el, tag, has));
  v = attr(el, has, 'aria-expanded');
  if (v === 'true' || v === 'false') p.push('expanded', bool(v === 'true'));
  else if (role === 'combobox' && tag === 'SELECT') p.push('expanded', 'False');
  else if (tag === 'SUMMARY' && el.parentElement && el.parentElement.tagName === 'DETAILS') p.push('expanded', bool(el.parentElement.open));
  if (role === 'button') {
    v = attr(el, has, 'aria-pressed');
    if (v === 'true' || v === 'false' || v === 'mixed') p.push('pressed', v);
  }
  v = attr(el, has, 'aria-selected');
  if (role === 'option' || role === 'tab') p.push('selected', bool(v === 'true'));
  else if ((v === 'true' || v === 'false') && SELECTABLE_ROLES.has(role)) p.push('selected', bool(v === 'true'));
  if (role === 'dialog' || role === 'alertdialog') p.push('modal', bool(attr(el, has, 'aria-modal') === 'true' || (tag === 'DIALOG' && el.matches(':modal'))));
  return p.length ? p : NONE;
}

/** An option of a native select: Chrome always states whether it is selected. */
function optionProps(option) {
  const p = [];
  if (option.matches(':disabled')) p.push('disabled', 'True');
  if (option === active) p.push('focused', 'True');
  p.push('selected', bool(option.selected));
  return p;
}
`;
