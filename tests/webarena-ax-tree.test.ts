import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { launchChromium } from '../adapters/browser/launch.js';
import type { AxLine } from '../adapters/webarena/ax-line.js';
import { pyStrRepr } from '../src/python/python-repr.js';
import { observeWebArenaPage, renderCompactView, resolveElement, type WebArenaObservation } from '../adapters/webarena/webarena-observation.js';
import { actionableIds } from '../adapters/webarena/webarena-profile.js';

interface Served {
  port: number;
  server: Server;
}

/** A tiny site on port 0; `host` picks the origin (127.0.0.1 and localhost are different sites). */
const serve = (routes: Record<string, () => string>): Promise<Served> => {
  const app = express();
  for (const [path, html] of Object.entries(routes)) app.get(path, (_req, res) => void res.type('html').send(html()));
  return new Promise((resolve) => {
    const server = app.listen(0, () => resolve({ port: (server.address() as AddressInfo).port, server }));
  });
};

let browser: Browser;
let page: Page;
let main: Served;
let other: Served;

beforeAll(async () => {
  browser = await launchChromium();
  other = await serve({
    '/frame': () => `<title>Inner</title><button onclick="this.textContent='Clicked'">Press me</button><iframe title="nested" srcdoc="<a href='#deep'>deep link</a>"></iframe>`,
  });
  main = await serve({
    '/frames': () => `<title>Outer</title><h1>Parent</h1><iframe title="same" src="/same"></iframe><p>between</p><iframe title="cross" src="http://localhost:${other.port}/frame"></iframe>`,
    '/same': () => `<title>Same</title><a href="#s">same link</a><input aria-label="Field">`,
    '/a': () => `<title>A</title><a href="/b">to b</a><p>first document</p>`,
    '/b': () => `<title>B</title><a href="/a">to a</a><button>b button</button>`,
  });
});

afterAll(async () => {
  await browser?.close();
  for (const s of [main, other]) await new Promise((r) => s?.server.close(r));
});

beforeEach(async () => {
  await page?.close();
  page = await browser.newPage();
});

const observe = async (html: string, idBase = 0): Promise<WebArenaObservation> => {
  await page.setContent(html);
  return observeWebArenaPage(page, { tabs: [], idBase });
};

/** Lines with their indentation but without ids: what a test can spell out. */
const shape = (o: WebArenaObservation): string[] => o.nodes.map((n) => `${'\t'.repeat(n.depth)}${n.text.replace(/^\[[^\]]+\] /, '')}`);

const byName = (o: WebArenaObservation, role: string, name: string): AxLine => {
  const line = o.nodes.find((n) => n.role === role && n.name === name);
  if (!line) throw new Error(`no ${role} '${name}' in\n${o.text}`);
  return line;
};

describe('WebArena accessibility tree: roles, names, properties', () => {
  it('computes ARIA roles as Chrome names them, under the tab header', async () => {
    const o = await observe(`<title>Roles</title><header><a href="/">Logo</a></header>
      <nav aria-label="Main"><ul><li><a href="/a">A</a></li></ul></nav>
      <main><h2>Heading</h2><article><header>Art head</header><p>Para</p></article>
      <section aria-label="Named">S</section><section>Unnamed</section>
      <form aria-label="Login"><fieldset><legend>Creds</legend><input type="text" aria-label="User"><input type="search" aria-label="Find">
      <input type="number" aria-label="Count"><input type="range" aria-label="Vol"><input type="checkbox" aria-label="C"><input type="radio" aria-label="R">
      <input type="submit"><input type="button" value="Do"><textarea aria-label="Notes"></textarea></fieldset></form>
      <select aria-label="One"><option>x</option></select><select aria-label="Many" multiple><option>y</option></select>
      <table><thead><tr><th>H</th></tr></thead><tbody><tr><th>RowH</th><td>Cell</td></tr></tbody></table>
      <dialog open aria-label="Dlg">Hi</dialog><img alt="Pic"><hr><div role="tab" aria-selected="true">Tab1</div>
      <div role="presentation">pres</div><details><summary>More</summary>Inside</details></main><footer>Foot</footer>`);
    expect(o.text.split('\n\n')[0]).toBe('Tab 0 (current): Roles');
    expect(shape(o)).toEqual([
      "RootWebArea 'Roles' focused: True",
      "\tlink 'Logo'",
      "\tnavigation 'Main'",
      "\t\tlink 'A'",
      "\tmain ''",
      "\t\theading 'Heading'",
      "\t\tarticle ''",
      "\t\t\tHeaderAsNonLandmark ''",
      "\t\t\t\tStaticText 'Art head'",
      "\t\t\tStaticText 'Para'",
      "\t\tregion 'Named'",
      "\t\tStaticText 'Unnamed'",
      "\t\tform 'Login'",
      "\t\t\tgroup 'Creds'",
      "\t\t\t\ttextbox 'User' required: False",
      "\t\t\t\tsearchbox 'Find'",
      "\t\t\t\tspinbutton 'Count' required: False",
      "\t\t\t\tslider 'Vol' orientation: horizontal valuemin: 0 valuemax: 100",
      "\t\t\t\tcheckbox 'C' checked: false",
      "\t\t\t\tradio 'R' checked: false",
      "\t\t\t\tbutton 'Submit'",
      "\t\t\t\tbutton 'Do'",
      "\t\t\t\ttextbox 'Notes' required: False",
      "\t\tcombobox 'One' hasPopup: menu expanded: False",
      "\t\t\tmenuitem 'x' selected: True",
      "\t\tlistbox 'Many' multiselectable: True required: False",
      "\t\t\toption 'y' selected: False",
      "\t\ttable ''",
      "\t\t\trow ''",
      "\t\t\t\tcolumnheader 'H' required: False",
      "\t\t\trow ''",
      "\t\t\t\trowheader 'RowH' required: False",
      "\t\t\t\tcell 'Cell'",
      "\t\tdialog 'Dlg' modal: False",
      "\t\t\tStaticText 'Hi'",
      "\t\timg 'Pic'",
      "\t\tseparator '' orientation: horizontal",
      "\t\ttab 'Tab1' selected: True",
      "\t\tStaticText 'pres'",
      "\t\tgroup ''",
      "\t\t\tDisclosureTriangle 'More' expanded: False",
      "\t\t\tStaticText 'Inside'",
      "\tcontentinfo ''",
      "\t\tStaticText 'Foot'",
    ]);
  });

  it('names from every source: labelledby, aria-label, labels, alt, title, placeholder, input values, content', async () => {
    const o = await observe(`<span id="l1">First</span><span id="l2" hidden>Hidden part</span>
      <button aria-labelledby="l1 l2">content ignored</button><button aria-label="  Close   dialog ">X</button>
      <label for="f1">For label</label><input id="f1"><label>Wrapping <input> label</label>
      <img alt="An image"><img title="Titled image" src="data:,"><input title="Titled field"><input placeholder="Placeholder field">
      <input type="submit" value="Send it"><input type="reset"><input type="image" alt="Go image">
      <a href="/x">Link <b>with</b> <img alt="icon"> content</a><h3>Heading <em>content</em></h3>
      <table><tr><td>Cell <a href="#">text</a></td></tr></table><a href="/t" title="Only title"></a><div title="Generic title">x</div>
      <fieldset><legend>Legend name</legend></fieldset><select aria-label="Sel"><option label="Labelled option">raw</option><option>  Text   option </option></select>`);
    const lines = shape(o).map((l) => l.trim());
    for (const expected of [
      "button 'First Hidden part'", "button 'Close dialog'", "textbox 'For label' required: False", "textbox 'Wrapping label' required: False",
      "img 'An image'", "img 'Titled image'", "textbox 'Titled field' required: False", "textbox 'Placeholder field' required: False",
      "button 'Send it'", "button 'Reset'", "button 'Go image'", "link 'Link with icon content'", "heading 'Heading content'",
      "cell 'Cell text'", "link 'Only title'", "generic 'Generic title'", "group 'Legend name'",
      "menuitem 'Labelled option' selected: True", "menuitem 'Text option' selected: False",
    ]) {
      expect(lines).toContain(expected);
    }
  });

  it('prints properties in WebArena style: focused, required, checked, expanded/hasPopup, selected, disabled, pressed', async () => {
    await page.setContent(`<input aria-label="Req" required><textarea aria-label="Area"></textarea>
      <input type="checkbox" aria-label="On" checked><input type="checkbox" aria-label="Mixed" id="mx"><div role="checkbox" aria-checked="mixed" aria-label="Aria mixed"></div>
      <input type="radio" name="r" aria-label="R1" checked><button aria-haspopup="true" aria-expanded="false">Account</button><button aria-haspopup="listbox">Sort</button>
      <select aria-label="Period"><option>Day</option><option selected>Week</option><option disabled>Month</option></select>
      <div role="tablist"><div role="tab" aria-selected="true">T1</div><div role="tab">T2</div></div>
      <button disabled>Off</button><fieldset disabled><input aria-label="In disabled fieldset"></fieldset><div aria-disabled="true"><button>Aria off</button></div>
      <button aria-pressed="true">Bold</button><input type="password" aria-label="Pw" value="secret"><input id="focus" aria-label="Focus me" value="3">`);
    await page.evaluate("document.getElementById('mx').indeterminate = true; document.getElementById('focus').focus()");
    const o = await observeWebArenaPage(page, { tabs: [] });
    expect(shape(o)).toEqual([
      "RootWebArea ''",
      "\ttextbox 'Req' required: True",
      "\ttextbox 'Area' required: False",
      "\tcheckbox 'On' checked: true",
      "\tcheckbox 'Mixed' checked: mixed",
      "\tcheckbox 'Aria mixed' checked: mixed",
      "\tradio 'R1' checked: true",
      "\tbutton 'Account' hasPopup: menu expanded: False",
      "\tbutton 'Sort' hasPopup: listbox",
      "\tcombobox 'Period' hasPopup: menu expanded: False",
      "\t\tmenuitem 'Day' selected: False",
      "\t\tmenuitem 'Week' selected: True",
      "\t\tmenuitem 'Month' disabled: True selected: False",
      "\ttablist '' multiselectable: False orientation: horizontal",
      "\t\ttab 'T1' selected: True",
      "\t\ttab 'T2' selected: False",
      "\tbutton 'Off' disabled: True",
      "\tgroup '' disabled: True",
      "\t\ttextbox 'In disabled fieldset' disabled: True required: False",
      "\tgeneric '' disabled: True",
      "\t\tbutton 'Aria off' disabled: True",
      "\tbutton 'Bold' pressed: true",
      "\ttextbox 'Pw' required: False",
      "\t\tStaticText '••••••'",
      "\ttextbox 'Focus me' focused: True required: False",
      // A field's value is its StaticText child, kept even where WebArena's cleaning would drop it.
      "\t\tStaticText '3'",
    ]);
  });
});

describe('WebArena accessibility tree: pruning, hiding, quoting', () => {
  it("prunes as WebArena does: nameless structural nodes lifted, text repeating one of the 3 previous lines dropped", async () => {
    const o = await observe(`<div><span>In span</span></div><ul><li>Item one</li><li aria-expanded="false"><a href="/2">Item two</a></li></ul>
      <div aria-label="Named div">x</div><main><p>Para</p></main><p><strong>Strong</strong></p>
      <a href="/r">Repeat</a><p>Repeat</p><p>Other</p><p>Other 2</p><p>Other 3</p><p>Repeat</p>`);
    expect(shape(o)).toEqual([
      "RootWebArea '' focused: True",
      "\tStaticText 'In span'",
      "\tStaticText 'Item one'",
      "\tlink 'Item two'",
      "\tgeneric 'Named div'",
      "\tmain ''",
      "\t\tStaticText 'Para'",
      "\tStaticText 'Strong'",
      "\tlink 'Repeat'",
      "\tStaticText 'Other'",
      "\tStaticText 'Other 2'",
      "\tStaticText 'Other 3'",
      "\tStaticText 'Repeat'",
    ]);
  });

  it('skips hidden content: display:none, hidden, aria-hidden, inert, visibility:hidden (not its visible children), scripts', async () => {
    const o = await observe(`<p>visible</p><p style="display:none">display none</p><p hidden>hidden attr</p><p aria-hidden="true">aria hidden</p>
      <div style="visibility:hidden">vis hidden <span style="visibility:visible">child visible</span></div><script>var s = 'script text'</script>
      <style>.x{}</style><noscript>noscript text</noscript><template><p>template</p></template><input type="hidden" value="hid">
      <div inert>inert text</div><div style="display:contents"><a href="/c">in contents</a></div><details><summary>Sum</summary><p>closed body</p></details>`);
    expect(shape(o)).toEqual([
      "RootWebArea '' focused: True",
      "\tStaticText 'visible'",
      "\tStaticText 'child visible'",
      "\tlink 'in contents'",
      "\tgroup ''",
      "\t\tDisclosureTriangle 'Sum' expanded: False",
    ]);
  });

  it("quotes names as Python's repr does", async () => {
    expect(pyStrRepr("it's")).toBe(`"it's"`);
    expect(pyStrRepr('say "hi"')).toBe(`'say "hi"'`);
    expect(pyStrRepr(`it's "x"`)).toBe(`'it\\'s "x"'`);
    expect(pyStrRepr('a\\b\tc\nd')).toBe(`'a\\\\b\\tc\\nd'`);
    expect(pyStrRepr('\u00a0 \ue604 DASHBOARD \u200b é 😀 \u0007')).toBe(`'\\xa0 \\ue604 DASHBOARD \\u200b é 😀 \\x07'`);
    const o = await observe(`<a href="#">it's</a><a href="#">say "hi"</a><a href="#">it's "x"</a><a href="#">back\\slash</a><pre>line 1\nline 2</pre>`);
    expect(shape(o).slice(1)).toEqual([`\tlink "it's"`, `\tlink 'say "hi"'`, `\tlink 'it\\'s "x"'`, `\tlink 'back\\\\slash'`, `\tStaticText 'line 1\\nline 2'`]);
  });
});

describe('WebArena accessibility tree: ids', () => {
  it('keeps ids of unchanged elements across a click that replaces part of the page, and never reuses one', async () => {
    const before = await observe(`<ul><li><a href="#1">Item 1</a></li><li id="two"><a href="#2">Item 2</a></li><li><a href="#3">Item 3</a></li></ul>
      <button onclick="const li = document.createElement('li'); li.innerHTML = '<a href=#n>Item new</a>'; document.getElementById('two').replaceWith(li)">Replace</button>`);
    const button = byName(before, 'button', 'Replace');
    await (await resolveElement(page, button.id))!.click();
    const after = await observeWebArenaPage(page, { tabs: [], idBase: before.maxId });
    for (const name of ['Item 1', 'Item 3']) expect(byName(after, 'link', name).id).toBe(byName(before, 'link', name).id);
    expect(byName(after, 'button', 'Replace').id).toBe(button.id);
    expect(after.nodes[0]!.id).toBe(before.nodes[0]!.id);
    expect(Number(byName(after, 'link', 'Item new').id)).toBeGreaterThan(before.maxId);
    expect(after.nodes.some((n) => n.name === 'Item 2')).toBe(false);
    expect(await resolveElement(page, byName(before, 'link', 'Item 2').id)).toBeNull();
  });

  it('leaves the DOM and the enumerable globals of the page untouched', async () => {
    await page.setContent(`<div class="x"><a href="/a">a</a><input aria-label="i"></div>`);
    const read = "JSON.stringify([document.documentElement.outerHTML, Object.keys(window)])";
    const before = await page.evaluate(read);
    await observeWebArenaPage(page, { tabs: [] });
    await observeWebArenaPage(page, { tabs: [] });
    expect(await page.evaluate(read)).toBe(before);
  });

  it('restarts numbering in a new document unless idBase carries it over', async () => {
    await page.goto(`http://127.0.0.1:${main.port}/a`);
    const a = await observeWebArenaPage(page, { tabs: [{ title: 'A', current: true }] });
    expect(a.nodes[0]!.id).toBe('1');
    await page.goto(`http://127.0.0.1:${main.port}/b`);
    const b = await observeWebArenaPage(page, { tabs: [], idBase: a.maxId });
    expect(b.nodes.every((n) => Number(n.id) > a.maxId)).toBe(true);
    expect(b.maxId).toBeGreaterThan(a.maxId);
    const again = await observeWebArenaPage(page, { tabs: [], idBase: b.maxId });
    expect(again.nodes.map((n) => n.id)).toEqual(b.nodes.map((n) => n.id));
    await page.goto(`http://127.0.0.1:${main.port}/a`);
    expect((await observeWebArenaPage(page, { tabs: [] })).nodes[0]!.id).toBe('1');
  });

  it('lists actionable ids in document order, as the profile reads them from the text', async () => {
    const o = await observe(`<a href="/x">x</a><p>text</p><button>b</button><input aria-label="t"><select aria-label="s"><option>o</option></select>
      <input type="checkbox" aria-label="c"><div role="tab">tab</div><div role="menuitem">m</div><h1>h</h1>`);
    expect(o.ids).toEqual(actionableIds(o.text));
    expect(o.ids.map((id) => o.nodes.find((n) => n.id === id)!.role)).toEqual(['link', 'button', 'textbox', 'combobox', 'menuitem', 'checkbox', 'tab', 'menuitem']);
  });
});

describe('WebArena accessibility tree: frames', () => {
  it('splices same-origin and cross-origin frames under their iframe with prefixed ids, and resolves inside them', async () => {
    await page.goto(`http://127.0.0.1:${main.port}/frames`);
    await page.waitForLoadState('load');
    const o = await observeWebArenaPage(page, { tabs: [{ title: 'Outer', current: true }, { title: 'Other', current: false }] });
    expect(o.text.split('\n\n')[0]).toBe('Tab 0 (current): Outer | Tab 1: Other');
    const same = byName(o, 'Iframe', 'same');
    const cross = byName(o, 'Iframe', 'cross');
    expect(shape(o)).toEqual([
      "RootWebArea 'Outer' focused: True",
      "\theading 'Parent'",
      "\tIframe 'same'",
      "\t\tRootWebArea 'Same'",
      "\t\t\tlink 'same link'",
      "\t\t\ttextbox 'Field' required: False",
      "\tStaticText 'between'",
      "\tIframe 'cross'",
      "\t\tRootWebArea 'Inner'",
      "\t\t\tbutton 'Press me'",
      "\t\t\tIframe 'nested'",
      "\t\t\t\tRootWebArea ''",
      "\t\t\t\t\tlink 'deep link'",
    ]);
    const field = byName(o, 'textbox', 'Field');
    const press = byName(o, 'button', 'Press me');
    const deep = byName(o, 'link', 'deep link');
    expect(field.id).toMatch(new RegExp(`^f${same.id}\\.\\d+$`));
    expect(press.id).toMatch(new RegExp(`^f${cross.id}\\.\\d+$`));
    expect(deep.id).toMatch(new RegExp(`^f${cross.id}\\.f\\d+\\.\\d+$`));
    expect(o.ids).toEqual(expect.arrayContaining([field.id, press.id, deep.id]));

    await (await resolveElement(page, press.id))!.click();
    await (await resolveElement(page, field.id))!.fill('typed');
    expect(await (await resolveElement(page, deep.id))!.getAttribute('href')).toBe('#deep');
    const next = await observeWebArenaPage(page, { tabs: [], idBase: o.maxId });
    expect(byName(next, 'button', 'Clicked').id).toBe(press.id);
    const fieldAfter = next.nodes.findIndex((n) => n.id === field.id);
    expect(next.nodes[fieldAfter + 1]).toMatchObject({ role: 'StaticText', name: 'typed', depth: next.nodes[fieldAfter]!.depth + 1 });
    expect(await resolveElement(page, 'f999.1')).toBeNull();
    expect(await resolveElement(page, 'nonsense')).toBeNull();
  });
});

describe('WebArena compact view', () => {
  it('puts the URL first, keeps actionable nodes first within the budget, in document order, with a marker', async () => {
    const items = Array.from({ length: 80 }, (_, i) => `<li><p>Description of product ${i}, long enough to count</p><a href="/p/${i}">Product ${i}</a></li>`);
    const o = await observe(`<title>Many</title><h1>Catalog</h1><ul>${items.join('')}</ul><button>Load more</button>`);
    const full = renderCompactView(o.nodes, 'http://shop/list', { maxLines: 1000, maxChars: 100_000 }).split('\n');
    expect(full[0]).toBe('URL: http://shop/list');
    expect(full).toContain(`[${byName(o, 'heading', 'Catalog').id}] heading: Catalog`);
    expect(full.at(-1)).toBe(`[${byName(o, 'button', 'Load more').id}] button: Load more`);
    expect(full).toHaveLength(1 + 1 + 80 * 2 + 1);

    const view = renderCompactView(o.nodes, 'http://shop/list', { maxLines: 30, maxChars: 1500 });
    const lines = view.split('\n');
    expect(lines.length).toBeLessThanOrEqual(30);
    expect(view.length).toBeLessThanOrEqual(1500);
    expect(lines[0]).toBe('URL: http://shop/list');
    const marker = /^… (\d+) more lines$/.exec(lines.at(-1)!);
    const shown = lines.slice(1, -1);
    expect(shown.length + Number(marker?.[1])).toBe(full.length - 1);
    expect(shown.every((l) => /^\[\d+\] link: Product \d+$/.test(l))).toBe(true);
    const order = shown.map((l) => full.indexOf(l));
    expect(order).toEqual([...order].sort((a, b) => a - b));

    const small = renderCompactView(o.nodes, 'http://shop/list', { maxChars: 300 });
    expect(small.length).toBeLessThanOrEqual(300);
    expect(small.split('\n').at(-1)).toMatch(/^… \d+ more lines$/);
    const byDefault = renderCompactView(o.nodes, 'http://shop/list');
    expect(byDefault.split('\n').length).toBeLessThanOrEqual(60);
    expect(byDefault.length).toBeLessThanOrEqual(4000);
  });
});

const product = (i: number): string => {
  const name = `Stainless Bottle ${i} — 500 ml, "leak proof"`;
  return `<li class="item"><a href="/p/${i}" class="photo"><img alt='${name}' src="data:,"></a><strong><a href="/p/${i}">${name}</a></strong>
    <div class="price">$${i}.99</div><div class="actions"><button type="button" title="Add to Cart"><span>Add to Cart</span></button>
    <a href="#" aria-label="Add to Wish List" title="Add to Wish List"></a><a href="#" title="Add to Compare"><span>Add to Compare</span></a></div></li>`;
};

/** A Magento-like listing page: header links, a visually hidden label, icons, products, a form. */
const REALISTIC = `<title>One Stop Market</title>
<header><ul><li><a href="/account">My Account</a></li><li><a href="/wishlist">My Wish List <span>3 items</span></a></li><li><a href="/logout">Sign Out</a></li></ul>
  <a href="/"><img src="data:," alt="one_stop_market_logo"></a><a href="/cart"><span>My Cart</span> <span>2</span><span hidden>items</span></a>
  <form action="/search"><label for="search" style="position:absolute;clip:rect(0,0,0,0)">Search</label><input id="search" placeholder="Search entire store here...">
  <button type="submit" title="Search"><span>Search</span></button></form></header>
<nav><ul><li><a href="/beauty">Beauty &amp; Personal Care</a><ul><li><a href="/oral">Oral Care</a></li></ul></li><li><a href="/sports">Sports &amp; Outdoors</a></li></ul></nav>
<main><h1>Search results for: 'bottle'</h1>
  <div><label for="sorter">Sort By</label><select id="sorter"><option>Relevance</option><option selected>Price</option></select>
  <a href="?dir=asc" title="Set Ascending Direction"><span>Set Ascending Direction</span></a></div>
  <ol>${Array.from({ length: 8 }, (_, i) => product(i + 1)).join('')}</ol>
  <a href="?p=2" title="Next"><span>Page</span> <span>Next</span></a>
  <form><fieldset><legend>Newsletter</legend><label for="email">Email address</label><input type="email" id="email" required>
  <textarea aria-labelledby="notes-label"></textarea><span id="notes-label">Notes for us</span><input type="submit" value="Subscribe"></fieldset></form>
  <div style="display:none"><a href="/hidden">Hidden link</a></div><button aria-hidden="true">Hidden button</button>
  <div style="visibility:hidden"><a href="/invisible">Invisible</a></div></main>
<footer><a href="/privacy">Privacy and Cookie Policy</a><a href="/terms">Search Terms</a></footer>`;

describe('WebArena accessibility tree vs Playwright', () => {
  it("names the links, buttons and textboxes of a realistic page as Playwright's ariaSnapshot does", async () => {
    const o = await observe(REALISTIC);
    const ours = o.nodes.filter((n) => ['link', 'button', 'textbox'].includes(n.role)).map((n) => `${n.role} ${n.name}`);
    const snapshot = await page.locator('body').ariaSnapshot();
    const theirs = [...snapshot.matchAll(/^\s*- (link|button|textbox)(?: ("(?:[^"\\]|\\.)*"))?(?=[:\s[]|$)/gm)].map(
      (m) => `${m[1]} ${m[2] ? (JSON.parse(m[2]) as string) : ''}`,
    );
    expect(ours.length).toBeGreaterThan(40);
    expect([...ours].sort()).toEqual([...theirs].sort());
  });
});
