import type { ElementHandle, Frame, Page } from 'playwright-core';
import { AX_REGISTRY_GET } from './ax-registry.js';

/** `12`, `f12.3`, `f12.f4.3`: frame segments (iframe ids) then the element's id. */
const ID_PATTERN = /^((?:f\d+\.)*)(\d+)$/;

/** The element behind an id of the frame's last observation, if it is still in the document. */
const elementInFrame = async (frame: Frame, id: number): Promise<ElementHandle | null> => {
  const script = `(() => { const reg = ${AX_REGISTRY_GET}; const el = reg ? reg.byId.get(${id}) : undefined; return el && el.isConnected ? el : null; })()`;
  const handle = await frame.evaluateHandle(script);
  const element = handle.asElement() as ElementHandle | null;
  if (!element) await handle.dispose();
  return element;
};

/**
 * The element behind an observation id, so actions go through the element (Playwright's
 * actionability checks, scrolling, the right frame) rather than coordinates. A frame prefix
 * leads into the document of that iframe. Null when the id is malformed, unknown to the last
 * observation of its document, or its element has left the document since.
 * Text lines resolve to their parent element, the document line to `<html>`, a field's value
 * line to the field.
 */
export const resolveElement = async (page: Page, id: string): Promise<ElementHandle | null> => {
  const match = ID_PATTERN.exec(id.trim());
  if (!match) return null;
  const frameIds = (match[1] ?? '').split('.').filter(Boolean).map((segment) => Number(segment.slice(1)));
  let frame = page.mainFrame();
  try {
    for (const iframeId of frameIds) {
      const iframe = await elementInFrame(frame, iframeId);
      if (!iframe) return null;
      const inner = await iframe.contentFrame();
      await iframe.dispose();
      if (!inner) return null;
      frame = inner;
    }
    return await elementInFrame(frame, Number(match[2]));
  } catch (error) {
    // A frame that detached or navigated in between has no such element any more; anything else is real.
    if (frame.isDetached() || (error instanceof Error && error.message.includes('Execution context was destroyed'))) return null;
    throw error;
  }
};
