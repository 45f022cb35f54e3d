import type { Logger } from 'pino';
import { createDreamSetup, type DreamSetup } from '../../src/dream/dream-setup.js';
import type { SiteProfile } from '../../src/protocol/index.js';
import type { RunPlanOptions } from './run-plan-options.js';

/** The run's dream side from its flags: buffer (and cap), experience model, embedder, prompts. */
export const dreamSetupFor = (options: RunPlanOptions, profile: SiteProfile, logger: Logger): Promise<DreamSetup> =>
  createDreamSetup({
    env: options.site.name,
    profile,
    buffers: options.buffer,
    model: options.model,
    embed: options.embed,
    onProgress: (message) => logger.info(message),
    ...(options.bufferMax === undefined ? {} : { bufferMax: options.bufferMax }),
    ...(options.modelBaseUrl === undefined ? {} : { modelBaseUrl: options.modelBaseUrl }),
    ...(options.embedBaseUrl === undefined ? {} : { embedBaseUrl: options.embedBaseUrl }),
    ...(options.promptDir === undefined ? {} : { promptDir: options.promptDir }),
  });
