import { createServer, type Server } from 'node:http';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../adapters/browser/launch.js';
import { failedCheck, pageSays } from '../adapters/webarena/login-check.js';

// A login's success check and the quote of what the page said, on real pages in Chromium.

const pages: Record<string, string> = {
  '/home': '<html><body><nav><a href="/logout">Log Out</a><span hidden>Log In</span></nav><main><h1>Dashboard</h1><p>Welcome back, Alice</p></main></body></html>',
  '/login': '<html><body><main><div class="error" style="display:none">stale hidden message</div><div role="alert">Invalid login or password.</div><form><input name="u"><input type="password" name="p"><button>Sign in</button></form></main></body></html>',
  '/plain': '<html><body><main><p>Nothing here but   some\n text.</p></main></body></html>',
};

let server: Server;
let base = '';
let browser: Browser;
let page: Page;

const open = async (path: string): Promise<Page> => {
  await page.goto(`${base}${path}`);
  return page;
};

describe('login success checks', () => {
  beforeAll(async () => {
    server = createServer((req, res) => {
      const body = pages[req.url ?? ''];
      res.statusCode = body ? 200 : 404;
      res.setHeader('content-type', 'text/html');
      res.end(body ?? 'not found');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const address = server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    browser = await launchChromium();
    page = await browser.newPage();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('holds when every part holds, and says which part did not', async () => {
    const home = await open('/home');
    expect(await failedCheck(home, { url: '/home$', text_present: 'Welcome back', text_absent: 'Invalid', element_present: { role: 'link', name: 'Log Out' }, element_absent: { selector: 'input[type=password]' } })).toBeUndefined();
    expect(await failedCheck(home, { url: '/dashboard' })).toBe(`the URL ${base}/home does not match //dashboard/`);
    expect(await failedCheck(home, { text_present: 'Goodbye' })).toBe('no "Goodbye" on the page');
    expect(await failedCheck(home, { text_absent: 'Dashboard' })).toBe('"Dashboard" is on the page');
    expect(await failedCheck(home, { element_present: { role: 'button', name: 'Log Out' } })).toBe("no button 'Log Out' on the page");
    // A hidden element is not on the page as a user sees it.
    expect(await failedCheck(home, { text_absent: 'Log In' })).toBeUndefined();
    const login = await open('/login');
    expect(await failedCheck(login, { element_absent: { selector: 'input[type=password]' } })).toBe('element input[type=password] is still on the page');
    expect(await failedCheck(login, { element_present: { role: 'link', name: 'Log Out' } })).toBe("no link 'Log Out' on the page");
  }, 60_000);

  it("quotes the page's visible message, else the start of its main text", async () => {
    expect(await pageSays(await open('/login'))).toBe('Invalid login or password.');
    expect(await pageSays(await open('/plain'))).toBe('Nothing here but some text.');
  }, 60_000);
});
