// The email an SMTP channel sends: RFC 5322 headers and a quoted-printable UTF-8 text body,
// dot-stuffed for the DATA command (RFC 5321 §4.5.2).
import type { AlertNotification } from '../alert.ts';

export interface EmailAddresses {
  from: string;
  to: readonly string[];
}

/** The message as the DATA command sends it: CRLF lines, dot-stuffed, ending in `CRLF.CRLF`. */
export function smtpMessage(notification: AlertNotification, { from, to }: EmailAddresses): string {
  const { alert, event } = notification;
  const at = (event === 'resolved' ? alert.resolvedAt : alert.lastSeen) ?? alert.lastSeen;
  const headers = [
    `From: ${headerText(from)}`,
    `To: ${to.map(headerText).join(', ')}`,
    `Subject: ${encodeHeader(notification.title.slice(0, 200))}`,
    `Date: ${at.toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: <${alert.id}.${event}.${at.getTime()}@daybook>`,
    `X-Daybook-Alert: ${headerText(alert.key)}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: quoted-printable',
  ];
  const lines = [...headers, '', ...quotedPrintable(bodyText(notification)).split('\n')];
  return `${lines.map((line) => (line.startsWith('.') ? `.${line}` : line)).join('\r\n')}\r\n.\r\n`;
}

function bodyText({ alert, event, title }: AlertNotification): string {
  const subject = alert.asset === null ? '' : alert.partition ? `${alert.asset}[${alert.partition}]` : alert.asset;
  return [
    title,
    '',
    alert.summary,
    '',
    `Event:      ${event}`,
    `Kind:       ${alert.kind}`,
    ...(subject === '' ? [] : [`Asset:      ${subject}`]),
    `First seen: ${alert.firstSeen.toISOString()}`,
    `Last seen:  ${alert.lastSeen.toISOString()}`,
    ...(alert.resolvedAt === null ? [] : [`Resolved:   ${alert.resolvedAt.toISOString()}`]),
    `Key:        ${alert.key}`,
    '',
    JSON.stringify(alert.details, null, 2),
  ].join('\n');
}

/** A header value on one line: CR and LF would start a header of the sender's choosing. */
function headerText(text: string): string {
  return text.replace(/[\r\n]+/g, ' ');
}

/** ASCII stays as it is; anything else becomes RFC 2047 encoded words of at most 45 bytes each. */
function encodeHeader(text: string): string {
  const flat = headerText(text);
  if (/^[\x20-\x7e]*$/.test(flat)) return flat;
  const words: string[] = [];
  let chunk = '';
  for (const char of flat) {
    if (Buffer.byteLength(chunk + char) > 45) {
      words.push(chunk);
      chunk = '';
    }
    chunk += char;
  }
  words.push(chunk);
  return words.map((word) => `=?UTF-8?B?${Buffer.from(word).toString('base64')}?=`).join('\r\n ');
}

/** Quoted-printable (RFC 2045 §6.7) of UTF-8 text, lines at most 76 characters, `\n` between lines. */
export function quotedPrintable(text: string): string {
  return text
    .split(/\r?\n/)
    .map((line) => {
      const bytes = Buffer.from(line);
      const out: string[] = [];
      let current = '';
      bytes.forEach((byte, i) => {
        const last = i === bytes.length - 1;
        const literal = (byte >= 33 && byte <= 126 && byte !== 61) || ((byte === 32 || byte === 9) && !last);
        const piece = literal ? String.fromCharCode(byte) : `=${byte.toString(16).toUpperCase().padStart(2, '0')}`;
        if (current.length + piece.length > 75) {
          out.push(`${current}=`);
          current = '';
        }
        current += piece;
      });
      out.push(current);
      return out.join('\n');
    })
    .join('\n');
}
