import { describe, expect, it } from 'vitest';
import { accountsOf, toSiteLogins } from '../adapters/webarena/webarena-login.js';

/** The evaluator's helpers sign in with the run's accounts (the shop's REST token): from --login and from site-file recipes alike. */
describe('accountsOf', () => {
  it('gives every login with a username and a password as an account, site-file recipes included, and leaves out recipes without one', () => {
    const logins = toSiteLogins({
      shopping_admin: { username: 'admin', password: 'admin1234', loginPath: '/admin' },
      wiki: { url: '/doku.php?do=login', username: 'editor', password: 'secret', success: { text_absent: 'Log In' } },
      forum: { url: '/login', success: { url: '/' } },
    } as never);
    const accounts = accountsOf(logins);
    expect(accounts['shopping_admin']).toMatchObject({ username: 'admin', password: 'admin1234' });
    expect(accounts['wiki']).toMatchObject({ username: 'editor', password: 'secret', loginPath: '/doku.php?do=login' });
    expect(accounts['forum']).toBeUndefined();
  });
});
