// Bundles the catalog UI in memory with esbuild: no output directory, no CDN. The server calls
// `buildUi()` once at start-up and serves the returned files; `index.html` names the bundles with a
// content hash, so browsers may cache `app.js` and `app.css` forever.
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/** One file of the built UI. */
export interface UiFile {
  readonly body: Uint8Array;
  readonly contentType: string;
}

const SOURCES = fileURLToPath(new URL('./src/', import.meta.url));

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
};

/**
 * Builds the UI: a map from URL path (`/`, `/index.html`, `/app.js`, `/app.css`) to body and
 * content type. The paths never change; `index.html` references the bundles as `/app.js?v=<hash>`.
 * @example
 * const files = await buildUi();
 * app.get('/*', (c) => { const file = files.get(new URL(c.req.url).pathname); … });
 */
export async function buildUi(): Promise<Map<string, UiFile>> {
  const result = await build({
    entryPoints: [
      { in: `${SOURCES}main.ts`, out: 'app' },
      { in: `${SOURCES}style.css`, out: 'app' },
    ],
    outdir: '/ui',
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: ['es2022'],
    minify: true,
    legalComments: 'none',
    logLevel: 'silent',
  });
  const files = new Map<string, UiFile>();
  for (const output of result.outputFiles) {
    const name = output.path.slice(output.path.lastIndexOf('/'));
    const type = CONTENT_TYPES[name.slice(name.lastIndexOf('.'))];
    if (type === undefined) throw new Error(`ui/build.ts: esbuild produced ${name}, which the UI does not serve`);
    files.set(name, { body: output.contents, contentType: type });
  }
  const html = new TextEncoder().encode(indexHtml(version(files.get('/app.js')), version(files.get('/app.css'))));
  const page: UiFile = { body: html, contentType: CONTENT_TYPES['.html']! };
  files.set('/', page);
  files.set('/index.html', page);
  return files;
}

function version(file: UiFile | undefined): string {
  if (file === undefined) throw new Error('ui/build.ts: esbuild produced no app.js or app.css');
  return createHash('sha256').update(file.body).digest('hex').slice(0, 12);
}

function indexHtml(scriptVersion: string, styleVersion: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Daybook</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/app.css?v=${styleVersion}">
<script type="module" src="/app.js?v=${scriptVersion}"></script>
</head>
<body>
<noscript>The Daybook catalog needs JavaScript.</noscript>
</body>
</html>
`;
}
