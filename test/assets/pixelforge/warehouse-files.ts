// What the PixelForge tests compare: the files the generator uploaded, and the rows the warehouse
// holds, each as one line of text per file, sorted.
import type { Upload } from '../../../assets/pixelforge/generator/index.ts';
import { MEDIA_FILES_TABLE } from '../../../assets/pixelforge/warehouse-load.ts';
import { createDuckDB } from '../../../framework/index.ts';

/** One generated upload as a line: id, format, size, bytes, checksum, uploader, time. */
export function expectedFiles(uploads: readonly Upload[]): string[] {
  return uploads
    .map((u) => [u.fileId, u.format, `${u.width}x${u.height}`, u.bytes, u.checksum, u.uploader, new Date(u.uploadedAt).toISOString()].join(' '))
    .sort();
}

/** Every row of the warehouse's media table as a line of the same form, duplicates kept; `where` is SQL over the table. */
export async function warehouseFiles(path: string, where = 'true'): Promise<string[]> {
  const db = await createDuckDB({ path });
  try {
    const rows = await db.withConnection((c) =>
      c.query<{ line: string }>(
        `select concat_ws(' ', file_id, format, width || 'x' || height, bytes, checksum, uploader, strftime(uploaded_at, '%Y-%m-%dT%H:%M:%S.%gZ')) as line
         from ${MEDIA_FILES_TABLE} where ${where}`,
      ),
    );
    return rows.map((row) => row.line).sort();
  } finally {
    db.close();
  }
}

/** The 96 window keys of a UTC day, in order. */
export function windowsOf(date: string): string[] {
  return Array.from({ length: 96 }, (_, k) => `${date}T${String(Math.floor(k / 4)).padStart(2, '0')}:${String((k % 4) * 15).padStart(2, '0')}`);
}
