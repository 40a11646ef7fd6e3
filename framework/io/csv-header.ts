import { open } from 'node:fs/promises';

/** Header lines longer than this are not a header: the file is not the CSV it claims to be. */
const MAX_HEADER_BYTES = 1024 * 1024;

/**
 * The column names in a CSV file's first record, or a string saying why there are none. DuckDB's
 * sniffer gives up on a file whose sample holds one bad row, so the header is read here, where it
 * cannot be confused by the rows below it.
 */
export async function readCsvHeader(path: string, delimiter: string): Promise<string[] | string> {
  const handle = await open(path, 'r');
  let text: string;
  let full: boolean;
  try {
    const buffer = Buffer.alloc(MAX_HEADER_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    text = buffer.subarray(0, bytesRead).toString('utf8');
    full = bytesRead === buffer.length;
  } finally {
    await handle.close();
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === '') return 'the file is empty; expected a header line';

  const names: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (quoted) {
      if (char !== '"') field += char;
      else if (text[i + 1] === '"') {
        field += '"';
        i++;
      } else quoted = false;
    } else if (char === '"' && field === '') quoted = true;
    else if (char === delimiter) {
      names.push(field);
      field = '';
    } else if (char === '\n' || char === '\r') {
      names.push(field);
      return names;
    } else field += char;
  }
  if (quoted) return 'the header line has an unterminated quote';
  if (full) return `the header line is longer than ${MAX_HEADER_BYTES} bytes`;
  names.push(field);
  return names;
}
