// The one place the server gets the catalog UI from: ui/build.ts bundles it in memory on first use.
import type { UiFile } from '../ui/build.ts';

/** Where the UI's files come from; tests and embedders may pass their own. */
export type UiSource = () => Promise<ReadonlyMap<string, UiFile>>;

const PLACEHOLDER = (reason: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Daybook</title></head><body>
<h1>Daybook</h1><p>The catalog UI is not built: ${escapeHtml(reason)}</p>
<p>The API is up: see <a href="/api/openapi.json">/api/openapi.json</a>.</p></body></html>`;

/**
 * Serves `ui/`'s bundle: built once, on the first request, and kept in memory. When the build fails,
 * `/` says so (and why) instead, and the API keeps working.
 */
export function uiFiles(source: UiSource = defaultSource): (path: string) => Promise<UiFile | undefined> {
  let files: Promise<ReadonlyMap<string, UiFile>> | undefined;
  return async (path) => {
    files ??= source().catch((error: unknown) => {
      const reason = error instanceof Error ? error.message : String(error);
      console.error(`daybook server: the UI could not be built: ${reason}`);
      return new Map([['/', { body: new TextEncoder().encode(PLACEHOLDER(reason)), contentType: 'text/html; charset=utf-8' }]]);
    });
    return (await files).get(path);
  };
}

/** ui/build.ts, loaded on first use: commands other than serving never load esbuild. */
async function defaultSource(): Promise<ReadonlyMap<string, UiFile>> {
  const { buildUi } = await import('../ui/build.ts');
  return buildUi();
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (char) => `&#${char.charCodeAt(0)};`);
}
