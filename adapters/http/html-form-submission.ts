import { NavigationFailedError } from '../../src/env/errors.js';
import { attr, parentElementOf, selectAll, tagOf as tag, textContent, type HtmlDocument, type HtmlNode } from './html-document.js';

/** One request a page's control makes when used: a link's GET, a form's GET or POST. */
export interface HttpNavigation {
  method: 'GET' | 'POST';
  url: string;
  /** A POST's body, `application/x-www-form-urlencoded`. */
  body?: string;
}


/** `el.form`: the form named by its `form` attribute, else the nearest enclosing form. */
export const formOwner = (doc: HtmlDocument, el: HtmlNode): HtmlNode | undefined => {
  const id = attr(el, 'form');
  if (id !== undefined) return selectAll(doc, 'form').find((f) => attr(f, 'id') === id);
  for (let at = parentElementOf(el); at; at = parentElementOf(at)) if (tag(at) === 'form') return at;
  return undefined;
};

/** An input's type as the DOM reports it: lower-cased, `text` when absent. */
export const inputType = (el: HtmlNode): string => (attr(el, 'type') ?? 'text').toLowerCase();

/** A button's type: `submit` unless it says `button` or `reset`. */
export const buttonType = (el: HtmlNode): string => {
  const type = (attr(el, 'type') ?? '').toLowerCase();
  return type === 'button' || type === 'reset' ? type : 'submit';
};

/** Whether a control submits its form when clicked. */
export const isSubmitButton = (el: HtmlNode): boolean =>
  (tag(el) === 'button' && buttonType(el) === 'submit') || (tag(el) === 'input' && ['submit', 'image'].includes(inputType(el)));

const optionValue = (option: HtmlNode): string => attr(option, 'value') ?? textContent(option).replace(/\s+/g, ' ').trim();

/** A select's chosen values: the `selected` options, else (single select) the first enabled one. */
const selectValues = (doc: HtmlDocument, select: HtmlNode): string[] => {
  const options = selectAll(doc, 'option', select);
  const selected = options.filter((o) => attr(o, 'selected') !== undefined);
  if (selected.length > 0 || attr(select, 'multiple') !== undefined) return (attr(select, 'multiple') !== undefined ? selected : selected.slice(-1)).map(optionValue);
  const first = options.find((o) => attr(o, 'disabled') === undefined);
  return first ? [optionValue(first)] : [];
};

/**
 * The form data set the HTML standard builds on submission ("constructing the entry list"): the
 * form's enabled, named controls in tree order; checkboxes and radios only when checked; buttons
 * only when they are the submitter. `values` holds values typed into inputs.
 */
export const formEntries = (doc: HtmlDocument, form: HtmlNode, submitter: HtmlNode | undefined, values: ReadonlyMap<HtmlNode, string>): Array<[string, string]> => {
  const entries: Array<[string, string]> = [];
  for (const el of selectAll(doc, 'input, button, select, textarea')) {
    if (formOwner(doc, el) !== form) continue;
    const name = attr(el, 'name');
    if (!name || attr(el, 'disabled') !== undefined) continue;
    const kind = tag(el);
    if (kind === 'button' || (kind === 'input' && ['submit', 'image', 'button', 'reset'].includes(inputType(el)))) {
      if (el === submitter) entries.push([name, attr(el, 'value') ?? '']);
      continue;
    }
    if (kind === 'select') {
      for (const value of selectValues(doc, el)) entries.push([name, value]);
      continue;
    }
    if (kind === 'textarea') {
      entries.push([name, values.get(el) ?? textContent(el).replace(/^\n/, '')]);
      continue;
    }
    const type = inputType(el);
    if (type === 'file') throw new NavigationFailedError(`the form posting to ${attr(form, 'action') ?? doc.url} has a file input "${name}": the http transport does not upload files`);
    if ((type === 'checkbox' || type === 'radio') && attr(el, 'checked') === undefined) continue;
    entries.push([name, values.get(el) ?? attr(el, 'value') ?? (type === 'checkbox' || type === 'radio' ? 'on' : '')]);
  }
  return entries;
};

/**
 * The request a form submission makes (the HTML standard's "form submission algorithm" for
 * `application/x-www-form-urlencoded`): method and action from the submitter's `formmethod` /
 * `formaction` or the form's, the action resolved against the document's base URL; GET puts the
 * entries in the query, POST in the body.
 */
export const submitForm = (doc: HtmlDocument, form: HtmlNode, submitter: HtmlNode | undefined, values: ReadonlyMap<HtmlNode, string> = new Map()): HttpNavigation => {
  const method = ((submitter && attr(submitter, 'formmethod')) ?? attr(form, 'method') ?? 'get').toLowerCase() === 'post' ? 'POST' : 'GET';
  const enctype = ((submitter && attr(submitter, 'formenctype')) ?? attr(form, 'enctype') ?? '').toLowerCase();
  if (method === 'POST' && enctype !== '' && enctype !== 'application/x-www-form-urlencoded') {
    throw new NavigationFailedError(`the form posting to ${attr(form, 'action') ?? doc.url} is ${enctype}: the http transport submits application/x-www-form-urlencoded forms only`);
  }
  const action = (submitter && attr(submitter, 'formaction')) ?? attr(form, 'action') ?? '';
  const url = new URL(action === '' ? doc.url : action, action === '' ? undefined : doc.baseUrl);
  const body = new URLSearchParams(formEntries(doc, form, submitter, values)).toString();
  if (method === 'POST') return { method, url: url.href, body };
  // "Mutate action URL": the query becomes the entries, even when there are none (a bare `?`).
  const hash = url.hash;
  url.hash = '';
  url.search = '';
  return { method, url: `${url.href}?${body}${hash}` };
};
