import { z } from 'zod';
import { ValidationError } from '../env/errors.js';
import { describeIssues } from './wire-schemas.js';

/** Parses a wire value, or throws VALIDATION_ERROR listing the issues as OpenEnv lists pydantic's. */
export const parseWire = <S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> => {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  // One line per issue, without the input values (they may be huge, or secrets pasted by mistake).
  const summary = parsed.error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('; ');
  throw new ValidationError(`${what} does not match its schema: ${summary}`, { details: { errors: describeIssues(parsed.error) } });
};
