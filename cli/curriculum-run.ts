import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { curriculumStep, type CurriculumStepResult, type CurriculumTask } from '../harness/curriculum/curriculum-step.js';
import { createOpenAITaskGenerator } from '../harness/curriculum/task-generator.js';
import { hasCode } from '../src/env/code-of.js';
import { ConfigInvalidError } from '../src/env/errors.js';
import { requireOpenAIModel } from '../src/llm/openai-model-flag.js';
import { envNameSchema, episodeSchema, type Episode } from '../src/protocol/index.js';
import { recordedProvenance, ReplayBuffer } from '../src/replay/index.js';
import { readJsonl, runFileNames } from '../src/store/index.js';

/** `dreambridge curriculum` flags (see curriculum-command.ts). */
export interface CurriculumFlags {
  runs: string[];
  taskFile?: string;
  seeds: number;
  lambda: number;
  size?: number;
  taskgen?: string;
  taskgenBaseUrl?: string;
  out: string;
}

const poolLineSchema = z
  .object({
    task_id: z.union([z.string().min(1), z.number().int()]),
    instruction: z.string().min(1),
    env: envNameSchema.optional(),
    origin: z.enum(['seed', 'synthetic']).optional(),
    parent: z.string().optional(),
  })
  .loose();

const readPool = async (file: string): Promise<CurriculumTask[]> => {
  const lines = await readJsonl(file, poolLineSchema);
  return lines.map((l) =>
    l.origin === 'synthetic' && l.parent !== undefined
      ? { task_id: String(l.task_id), instruction: l.instruction, env: l.env ?? 'webshop', origin: 'synthetic', parent: l.parent }
      : { task_id: String(l.task_id), instruction: l.instruction, env: l.env ?? 'webshop', origin: 'seed' },
  );
};

/** One curriculum iteration over the episodes of earlier runs; writes the next task file and the log. */
export const runCurriculum = async (flags: CurriculumFlags): Promise<CurriculumStepResult & { logPath: string }> => {
  const episodes: Episode[] = [];
  const buffer = new ReplayBuffer();
  for (const dir of flags.runs) {
    try {
      episodes.push(...(await readJsonl(join(dir, runFileNames.episodes), episodeSchema)));
    } catch (error) {
      if (hasCode(error, 'ENOENT')) throw new ConfigInvalidError(`--runs ${dir}: no ${runFileNames.episodes} there (give a run directory written by collect or run)`);
      throw error;
    }
    if (!flags.taskFile) await buffer.loadRunDirectory(dir, recordedProvenance);
  }
  // Failed and interrupted rollouts say nothing about a task's difficulty.
  const counted = episodes.filter((e) => e.termination !== 'error' && e.termination !== 'interrupted');
  const tasks: CurriculumTask[] = flags.taskFile
    ? await readPool(flags.taskFile)
    : buffer.tasks().map((t) => ({ task_id: t.task_id, instruction: t.instruction, env: t.env, origin: 'seed' as const }));
  if (tasks.length === 0) throw new ConfigInvalidError('no tasks: the runs recorded none and no --task-file was given');
  let generator;
  if (flags.taskgen) {
    generator = createOpenAITaskGenerator({ model: requireOpenAIModel('--taskgen', flags.taskgen), ...(flags.taskgenBaseUrl ? { baseURL: flags.taskgenBaseUrl } : {}) });
  }
  const result = await curriculumStep({
    episodes: counted,
    tasks,
    seeds: flags.seeds,
    lambda: flags.lambda,
    ...(flags.size === undefined ? {} : { size: flags.size }),
    ...(generator ? { generator } : {}),
  });
  await writeFile(flags.out, result.tasks.map((t) => JSON.stringify(t)).join('\n') + '\n');
  const logPath = `${flags.out}.log.jsonl`;
  const variance = new Map(result.variances.map((v) => [v.task_id, v]));
  await writeFile(
    logPath,
    [
      JSON.stringify({ mode: result.mode, lambda: flags.lambda, seeds: flags.seeds, synthetic_cap: result.syntheticCap, generator: generator?.name ?? null, runs: flags.runs, at: new Date().toISOString() }),
      ...result.log.map((entry) => JSON.stringify({ ...entry, count: variance.get(entry.seed)?.count ?? 0, mean: variance.get(entry.seed)?.mean ?? 0 })),
    ].join('\n') + '\n',
  );
  return { ...result, logPath };
};

