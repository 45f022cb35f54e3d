import type { Frame, Page } from 'playwright-core';
import { renderAxLine, type AxLine } from './ax-line.js';
import { AX_FLAG_ACTIONABLE, AX_FLAG_FIELD_VALUE, AX_FLAG_IFRAME, axTreeScript, type AxRawSnapshot } from './ax-page-script.js';
import { AX_REGISTRY_GET } from './ax-registry.js';

/**
 * Frames, as BrowserGym does them: every Playwright frame (same-origin or not, out-of-process or
 * not) is walked by its own evaluation, and its lines are spliced under the line of the iframe
 * element that holds it, their ids prefixed with `f<iframe id>.` — so `f12.3` is element 3 of the
 * document shown by iframe 12 (nested: `f12.f4.3`). A prefix names the iframe element, not the
 * frame's position, so it stays stable while that element lives; the frame's own ids follow the
 * same rules as the main document's.
 */

export interface AxPageSnapshot {
  title: string;
  url: string;
  /** Highest id handed out in any document observed; pass it back as `idBase` next time. */
  maxId: number;
  /** Pruned lines of all frames in document order, before WebArena's StaticText cleaning. */
  lines: AxLine[];
}

/**
 * The iframe element's id in its parent document's registry. A function made from a string (not a
 * serialized TS function: tsx would inject helpers into that), because Playwright passes handles only to
 * functions.
 */
const frameElementId = new Function('el', `const reg = ${AX_REGISTRY_GET}; const id = reg && reg.ids.get(el); return id === undefined ? null : id;`) as (
  el: Element,
) => number | null;

interface FrameResult {
  frame: Frame;
  snapshot: AxRawSnapshot;
}

/** The id of the iframe element showing `frame` in its parent document, or null when it is not shown. */
const iframeIdOf = async (frame: Frame): Promise<number | null> => {
  const handle = await frame.frameElement();
  try {
    return await handle.evaluate(frameElementId);
  } finally {
    await handle.dispose();
  }
};

const toLines = (
  result: FrameResult,
  prefix: string,
  depthOffset: number,
  children: ReadonlyMap<Frame, ReadonlyArray<{ result: FrameResult; iframeId: number }>>,
  out: AxLine[],
): void => {
  const nested = children.get(result.frame) ?? [];
  for (const [id, role, name, depth, flat, flags] of result.snapshot.lines) {
    const props: Array<[string, string]> = [];
    for (let i = 0; i + 1 < flat.length; i += 2) props.push([flat[i] as string, flat[i + 1] as string]);
    const fullId = `${prefix}${id}`;
    out.push({
      id: fullId,
      role,
      name,
      depth: depth + depthOffset,
      props,
      actionable: (flags & AX_FLAG_ACTIONABLE) !== 0,
      fieldValue: (flags & AX_FLAG_FIELD_VALUE) !== 0,
      text: renderAxLine(fullId, role, name, props),
    });
    if ((flags & AX_FLAG_IFRAME) === 0) continue;
    for (const child of nested) {
      if (child.iframeId === id) toLines(child.result, `${prefix}f${id}.`, depth + depthOffset + 1, children, out);
    }
  }
};

const walkFrame = async (frame: Frame, script: string): Promise<AxRawSnapshot> => JSON.parse((await frame.evaluate(script)) as string) as AxRawSnapshot;

/** The main document, once more after a navigation that replaced it while we looked. */
const walkMainFrame = async (page: Page, script: string): Promise<AxRawSnapshot> => {
  try {
    return await walkFrame(page.mainFrame(), script);
  } catch (error) {
    if (!(error instanceof Error && /Execution context was destroyed|Cannot find context/i.test(error.message))) throw error;
    await page.waitForLoadState('domcontentloaded');
    return walkFrame(page.mainFrame(), script);
  }
};

/** Walks the main frame and every child frame (in parallel), then splices frames under their iframes. */
export const snapshotAxPage = async (page: Page, idBase: number): Promise<AxPageSnapshot> => {
  const script = axTreeScript({ idBase });
  const main = page.mainFrame();
  const others = page.frames().filter((f) => f !== main);
  const [mainSnapshot, ...otherSnapshots] = await Promise.all([
    walkMainFrame(page, script),
    // A frame may navigate or detach while we look: it is then left out, not an error.
    ...others.map((f) => walkFrame(f, script).catch(() => null)),
  ]);
  const mainResult: FrameResult = { frame: main, snapshot: mainSnapshot };
  const walked = others.flatMap((frame, i) => {
    const snapshot = otherSnapshots[i];
    return snapshot ? [{ frame, snapshot }] : [];
  });
  // Parents are walked by now, so each iframe element has its id in its parent's registry.
  const iframeIds = await Promise.all(walked.map((r) => iframeIdOf(r.frame).catch(() => null)));
  const children = new Map<Frame, Array<{ result: FrameResult; iframeId: number }>>();
  walked.forEach((result, i) => {
    const parent = result.frame.parentFrame();
    const iframeId = iframeIds[i];
    if (!parent || iframeId === null || iframeId === undefined) return;
    const list = children.get(parent) ?? [];
    list.push({ result, iframeId });
    children.set(parent, list);
  });
  const lines: AxLine[] = [];
  toLines(mainResult, '', 0, children, lines);
  const maxId = Math.max(idBase, mainSnapshot.maxId, ...walked.map((r) => r.snapshot.maxId));
  return { title: mainSnapshot.title, url: page.url(), maxId, lines };
};
