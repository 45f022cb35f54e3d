import { fileURLToPath } from 'node:url';
import { loadTemplateSet } from '../../src/llm/prompt-templates.js';
import type { AnnotationKind } from './annotation-line.js';

/**
 * The teacher's prompt templates: plain files with `{{placeholder}}`s built in under
 * harness/annotate/prompts/, overridable file by file with `--prompt-dir`. Each kind uses its own
 * files; which placeholders each may use is fixed, so a typo fails before the first request.
 */
export const ANNOTATION_TEMPLATE_FIELDS = {
  reasoning: {
    'reasoning-system.md': ['site_system', 'state_format', 'answer_format', 'env'],
    'reasoning-user.md': [
      'item_id', 'instruction', 'history', 'history_length', 'demonstrations', 'demonstration_count',
      'state', 'page_type', 'available_actions', 'action', 'next_state', 'reward', 'done',
    ],
    'reasoning-history-step.md': ['step', 'state', 'action', 'reward'],
    'reasoning-demonstration.md': ['index', 'id', 'similarity', 'state', 'action', 'next_state', 'reward', 'done'],
    'reasoning-reask.md': ['reason', 'answer_format'],
  },
  reflection: {
    'reflection-system.md': ['site', 'state_format', 'answer_format', 'env'],
    'reflection-user.md': [
      'item_id', 'instruction', 'state', 'page_type', 'available_actions', 'expert_action', 'expert_next_state',
      'expert_reward', 'expert_done', 'alternatives', 'alternative_count',
    ],
    'reflection-alternative.md': ['index', 'action', 'next_state', 'reward', 'done'],
    'reflection-reask.md': ['reason', 'answer_format'],
  },
} as const satisfies Record<AnnotationKind, Record<string, readonly string[]>>;

export interface AnnotationTemplates {
  readonly kind: AnnotationKind;
  /** Template text by file name. */
  readonly text: Readonly<Record<string, string>>;
  /** 'built-in' or the overriding file's path, per file. */
  readonly sources: Readonly<Record<string, string>>;
  /** sha256 (hex) of each template file's bytes, per file name (the manifest's `prompt_hashes`; `sha256sum` gives the same). */
  readonly hashes: Readonly<Record<string, string>>;
}

const BUILT_IN_DIR = fileURLToPath(new URL('./prompts/', import.meta.url));

/** Every template file name of any kind (an override of another kind's file is allowed and ignored). */
const allNames = (): string[] => Object.values(ANNOTATION_TEMPLATE_FIELDS).flatMap((fields) => Object.keys(fields));

/**
 * The templates of one kind: built in, each replaced by the file of the same name in `promptDir`
 * (src/llm/prompt-templates.ts: a missing directory, a `.md` file that is no template's name, or
 * an unknown placeholder is CONFIG_INVALID naming the file).
 */
export const loadAnnotationTemplates = (kind: AnnotationKind, promptDir?: string): AnnotationTemplates => {
  const fields: Readonly<Record<string, readonly string[]>> = ANNOTATION_TEMPLATE_FIELDS[kind];
  const set = loadTemplateSet({ builtInDir: BUILT_IN_DIR, fields, promptDir, alsoKnown: allNames(), label: `--prompt-dir ${promptDir ?? ''}` });
  return { kind, text: set.text, sources: set.sources, hashes: set.fileHashes };
};

/** A template's text by name (every name of the kind is loaded). */
export const templateText = (templates: AnnotationTemplates, name: string): string => {
  const text = templates.text[name];
  if (text === undefined) throw new Error(`no template ${name} for ${templates.kind}`);
  return text;
};
