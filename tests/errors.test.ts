import { describe, expect, it } from 'vitest';
import { BrowserDisconnectedError, EpisodeLeaseTimeoutError } from '../adapters/browser/context-expiry.js';
import { TaskGenerationError } from '../harness/curriculum/task-generation-error.js';
import { EpisodeTimeoutError } from '../harness/run-episode.js';
import { codeOf, hasCode } from '../src/env/code-of.js';
import * as errors from '../src/env/errors.js';
import { DreambridgeError, errorCodes, type ErrorCode } from '../src/env/errors.js';

// A Record over ErrorCode: a code added without a subclass here fails to compile.
const oneOfEach: Record<ErrorCode, () => DreambridgeError> = {
  REAL_BUDGET_EXHAUSTED: () => new errors.RealBudgetExhaustedError('spent'),
  STEP_TIMEOUT: () => new errors.StepTimeoutError(5, 'step'),
  INVALID_ACTION: () => new errors.InvalidActionError('no such button'),
  MODEL_OUTPUT_UNPARSEABLE: () => new errors.ModelOutputUnparseableError('no state'),
  ENV_CLOSED: () => new errors.EnvClosedError(),
  ENV_NOT_RESET: () => new errors.EnvNotResetError(),
  BROWSER_NOT_FOUND: () => new errors.BrowserNotFoundError('no chromium'),
  BROWSER_LAUNCH_FAILED: () => new errors.BrowserLaunchFailedError('crashed'),
  NAVIGATION_FAILED: () => new errors.NavigationFailedError('404'),
  CATALOG_INVALID: () => new errors.CatalogInvalidError('a.json', 'not JSON'),
  CONFIG_INVALID: () => new errors.ConfigInvalidError('--x: bad'),
  GOAL_OUT_OF_RANGE: () => new errors.GoalOutOfRangeError('goal 9 of 3'),
  RUN_DIR_NOT_EMPTY: () => new errors.RunDirNotEmptyError('d', ['a']),
  RUN_FILE_CORRUPT: () => new errors.RunFileCorruptError('f', 1, 'bad'),
  REPLAY_EXHAUSTED: () => new errors.ReplayExhaustedError(2),
  NO_AVAILABLE_ACTION: () => new errors.NoAvailableActionError('random'),
  BASE_URL_UNREACHABLE: () => new errors.BaseUrlUnreachableError('refused'),
  TASKGEN_FAILED: () => new TaskGenerationError('g', 'request-failed', 'HTTP 500'),
  PLACEHOLDER_UNRESOLVED: () => new errors.PlaceholderUnresolvedError('__GITLAB__', 'no URL'),
  STORAGE_STATE_MISSING: () => new errors.StorageStateMissingError('s.json'),
  JUDGE_FAILED: () => new errors.JudgeFailedError('j', 'down'),
  ANSWERS_INVALID: () => new errors.AnswersInvalidError('a.jsonl', 1, 'bad'),
  LEDGER_INVALID: () => new errors.LedgerInvalidError('bad ledger'),
  LEDGER_LOCKED: () => new errors.LedgerLockedError('locked'),
  LEDGER_UNAVAILABLE: () => new errors.LedgerUnavailableError('redis down'),
  MODEL_REQUEST_FAILED: () => new errors.ModelRequestFailedError('HTTP 500'),
  DREAM_NOT_CONFIGURED: () => new errors.DreamNotConfiguredError('no model'),
  SESSION_CLOSED: () => new errors.SessionClosedError('closed'),
  SESSION_NOT_FOUND: () => new errors.SessionNotFoundError('no session'),
  CAPACITY_REACHED: () => new errors.CapacityReachedError('full'),
  VALIDATION_ERROR: () => new errors.ValidationError('bad body'),
  SESSION_LOG_INVALID: () => new errors.SessionLogInvalidError('s.jsonl', 1, 'not JSON'),
  EXPERT_EPISODES_MISSING: () => new errors.ExpertEpisodesMissingError('no episodes'),
  UNAUTHORIZED: () => new errors.UnauthorizedError('no token'),
  EPISODE_TIMEOUT: () => new EpisodeTimeoutError(10),
  SHADOW_DATA_MISSING: () => new errors.ShadowDataMissingError('no lines'),
  RETRIEVAL_NO_MATCH: () => new errors.RetrievalNoMatchError('no match'),
  BROWSER_FARM_UNAVAILABLE: () => new errors.BrowserFarmUnavailableError('all endpoints down'),
  SCRIPT_REQUIRED: () => new errors.ScriptRequiredError('an empty #root and 2 scripts'),
  LOGIN_FAILED: () => new errors.LoginFailedError('wiki', 'the success check failed', 'Sorry, username or password was wrong.'),
  STORAGE_STATE_STALE: () => new errors.StorageStateStaleError('wiki', '/a/state.json', 'logged out'),
  RESET_FAILED: () => new errors.ResetFailedError('wiki', 'exit code 1'),
  RESET_REQUIRED: () => new errors.ResetRequiredError('task 3 needs a reset'),
};

describe('typed errors', () => {
  it('has a subclass for every stable code, named after its class', () => {
    for (const code of errorCodes) {
      const error = oneOfEach[code]();
      expect(error.code).toBe(code);
      expect(error).toBeInstanceOf(DreambridgeError);
      expect(error.constructor).not.toBe(DreambridgeError);
      expect(error.name).toBe(error.constructor.name);
    }
  });

  it('keeps cause and details', () => {
    const cause = new Error('inner');
    const error = new errors.ModelRequestFailedError('outer', { cause, details: { status: 500 } });
    expect(error.cause).toBe(cause);
    expect(error.details).toEqual({ status: 500 });
  });

  it('codes of the other subclasses stay the ones they had', () => {
    expect(new EpisodeLeaseTimeoutError(1).code).toBe('EPISODE_TIMEOUT');
    expect(new BrowserDisconnectedError().code).toBe('ENV_CLOSED');
    expect(new TaskGenerationError('g', 'invalid-output', 'x').code).toBe('MODEL_OUTPUT_UNPARSEABLE');
  });
});

describe('codeOf / hasCode', () => {
  it('reads the string code of typed errors, Node errno errors and plain objects', () => {
    expect(codeOf(new errors.ConfigInvalidError('x'))).toBe('CONFIG_INVALID');
    expect(codeOf(Object.assign(new Error('nope'), { code: 'ENOENT' }))).toBe('ENOENT');
    expect(codeOf({ code: 'CATALOG_INVALID' })).toBe('CATALOG_INVALID');
  });

  it('is undefined for anything without a string code', () => {
    for (const value of [undefined, null, 'ENOENT', 42, new Error('plain'), { code: 7 }, { code: undefined }]) expect(codeOf(value)).toBeUndefined();
  });

  it('matches any of several codes', () => {
    const error = Object.assign(new Error('busy'), { code: 'EPERM' });
    expect(hasCode(error, 'EISDIR', 'EPERM')).toBe(true);
    expect(hasCode(error, 'ENOENT')).toBe(false);
    expect(hasCode(undefined, 'ENOENT')).toBe(false);
  });
});

describe('openai:NAME role flags', () => {
  it('are parsed one way for every role: the model name, undefined for an embedded choice, CONFIG_INVALID without a name', async () => {
    const { openAIModelOf, requireOpenAIModel } = await import('../src/llm/openai-model-flag.js');
    expect(openAIModelOf('--policy', 'openai:qwen2.5-7b')).toBe('qwen2.5-7b');
    expect(openAIModelOf('--model', 'retrieval')).toBeUndefined();
    expect(() => openAIModelOf('--embed', 'openai:')).toThrow(/^--embed openai:: expected openai:NAME/);
    expect(requireOpenAIModel('--judge', 'openai:gpt-4o')).toBe('gpt-4o');
    expect(() => requireOpenAIModel('--taskgen', 'gpt-4o')).toThrow(/^--taskgen gpt-4o: expected openai:NAME/);
  });
});
