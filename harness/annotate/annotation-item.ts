import type { ChatMessage } from '../../src/llm/chat-completion.js';
import type { AnnotationLine } from './annotation-line.js';
import type { CheckedAnswer } from './teacher-answer.js';

/** One thing the teacher annotates: a real transition (reasoning) or an expert state with branches (reflection). */
export interface AnnotationItem {
  /** Stable across runs: `${run_id}/${episode_id}/${step}`; `--resume` skips ids already in annotations.jsonl. */
  id: string;
  source: AnnotationLine['source'];
  /** The first messages of the conversation, and fields the line records beside the answer. Built when the item is asked (retrieval runs here). */
  prepare(): Promise<{ messages: ChatMessage[]; fields: Partial<AnnotationLine> }>;
  check(raw: string): CheckedAnswer;
  /** The follow-up after a refused answer. */
  reask(reason: string): string;
}
