import { BaseUrlUnreachableError } from '../../src/env/errors.js';

/** How long a base URL may take to answer before it counts as unreachable. */
export const BASE_URL_CHECK_TIMEOUT_MS = 10_000;

/**
 * Fails fast, naming the URL, when nothing answers there: better than every episode timing out.
 * Any HTTP answer counts as reachable (the site may redirect or answer 404 on `/`).
 */
export const checkBaseUrl = async (baseUrl: string, timeoutMs = BASE_URL_CHECK_TIMEOUT_MS): Promise<void> => {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new BaseUrlUnreachableError(`"${baseUrl}" is not a URL (expected e.g. http://127.0.0.1:3000)`);
  }
  try {
    const response = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    await response.body?.cancel();
  } catch (error) {
    const cause = error as Error & { cause?: { code?: string; message?: string } };
    const reason = cause.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (cause.cause?.code ?? cause.cause?.message ?? cause.message);
    throw new BaseUrlUnreachableError(`cannot reach WebShop at ${baseUrl}: ${reason}`, { cause: error, details: { baseUrl } });
  }
};
