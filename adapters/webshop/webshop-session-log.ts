import { z } from 'zod';
import { SessionLogInvalidError } from '../../src/env/errors.js';

/**
 * One line of WebShop's user-session log (its `user_session_logs`, one JSON object per visited
 * page): the page kind, its URL, the session's goal, what the page showed (keywords and result
 * ASINs, the item and its options) and, on the done page, the reward and its components. The log
 * records pages, not actions: `inferSessionAction` reads the actions back from page pairs.
 */
export const loggedPageSchema = z
  .object({
    page: z.enum(['index', 'search_results', 'item_page', 'item_sub_page', 'done']),
    url: z.string().min(1),
    goal: z.object({ instruction_text: z.string() }).loose(),
    content: z
      .object({
        keywords: z.union([z.string(), z.array(z.string())]).optional(),
        search_result_asins: z.array(z.string()).optional(),
        page: z.union([z.number(), z.string()]).optional(),
        asin: z.string().optional(),
        options: z.record(z.string(), z.string()).optional(),
        price: z.number().optional(),
      })
      .loose()
      .optional(),
    reward: z.number().optional(),
    reward_info: z.record(z.string(), z.union([z.number(), z.boolean(), z.null()])).optional(),
  })
  .loose();

export type LoggedPage = z.infer<typeof loggedPageSchema>;

/** A logged page with the line it came from (1-based), for reports naming file and line. */
export interface LoggedLine {
  line: number;
  page: LoggedPage;
}

/**
 * Reads a session log's text. A line that is not JSON or not a logged page is SESSION_LOG_INVALID
 * naming the file, the line and what is wrong: a file that is not WebShop's page log stops the
 * import instead of giving an empty or guessed session.
 */
export const parseSessionLog = (file: string, text: string): LoggedLine[] => {
  const pages: LoggedLine[] = [];
  text.split('\n').forEach((raw, index) => {
    if (raw.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      throw new SessionLogInvalidError(file, index + 1, "not JSON: WebShop's session log has one JSON object per line");
    }
    const parsed = loggedPageSchema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new SessionLogInvalidError(file, index + 1, `not a logged WebShop page: ${issue ? `${issue.path.join('.') || '(line)'}: ${issue.message}` : 'invalid'}`);
    }
    pages.push({ line: index + 1, page: parsed.data });
  });
  if (pages.length === 0) throw new SessionLogInvalidError(file, 1, 'no logged pages (an empty file)');
  return pages;
};
