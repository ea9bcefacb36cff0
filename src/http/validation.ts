import type { ZodType, z } from 'zod';
import { HttpError } from './error-codes';

export interface FieldProblem {
  path: string;
  message: string;
}

const joinPath = (parts: string[]) => parts.filter((part) => part !== '').join('.') || '(root)';

/** One problem per offending path; an unknown key is reported at its own path. */
export function fieldProblems(error: z.ZodError, prefix = ''): FieldProblem[] {
  return error.issues.slice(0, 20).flatMap((issue) => {
    const path = [prefix, ...issue.path.map(String)];
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        path: joinPath([...path, key]),
        message: 'not an accepted field: remove it',
      }));
    }
    return [{ path: joinPath(path), message: issue.message }];
  });
}

export function describeProblems(problems: FieldProblem[]): string {
  const shown = problems.slice(0, 5).map((p) => `${p.path}: ${p.message}`);
  return problems.length > 5 ? `${shown.join('; ')}; … (${problems.length - 5} more)` : shown.join('; ');
}

/** Parses or throws VALIDATION_FAILED naming every offending field path (prefixed by `where`). */
export function parseOrThrow<T extends ZodType>(schema: T, value: unknown, where: string): z.output<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const fields = fieldProblems(parsed.error, where);
  throw new HttpError('VALIDATION_FAILED', describeProblems(fields), { fields });
}
