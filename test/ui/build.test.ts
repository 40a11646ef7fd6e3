import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildUi } from '../../ui/build.ts';

describe('buildUi', () => {
  it('bundles the UI into index.html, app.js and app.css that reference only each other', async () => {
    const files = await buildUi();
    expect([...files.keys()].sort()).toEqual(['/', '/app.css', '/app.js', '/index.html']);
    const text = (path: string) => new TextDecoder().decode(files.get(path)!.body);
    const html = text('/');
    expect(files.get('/')!.contentType).toBe('text/html; charset=utf-8');
    expect(files.get('/app.js')!.contentType).toBe('text/javascript; charset=utf-8');
    expect(files.get('/app.css')!.contentType).toBe('text/css; charset=utf-8');
    // Everything is served from here: no CDN, no other origin.
    expect([...html.matchAll(/(?:src|href)="([^"]*)"/g)].map((match) => match[1])).toEqual([
      'data:,',
      expect.stringMatching(/^\/app\.css\?v=[0-9a-f]{12}$/),
      expect.stringMatching(/^\/app\.js\?v=[0-9a-f]{12}$/),
    ]);
    const script = text('/app.js');
    expect(script).not.toMatch(/\bimport\s*\(?\s*["']|\brequire\(|https?:\/\/(?!www\.w3\.org)/);
    expect(script).toContain('/api/assets');
    expect(text('/app.css')).toContain('.grid-canvas');
  });

  it('names the bundles by content, so a changed bundle gets a new URL', async () => {
    const [a, b] = await Promise.all([buildUi(), buildUi()]);
    expect(new TextDecoder().decode(a.get('/')!.body)).toBe(new TextDecoder().decode(b.get('/')!.body));
    const version = new TextDecoder().decode(a.get('/')!.body).match(/app\.js\?v=([0-9a-f]+)/)![1];
    expect(createHash('sha256').update(a.get('/app.js')!.body).digest('hex').startsWith(version!)).toBe(true);
  });
});
