import { DefinitionError } from '../util/errors.ts';

/** A flag's value as a whole number ≥ `minimum`, or a DefinitionError naming the flag. */
export function wholeNumber(value: string, flag: string, minimum: number): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < minimum) throw new DefinitionError('invalid-config', `${flag}: expected a whole number ≥ ${minimum}, got "${value}"`, { field: flag });
  return number;
}
