import { connect as connectTcp, type Socket } from 'node:net';
import { hostname } from 'node:os';
import { connect as connectTls, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { AlertError } from '../../util/errors.ts';
import type { AlertChannel } from '../alert.ts';
import { smtpMessage } from './smtp-message.ts';

export interface SmtpChannelOptions {
  host: string;
  /** 465 with `secure`, else 587 with auth, else 25. */
  port?: number;
  from: string;
  to: string | readonly string[];
  /** TLS from the first byte (SMTPS, port 465). */
  secure?: boolean;
  /** Upgrade a plain connection with STARTTLS: when the server offers it (default), always (fail without it), or never. */
  starttls?: 'if-offered' | 'required' | 'never';
  /** AUTH PLAIN credentials; sent only over TLS unless `insecureAuth`. */
  auth?: { user: string; pass: string };
  insecureAuth?: boolean;
  /** Extra TLS options, e.g. `{ ca }` for a private certificate authority. */
  tls?: ConnectionOptions;
  /** Names this client in EHLO. */
  clientName?: string;
  /** Longest silence from the server before giving up. */
  timeoutMs?: number;
  /** Names the channel in the alert history. */
  name?: string;
}

interface Reply {
  code: number;
  lines: string[];
}

const ADDRESS = /^[^\s<>@]+@[^\s<>@]+$/;

/**
 * An email channel speaking SMTP itself (RFC 5321) over node:net and node:tls: EHLO, STARTTLS when
 * available, AUTH PLAIN, MAIL FROM, RCPT TO, DATA and QUIT. A refusal raises an AlertError that
 * quotes the server's reply.
 *
 * @example
 * smtpChannel({ host: 'smtp.example.com', port: 587, from: 'daybook@example.com', to: ['data-oncall@example.com'], auth: { user, pass } })
 */
export function smtpChannel({
  host,
  port,
  from,
  to,
  secure = false,
  starttls = 'if-offered',
  auth,
  insecureAuth = false,
  tls = {},
  clientName = hostname(),
  timeoutMs = 15_000,
  name,
}: SmtpChannelOptions): AlertChannel {
  const recipients = typeof to === 'string' ? [to] : [...to];
  const channelName = name ?? `smtp:${recipients.join(',')}`;
  for (const [field, address] of [['from', from], ...recipients.map((r) => ['to', r] as const)] as const) {
    if (!ADDRESS.test(address)) throw new AlertError('invalid-config', `smtp channel "${channelName}": ${field} ${JSON.stringify(address)} is not an email address`, { field });
  }
  if (recipients.length === 0) throw new AlertError('invalid-config', `smtp channel "${channelName}": no recipient in "to"`, { field: 'to' });
  const serverPort = port ?? (secure ? 465 : auth ? 587 : 25);
  const where = `smtp ${host}:${serverPort}`;
  return {
    name: channelName,
    async send(notification) {
      const session = await SmtpSession.open({ host, port: serverPort, secure, tls, timeoutMs, where });
      try {
        await session.expect('greeting', 220);
        let features = await session.hello(clientName);
        if (!session.encrypted && starttls !== 'never') {
          if (features.has('STARTTLS')) {
            await session.command('STARTTLS', 220);
            await session.upgrade(host, tls);
            features = await session.hello(clientName);
          } else if (starttls === 'required') {
            throw new AlertError('alert-delivery-failed', `${where}: STARTTLS is required but the server does not offer it`);
          }
        }
        if (auth) {
          if (!session.encrypted && !insecureAuth) throw new AlertError('alert-delivery-failed', `${where}: refusing to send credentials without TLS (set insecureAuth to allow it)`);
          if (!features.has('AUTH') && !features.has('AUTH PLAIN')) throw new AlertError('alert-delivery-failed', `${where}: the server does not offer AUTH`);
          await session.command(`AUTH PLAIN ${Buffer.from(`\u0000${auth.user}\u0000${auth.pass}`).toString('base64')}`, 235, 'AUTH PLAIN');
        }
        await session.command(`MAIL FROM:<${from}>`, 250);
        for (const recipient of recipients) await session.command(`RCPT TO:<${recipient}>`, [250, 251]);
        await session.command('DATA', 354);
        await session.data(smtpMessage(notification, { from, to: recipients }));
        await session.command('QUIT', 221).catch(() => undefined);
      } finally {
        session.close();
      }
    },
  };
}

/** One SMTP connection: writes commands, reads (multi-line) replies, upgrades to TLS. */
class SmtpSession {
  #socket: Socket | TLSSocket;
  #buffer = '';
  #waiting: { resolve: (reply: Reply) => void; reject: (error: Error) => void } | undefined;
  #failure: Error | undefined;
  readonly #where: string;
  readonly #timeoutMs: number;

  private constructor(socket: Socket | TLSSocket, where: string, timeoutMs: number) {
    this.#socket = socket;
    this.#where = where;
    this.#timeoutMs = timeoutMs;
    this.#listen(socket);
  }

  static open({ host, port, secure, tls, timeoutMs, where }: { host: string; port: number; secure: boolean; tls: ConnectionOptions; timeoutMs: number; where: string }): Promise<SmtpSession> {
    return new Promise((resolve, reject) => {
      const socket = secure ? connectTls({ host, port, servername: host, ...tls }) : connectTcp({ host, port });
      const session = new SmtpSession(socket, where, timeoutMs);
      const fail = (error: Error) => reject(new AlertError('alert-delivery-failed', `${where}: cannot connect: ${error.message}`, { cause: error }));
      socket.once('error', fail);
      socket.once(secure ? 'secureConnect' : 'connect', () => {
        socket.off('error', fail);
        resolve(session);
      });
    });
  }

  get encrypted(): boolean {
    return 'encrypted' in this.#socket && this.#socket.encrypted === true;
  }

  /** EHLO (HELO when the server does not know it); returns the extensions offered, upper-case, e.g. `AUTH`, `AUTH PLAIN`, `STARTTLS`. */
  async hello(clientName: string): Promise<Set<string>> {
    this.#write(`EHLO ${clientName}`);
    const reply = await this.#read();
    if (reply.code === 250) {
      const features = new Set<string>();
      for (const line of reply.lines.slice(1)) {
        const words = line.toUpperCase().split(/\s+/);
        features.add(words[0]!);
        for (const word of words.slice(1)) features.add(`${words[0]} ${word}`);
      }
      return features;
    }
    if (reply.code !== 500 && reply.code !== 502) throw this.#refused('EHLO', reply);
    await this.command(`HELO ${clientName}`, 250);
    return new Set();
  }

  async expect(what: string, code: number): Promise<Reply> {
    const reply = await this.#read();
    if (reply.code !== code) throw this.#refused(what, reply);
    return reply;
  }

  /** Sends a command and checks the reply code; `label` replaces the command in messages (AUTH carries the password). */
  async command(line: string, expected: number | readonly number[], label = line): Promise<Reply> {
    this.#write(line);
    const reply = await this.#read();
    if (!(typeof expected === 'number' ? [expected] : expected).includes(reply.code)) throw this.#refused(label, reply);
    return reply;
  }

  /** Sends a dot-stuffed message ending in `CRLF.CRLF`, and checks that the server accepted it. */
  async data(message: string): Promise<void> {
    this.#socket.write(message);
    const reply = await this.#read();
    if (reply.code !== 250) throw this.#refused('the message (after DATA)', reply);
  }

  upgrade(host: string, tls: ConnectionOptions): Promise<void> {
    return new Promise((resolve, reject) => {
      const plain = this.#socket;
      plain.removeAllListeners('data');
      const secure = connectTls({ socket: plain, servername: host, ...tls });
      secure.once('secureConnect', () => resolve());
      secure.once('error', (error) => reject(new AlertError('alert-delivery-failed', `${this.#where}: STARTTLS handshake failed: ${error.message}`, { cause: error })));
      this.#socket = secure;
      this.#buffer = '';
      this.#listen(secure);
    });
  }

  close(): void {
    this.#socket.destroy();
  }

  #listen(socket: Socket | TLSSocket): void {
    socket.setEncoding('utf8');
    socket.setTimeout(this.#timeoutMs, () => this.#fail(new AlertError('alert-delivery-failed', `${this.#where}: no answer within ${this.#timeoutMs} ms`)));
    socket.on('data', (chunk: string) => {
      this.#buffer += chunk;
      this.#deliver();
    });
    socket.on('error', (error) => this.#fail(new AlertError('alert-delivery-failed', `${this.#where}: ${error.message}`, { cause: error })));
    socket.on('close', () => this.#fail(new AlertError('alert-delivery-failed', `${this.#where}: the server closed the connection`)));
  }

  #write(line: string): void {
    this.#socket.write(`${line}\r\n`);
  }

  #read(): Promise<Reply> {
    if (this.#failure) return Promise.reject(this.#failure);
    return new Promise((resolve, reject) => {
      this.#waiting = { resolve, reject };
      this.#deliver();
    });
  }

  /** Hands a complete reply (its last line is `NNN text`, the others `NNN-text`) to the waiting reader. */
  #deliver(): void {
    if (!this.#waiting) return;
    const lines = this.#buffer.split('\r\n');
    const end = lines.findIndex((line, i) => i < lines.length - 1 && /^\d{3}(?: |$)/.test(line));
    if (end < 0) return;
    const reply = lines.slice(0, end + 1);
    this.#buffer = lines.slice(end + 1).join('\r\n');
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting.resolve({ code: Number(reply[end]!.slice(0, 3)), lines: reply.map((line) => line.slice(4)) });
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting?.reject(error);
  }

  #refused(what: string, reply: Reply): AlertError {
    return new AlertError('alert-delivery-failed', `${this.#where}: ${what} refused: ${reply.code} ${reply.lines.join(' ')}`);
  }
}
