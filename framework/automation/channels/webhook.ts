import { setTimeout as sleep } from 'node:timers/promises';
import { AlertError } from '../../util/errors.ts';
import { alertJson, type AlertChannel, type AlertNotification } from '../alert.ts';

export interface WebhookChannelOptions {
  /** Where to POST, e.g. a Slack incoming webhook. */
  url: string;
  /** Extra request headers, e.g. `{ authorization: 'Bearer …' }`. */
  headers?: Readonly<Record<string, string>>;
  /** Names the channel in the alert history. */
  name?: string;
  /** Per attempt. */
  timeoutMs?: number;
  /** Attempts in all; network errors, timeouts, 429 and 5xx are retried, other answers are final. */
  attempts?: number;
  /** Wait before the second attempt, doubled for each one after (a 429's Retry-After wins when longer, up to `maxBackoffMs`). */
  backoffMs?: number;
  maxBackoffMs?: number;
}

/**
 * A webhook channel: POSTs each notification as JSON in a Slack-compatible shape (`text` and
 * `blocks`), with Daybook's structured fields under `daybook`.
 *
 * @example
 * webhookChannel({ url: 'https://hooks.slack.com/services/T000/B000/XXXX' })
 */
export function webhookChannel({
  url,
  headers = {},
  name = 'webhook',
  timeoutMs = 10_000,
  attempts = 4,
  backoffMs = 500,
  maxBackoffMs = 30_000,
}: WebhookChannelOptions): AlertChannel {
  let target: URL;
  try {
    target = new URL(url);
  } catch (cause) {
    throw new AlertError('invalid-config', `webhook channel "${name}": url ${JSON.stringify(url)} is not a URL`, { field: 'url', cause });
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    throw new AlertError('invalid-config', `webhook channel "${name}": url must be http or https, not ${target.protocol}`, { field: 'url' });
  }
  // The URL of a Slack webhook is its secret: messages name the host only.
  const where = `${target.protocol}//${target.host}`;
  return {
    name,
    async send(notification) {
      const body = JSON.stringify(webhookPayload(notification));
      let wait = backoffMs;
      for (let attempt = 1; ; attempt++) {
        const outcome = await post(target, body, headers, timeoutMs);
        if (outcome.ok) return;
        if (!outcome.retry || attempt >= attempts) {
          throw new AlertError('alert-delivery-failed', `webhook ${where}: ${outcome.reason} (attempt ${attempt} of ${attempts})`, { field: 'url' });
        }
        await sleep(Math.min(maxBackoffMs, Math.max(wait, outcome.retryAfterMs ?? 0)));
        wait *= 2;
      }
    },
  };
}

type PostOutcome = { ok: true } | { ok: false; retry: boolean; reason: string; retryAfterMs?: number };

async function post(url: URL, body: string, headers: Readonly<Record<string, string>>, timeoutMs: number): Promise<PostOutcome> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const timedOut = error instanceof Error && error.name === 'TimeoutError';
    const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return { ok: false, retry: true, reason: timedOut ? `no answer within ${timeoutMs} ms` : `${error instanceof Error ? error.message : String(error)}${cause}` };
  }
  const text = (await response.text().catch(() => '')).slice(0, 200);
  if (response.ok) return { ok: true };
  const retryAfter = Number(response.headers.get('retry-after'));
  return {
    ok: false,
    retry: response.status === 429 || response.status >= 500,
    reason: `answered ${response.status}${text === '' ? '' : ` ${JSON.stringify(text)}`}`,
    ...(Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfterMs: retryAfter * 1000 } : {}),
  };
}

/** The JSON body: Slack's `text` and `blocks`, and the alert itself under `daybook`. */
export function webhookPayload({ event, alert, title }: AlertNotification): Record<string, unknown> {
  const subject = alert.asset === null ? '' : ` · ${alert.partition ? `${alert.asset}[${alert.partition}]` : alert.asset}`;
  const seen = event === 'resolved' ? `resolved ${alert.resolvedAt?.toISOString()}` : `first seen ${alert.firstSeen.toISOString()}`;
  return {
    text: title,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `*${event === 'resolved' ? 'Resolved' : 'Firing'}* (${alert.severity}): ${escapeMrkdwn(alert.summary)}` } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: escapeMrkdwn(`${alert.kind}${subject} · ${seen}`) }] },
    ],
    daybook: { event, ...alertJson(alert) },
  };
}

/** Slack's mrkdwn needs `&`, `<` and `>` escaped. */
function escapeMrkdwn(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}
