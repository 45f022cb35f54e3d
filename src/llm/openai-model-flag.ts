import { ConfigInvalidError } from '../env/errors.js';

/** The prefix a role flag uses to name an LLM on an OpenAI-compatible endpoint (`--policy openai:NAME`). */
export const OPENAI_PREFIX = 'openai:';

/** Whether a role flag names an LLM (`openai:…`), as opposed to an embedded default. */
export const namesOpenAIModel = (value: string): boolean => value.startsWith(OPENAI_PREFIX);

/**
 * The model name of a role flag `openai:NAME`, undefined for an embedded choice (`retrieval`,
 * `hashed`, `heuristic`, …); `openai:` with no name is CONFIG_INVALID naming the flag.
 */
export const openAIModelOf = (flag: string, value: string): string | undefined => {
  if (!namesOpenAIModel(value)) return undefined;
  const name = value.slice(OPENAI_PREFIX.length).trim();
  if (name === '') throw new ConfigInvalidError(`${flag} ${value}: expected openai:NAME, a model name after "openai:" (e.g. openai:gpt-4o)`);
  return name;
};

/** `openai:NAME` where only an LLM will do (`--judge`, `--taskgen`, `--teacher`): anything else is CONFIG_INVALID. */
export const requireOpenAIModel = (flag: string, value: string): string => {
  const name = openAIModelOf(flag, value);
  if (name === undefined) throw new ConfigInvalidError(`${flag} ${value}: expected openai:NAME (e.g. openai:gpt-4o)`);
  return name;
};
