import { NavigationFailedError, ScriptRequiredError } from '../../src/env/errors.js';
import { attr, parentElementOf, selectAll, selectOne, tagOf as tag, textContent, type HtmlDocument, type HtmlNode } from '../http/html-document.js';
import { buttonType, formOwner, inputType, isSubmitButton, submitForm, type HttpNavigation } from '../http/html-form-submission.js';
import { radioValue } from './webshop-html-snapshot.js';

const describe = (el: HtmlNode): string => {
  const cls = attr(el, 'class');
  return `<${tag(el)}${cls ? ` class="${cls}"` : ''}> "${textContent(el).trim().slice(0, 40)}"`;
};

/**
 * What a click on `el` does without scripts (the element's or its nearest ancestor's activation
 * behavior): a link's GET of its href, a submit button's form submission. A click that only a
 * script could act on is refused (SCRIPT_REQUIRED), never guessed.
 */
const activate = (doc: HtmlDocument, el: HtmlNode): HttpNavigation => {
  for (let at: HtmlNode | undefined = el; at; at = parentElementOf(at)) {
    if (attr(at, 'onclick') !== undefined) throw new ScriptRequiredError(`${describe(el)} on ${doc.url} has an onclick handler: a script decides what it does; use --transport browser`);
    const kind = tag(at);
    const href = kind === 'a' || kind === 'area' ? attr(at, 'href') : undefined;
    if (href !== undefined) {
      if (/^\s*javascript:/i.test(href)) throw new ScriptRequiredError(`${describe(el)} on ${doc.url} links to javascript: use --transport browser`);
      return { method: 'GET', url: new URL(href, doc.baseUrl).href };
    }
    if (kind === 'button' || kind === 'input') {
      if (!isSubmitButton(at)) {
        const type = kind === 'button' ? buttonType(at) : inputType(at);
        throw new ScriptRequiredError(`${describe(el)} on ${doc.url} is a type="${type}" control: only a script can make it navigate; use --transport browser`);
      }
      const form = formOwner(doc, at);
      if (!form) throw new ScriptRequiredError(`${describe(el)} on ${doc.url} is a submit button outside any form: only a script can make it navigate; use --transport browser`);
      if (attr(form, 'onsubmit') !== undefined) throw new ScriptRequiredError(`the form of ${describe(el)} on ${doc.url} has an onsubmit handler; use --transport browser`);
      return submitForm(doc, form, at);
    }
  }
  throw new ScriptRequiredError(`${describe(el)} on ${doc.url} is neither a link nor a form button: only a script can make it navigate; use --transport browser`);
};

/**
 * The request `click[target]` makes, found as the browser path finds it: an option radio goes to
 * its `data-url` (resolved against the page URL, as the browser path's goto does); otherwise the
 * first `.btn` / `.product-link` whose trimmed, lower-cased text is the target is clicked.
 */
export const webShopClickNavigation = (doc: HtmlDocument, radioUrls: Readonly<Record<string, string>>, target: string): HttpNavigation => {
  const known = Object.hasOwn(radioUrls, target) ? radioUrls[target] : undefined;
  if (known !== undefined) return { method: 'GET', url: new URL(known, doc.url).href };
  const radio = selectAll(doc, 'input[type="radio"]').find((el) => radioValue(el) === target);
  if (radio) {
    const dataUrl = attr(radio, 'data-url');
    if (!dataUrl) throw new NavigationFailedError(`nothing to click for "${target}" on ${doc.url}`);
    return { method: 'GET', url: new URL(dataUrl, doc.url).href };
  }
  const el = selectAll(doc, '.btn, .product-link').find((e) => textContent(e).trim().toLowerCase() === target);
  if (!el) throw new NavigationFailedError(`nothing to click for "${target}" on ${doc.url}`);
  return activate(doc, el);
};

/**
 * The request `search[query]` makes: `#search_input` gets the query (an <input>'s value has its
 * line breaks stripped) and its form is submitted by the form's first `[type="submit"]`.
 */
export const webShopSearchNavigation = (doc: HtmlDocument, query: string): HttpNavigation => {
  const input = selectOne(doc, '#search_input');
  const form = input && formOwner(doc, input);
  const button = form && selectOne(doc, '[type="submit"]', form);
  if (!input || !form || !button) throw new NavigationFailedError(`no search form (#search_input in a form with a submit button) on ${doc.url}`);
  if (attr(form, 'onsubmit') !== undefined) throw new ScriptRequiredError(`the search form on ${doc.url} has an onsubmit handler; use --transport browser`);
  const value = tag(input) === 'textarea' ? query : query.replace(/[\r\n]/g, '');
  if (attr(input, 'required') !== undefined && value === '') throw new NavigationFailedError(`the search form on ${doc.url} requires a query`);
  return submitForm(doc, form, button, new Map([[input, value]]));
};
