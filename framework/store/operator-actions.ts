import { StoreError } from '../util/errors.ts';
import type { JsonObject, JsonValue } from './schema.ts';
import type { AuditInput } from './writes.ts';

/** Something an operator did, by name: recorded as `operator.<action>` with who did it. */
export interface OperatorAction {
  /** Who did it: a user or an API token's name. Required: an operator action without an actor means nothing to an auditor. */
  actor: string;
  /** Lower-case words joined by `-` or `.`, e.g. `rematerialize`, `backfill`, `cancel`, `token.create`. */
  action: string;
  asset?: string;
  partition?: string;
  runId?: string;
  /** Why, in the operator's words. */
  reason?: string;
  /** What it applied to (selection, range, token id…). Never a secret: the log keeps it for good. */
  details?: JsonObject;
  at?: number | Date;
}

const ACTION = /^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)*$/;
/** Field names that would put a secret into a log that can never be edited. */
const SECRET = /^(token|secret|password|passphrase|credentials?|api[-_]?key|private[-_]?key)$/i;

/**
 * The audit event of an operator action, after checking it: an actor, a well-formed action name,
 * and no field that looks like a secret (an audit event can never be removed once written).
 */
export function operatorAuditEvent({ actor, action, asset, partition, runId, reason, details = {}, at }: OperatorAction): AuditInput {
  if (typeof actor !== 'string' || actor.trim() === '') {
    throw new StoreError('store-invalid-write', `operator action "${action}": actor must name who acted`, { field: 'actor' });
  }
  if (typeof action !== 'string' || !ACTION.test(action)) {
    throw new StoreError('store-invalid-write', `operator action ${JSON.stringify(action)}: expected lower-case words joined by "-" or ".", e.g. token.create`, {
      field: 'action',
    });
  }
  const secret = secretField(details);
  if (secret !== undefined) {
    throw new StoreError('store-invalid-write', `operator action "${action}": details.${secret} looks like a secret; the audit log keeps everything for good`, {
      field: `details.${secret}`,
    });
  }
  return {
    action: `operator.${action}`,
    actor,
    ...(asset === undefined ? {} : { asset }),
    ...(partition === undefined ? {} : { partition }),
    ...(runId === undefined ? {} : { runId }),
    ...(at === undefined ? {} : { at }),
    payload: { ...details, ...(reason === undefined ? {} : { reason }) },
  };
}

function secretField(value: JsonValue, path = ''): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  for (const [key, item] of Object.entries(value)) {
    const here = path === '' ? key : `${path}.${key}`;
    if (SECRET.test(key)) return here;
    const nested = secretField(item, here);
    if (nested !== undefined) return nested;
  }
  return undefined;
}
