import type { z } from 'zod';
import { DefinitionError } from '../util/errors.ts';

/** Parses with a zod schema, turning issues into one DefinitionError that names the asset and each field. */
export function parseSpec<T>(schema: z.ZodType<T>, input: unknown, what: string, asset: string | undefined): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => {
    const field = issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)';
    return `field "${field}": ${issue.message}`;
  });
  const firstField = result.error.issues[0]?.path.map(String).join('.');
  throw new DefinitionError('invalid-definition', `${what}: ${issues.join('; ')}`, {
    ...(asset ? { asset } : {}),
    ...(firstField ? { field: firstField } : {}),
  });
}
