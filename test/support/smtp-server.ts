// A small SMTP server for tests (node:net, 127.0.0.1) that holds clients to the protocol: a greeting
// first, EHLO or HELO before mail, AUTH PLAIN when credentials are set, MAIL before RCPT, RCPT before
// DATA, CRLF line endings, dot-stuffing undone, QUIT. A step out of order is answered 503 and noted.
import { createServer, type Server, type Socket } from 'node:net';

export interface ReceivedMail {
  readonly helo: string;
  readonly authUser: string | undefined;
  readonly from: string;
  readonly to: readonly string[];
  /** The message as sent, dot-stuffing undone, CRLF line endings. */
  readonly data: string;
  /** The lines of DATA exactly as they arrived, dot-stuffed. */
  readonly rawLines: readonly string[];
}

export interface SmtpServerOptions {
  /** Require AUTH PLAIN with these before MAIL. */
  auth?: { user: string; pass: string };
  /** Recipients answered 550. */
  rejectRecipients?: readonly string[];
}

export interface TestSmtpServer {
  readonly port: number;
  readonly mails: ReceivedMail[];
  /** Protocol violations seen, e.g. `MAIL before EHLO`; a correct client leaves this empty. */
  readonly violations: string[];
  /** Every command received, AUTH arguments masked. */
  readonly commands: string[];
  close(): Promise<void>;
}

/** Starts the server on 127.0.0.1 and an ephemeral port. */
export async function startSmtpServer({ auth, rejectRecipients = [] }: SmtpServerOptions = {}): Promise<TestSmtpServer> {
  const mails: ReceivedMail[] = [];
  const violations: string[] = [];
  const commands: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.setEncoding('utf8');
    let helo: string | undefined;
    let user: string | undefined;
    let from: string | undefined;
    let to: string[] = [];
    let data: string[] | undefined;
    let buffer = '';
    const reply = (line: string): void => {
      socket.write(`${line}\r\n`);
    };
    const violation = (what: string) => {
      violations.push(what);
      reply(`503 5.5.1 ${what}`);
    };
    const handle = (line: string): void => {
      if (data) {
        if (line !== '.') {
          data.push(line);
          return;
        }
        const unstuffed = data.map((l) => (l.startsWith('.') ? l.slice(1) : l));
        mails.push({ helo: helo!, authUser: user, from: from!, to, data: unstuffed.join('\r\n'), rawLines: data });
        data = undefined;
        from = undefined;
        to = [];
        reply('250 2.0.0 queued');
        return;
      }
      commands.push(/^AUTH /i.test(line) ? 'AUTH PLAIN ***' : line);
      const verb = line.split(' ', 1)[0]!.toUpperCase();
      if (verb === 'EHLO') {
        helo = line.slice(5);
        socket.write(`250-test.smtp greets ${helo}\r\n250-8BITMIME\r\n${auth ? '250-AUTH PLAIN\r\n' : ''}250 SIZE 1000000\r\n`);
      } else if (verb === 'HELO') {
        helo = line.slice(5);
        reply('250 test.smtp');
      } else if (verb === 'AUTH') {
        if (!helo) return violation('AUTH before EHLO');
        const [, mechanism, initial] = line.split(' ');
        const [, name, pass] = Buffer.from(initial ?? '', 'base64').toString().split('\u0000');
        if (mechanism?.toUpperCase() !== 'PLAIN' || !auth || name !== auth.user || pass !== auth.pass) return reply('535 5.7.8 authentication credentials invalid');
        user = name;
        reply('235 2.7.0 authenticated');
      } else if (verb === 'MAIL') {
        if (!helo) return violation('MAIL before EHLO');
        if (auth && !user) return reply('530 5.7.0 authentication required');
        const match = /^MAIL FROM:<([^>]*)>$/i.exec(line);
        if (!match) return reply('501 5.5.4 syntax: MAIL FROM:<address>');
        from = match[1];
        reply('250 2.1.0 sender ok');
      } else if (verb === 'RCPT') {
        if (from === undefined) return violation('RCPT before MAIL');
        const match = /^RCPT TO:<([^>]*)>$/i.exec(line);
        if (!match) return reply('501 5.5.4 syntax: RCPT TO:<address>');
        if (rejectRecipients.includes(match[1]!)) return reply(`550 5.1.1 <${match[1]}>: mailbox unavailable`);
        to.push(match[1]!);
        reply('250 2.1.5 recipient ok');
      } else if (verb === 'DATA') {
        if (to.length === 0) return violation('DATA before RCPT');
        data = [];
        reply('354 end data with <CR><LF>.<CR><LF>');
      } else if (verb === 'QUIT') {
        reply('221 2.0.0 bye');
        socket.end();
      } else {
        reply('502 5.5.2 command not implemented');
      }
    };
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      for (let end = buffer.indexOf('\r\n'); end >= 0; end = buffer.indexOf('\r\n')) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (line.includes('\n') || line.includes('\r')) violations.push(`bare CR or LF in ${JSON.stringify(line)}`);
        handle(line);
      }
    });
    reply('220 test.smtp ESMTP ready');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the SMTP test server has no port');
  return {
    port: address.port,
    mails,
    violations,
    commands,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
