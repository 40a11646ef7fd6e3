import { afterEach, describe, expect, it } from 'vitest';
import { notificationTitle, type AlertNotification, type AlertRecord } from '../../../framework/automation/alert.ts';
import { quotedPrintable } from '../../../framework/automation/channels/smtp-message.ts';
import { smtpChannel } from '../../../framework/automation/channels/smtp.ts';
import { webhookChannel } from '../../../framework/automation/channels/webhook.ts';
import { AlertError } from '../../../framework/util/errors.ts';
import { startSmtpServer, type TestSmtpServer } from '../../support/smtp-server.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../../support/webhook-receiver.ts';

const alert: AlertRecord = {
  id: '01938a2e-0000-7000-8000-000000000001',
  key: 'sla:weekly/quality[2026-11-22]',
  kind: 'sla-at-risk',
  severity: 'warning',
  state: 'firing',
  asset: 'weekly/quality',
  partition: '2026-11-22',
  summary: 'weekly/quality[2026-11-22] is at risk of missing its SLA: expected 2h after the deadline',
  details: { marginMs: -7_200_000, note: 'Zürich <ops> & co' },
  firstSeen: new Date('2026-12-01T16:00:00Z'),
  lastSeen: new Date('2026-12-01T16:00:00Z'),
  resolvedAt: null,
  notifyCount: 0,
};
const fired: AlertNotification = { event: 'fired', alert, title: notificationTitle('fired', alert) };

describe('webhook channel', () => {
  let receiver: WebhookReceiver;
  afterEach(() => receiver.close());

  it('posts a Slack-compatible payload with text, blocks and the alert under daybook', async () => {
    receiver = await startWebhookReceiver();
    await webhookChannel({ url: receiver.url, headers: { authorization: 'Bearer t0ken' } }).send(fired);
    expect(receiver.requests).toHaveLength(1);
    const [request] = receiver.requests;
    expect(request!.method).toBe('POST');
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.headers.authorization).toBe('Bearer t0ken');
    expect(request!.body.text).toBe(`[FIRING warning] ${alert.summary}`);
    expect(request!.body.blocks).toEqual([
      { type: 'section', text: { type: 'mrkdwn', text: `*Firing* (warning): ${alert.summary}` } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: 'sla-at-risk · weekly/quality[2026-11-22] · first seen 2026-12-01T16:00:00.000Z' }] },
    ]);
    expect(request!.body.daybook).toMatchObject({ event: 'fired', key: alert.key, kind: 'sla-at-risk', details: { note: 'Zürich <ops> & co' }, resolvedAt: null });
  });

  it('retries a 503 with backoff and delivers once; a 400 is final and names the status', async () => {
    receiver = await startWebhookReceiver();
    receiver.failNext(503, 503);
    await webhookChannel({ url: receiver.url, backoffMs: 5 }).send(fired);
    expect(receiver.requests).toHaveLength(3);

    receiver.failNext(400);
    const failure = await webhookChannel({ url: receiver.url, backoffMs: 5 }).send(fired).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AlertError);
    expect((failure as AlertError).code).toBe('alert-delivery-failed');
    expect((failure as AlertError).message).toMatch(/^webhook http:\/\/127\.0\.0\.1:\d+: answered 400 "unavailable" \(attempt 1 of 4\)$/);
    expect(receiver.requests).toHaveLength(4);
  });

  it('gives up after its attempts when nothing listens, saying so without the URL path', async () => {
    receiver = await startWebhookReceiver();
    const url = receiver.url;
    await receiver.close();
    receiver = await startWebhookReceiver();
    const failure = await webhookChannel({ url, attempts: 2, backoffMs: 1 }).send(fired).catch((error: unknown) => error);
    expect((failure as AlertError).message).toMatch(/^webhook http:\/\/127\.0\.0\.1:\d+: fetch failed: .*ECONNREFUSED.* \(attempt 2 of 2\)$/);
    expect((failure as AlertError).message).not.toContain('/hooks/alerts');
  });

  it('refuses a URL that is not http(s) when built', () => {
    expect(() => webhookChannel({ url: 'ftp://example.com/x' })).toThrow('webhook channel "webhook": url must be http or https, not ftp:');
  });
});

describe('smtp channel', () => {
  let server: TestSmtpServer;
  afterEach(() => server.close());

  it('sends a mail the server accepts: EHLO, AUTH PLAIN, MAIL, RCPT for each, DATA dot-stuffed, QUIT', async () => {
    server = await startSmtpServer({ auth: { user: 'daybook', pass: 's3cret' } });
    const multiline = { ...alert, summary: 'first line\n.starts with a dot\n.\nlast' };
    const dotted: AlertNotification = { event: 'fired', alert: multiline, title: notificationTitle('fired', multiline) };
    await smtpChannel({
      host: '127.0.0.1',
      port: server.port,
      from: 'daybook@example.com',
      to: ['oncall@example.com', 'data@example.com'],
      auth: { user: 'daybook', pass: 's3cret' },
      insecureAuth: true,
      clientName: 'daybook.test',
    }).send(dotted);
    expect(server.violations).toEqual([]);
    expect(server.commands).toEqual([
      'EHLO daybook.test',
      'AUTH PLAIN ***',
      'MAIL FROM:<daybook@example.com>',
      'RCPT TO:<oncall@example.com>',
      'RCPT TO:<data@example.com>',
      'DATA',
      'QUIT',
    ]);
    const [mail] = server.mails;
    expect(mail).toMatchObject({ helo: 'daybook.test', authUser: 'daybook', from: 'daybook@example.com', to: ['oncall@example.com', 'data@example.com'] });
    // Lines starting with a dot went over the wire doubled, and came back as written.
    expect(mail!.rawLines).toContain('..starts with a dot');
    expect(mail!.rawLines).toContain('..');
    const blank = mail!.data.indexOf('\r\n\r\n');
    const [head, body] = [mail!.data.slice(0, blank), mail!.data.slice(blank + 4)];
    expect(head).toContain('From: daybook@example.com');
    expect(head).toContain('To: oncall@example.com, data@example.com');
    expect(head).toContain('Subject: [FIRING warning] first line .starts with a dot . last');
    expect(head).toContain('Date: Tue, 01 Dec 2026 16:00:00 +0000');
    expect(head).toContain('Content-Transfer-Encoding: quoted-printable');
    const text = decodeQuotedPrintable(body);
    expect(text).toContain('first line\r\n.starts with a dot\r\n.\r\nlast');
    expect(text).toContain('"note": "Zürich <ops> & co"');
  });

  it('fails naming the server reply when a recipient is refused', async () => {
    server = await startSmtpServer({ rejectRecipients: ['nobody@example.com'] });
    const channel = smtpChannel({ host: '127.0.0.1', port: server.port, from: 'daybook@example.com', to: 'nobody@example.com' });
    const failure = await channel.send(fired).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AlertError);
    expect((failure as AlertError).message).toBe(`smtp 127.0.0.1:${server.port}: RCPT TO:<nobody@example.com> refused: 550 5.1.1 <nobody@example.com>: mailbox unavailable`);
    expect(server.mails).toEqual([]);
  });

  it('fails on wrong credentials without echoing them, and refuses to send them in clear unless allowed', async () => {
    server = await startSmtpServer({ auth: { user: 'daybook', pass: 's3cret' } });
    const options = { host: '127.0.0.1', port: server.port, from: 'daybook@example.com', to: 'oncall@example.com', auth: { user: 'daybook', pass: 'wrong' } };
    const wrong = await smtpChannel({ ...options, insecureAuth: true }).send(fired).catch((error: unknown) => error);
    expect((wrong as Error).message).toBe(`smtp 127.0.0.1:${server.port}: AUTH PLAIN refused: 535 5.7.8 authentication credentials invalid`);
    const clear = await smtpChannel(options).send(fired).catch((error: unknown) => error);
    expect((clear as Error).message).toBe(`smtp 127.0.0.1:${server.port}: refusing to send credentials without TLS (set insecureAuth to allow it)`);
    const required = await smtpChannel({ ...options, auth: undefined, starttls: 'required' }).send(fired).catch((error: unknown) => error);
    expect((required as Error).message).toBe(`smtp 127.0.0.1:${server.port}: STARTTLS is required but the server does not offer it`);
  });

  it('encodes quoted-printable lines under 77 characters, escaping =, non-ASCII and trailing spaces', () => {
    expect(quotedPrintable('a=b Zürich ')).toBe('a=3Db Z=C3=BCrich=20');
    const long = quotedPrintable('x'.repeat(200));
    expect(long.split('\n').every((line) => line.length <= 76)).toBe(true);
    expect(long.replaceAll('=\n', '')).toBe('x'.repeat(200));
  });
});

/** Soft line breaks removed, `=XX` escapes back to bytes, read as UTF-8. */
function decodeQuotedPrintable(text: string): string {
  const flat = text.replace(/=\r\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < flat.length; i++) {
    if (flat[i] === '=') {
      bytes.push(parseInt(flat.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(flat.charCodeAt(i));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}
