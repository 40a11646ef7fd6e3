import { PartitionError } from '../../util/errors.ts';

// Shared by the definition variants: the rule for user-chosen keys, and the errors every variant
// raises, so that all of them name the definition and its key format the same way.

/** What names a definition in messages. */
interface Described {
  readonly description: string;
  readonly keyFormat: string;
}

/**
 * User-chosen keys (static and dynamic) become file paths, S3 keys and SQL values, and `|` joins the
 * dimensions of a multi-partition key, so they are restricted to characters that are safe in all four.
 */
const USER_KEY = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export const USER_KEY_RULE =
  'letters, digits, ".", "_" and "-", starting with a letter or digit, at most 128 characters';

/** Why `key` cannot be a user-chosen key, or undefined when it can. */
export function userKeyProblem(key: unknown): string | undefined {
  if (typeof key !== 'string') return `a key must be a string, got ${typeof key}`;
  if (key === '') return 'a key must not be empty';
  if (!USER_KEY.test(key)) return `a key must be ${USER_KEY_RULE}`;
  return undefined;
}

/** Quotes a key for a message, escaping anything unprintable. */
export function showKey(key: unknown): string {
  return typeof key === 'string' ? JSON.stringify(key) : String(key);
}

/** The error for a string that is not a key of `definition`. */
export function badKey(definition: Described, key: string, reason: string): PartitionError {
  return new PartitionError(
    'invalid-partition-key',
    `${definition.description}: ${showKey(key)} is not a partition key (${reason}); expected ${definition.keyFormat}`,
    { partition: typeof key === 'string' ? key : undefined },
  );
}

/** The error for an index outside `[0, size())`. */
export function indexOutOfRange(definition: Pick<Described, 'description'> & { size(): number }, index: number): PartitionError {
  const size = definition.size();
  return new PartitionError(
    'invalid-partition-key',
    `${definition.description}: index ${index} is out of range; there are ${size} partitions (indexes 0 to ${size - 1})`,
  );
}

/** The error for a bad option of a definition being built; `subject` names the definition. */
export function badDefinition(subject: string, field: string, problem: string, cause?: unknown): PartitionError {
  return new PartitionError('invalid-partitions-definition', `${subject}: ${field} ${problem}`, { field, cause });
}

/** Whether `index` is an integer in `[0, size)`. */
export function inRange(index: number, size: number): boolean {
  return Number.isInteger(index) && index >= 0 && index < size;
}
