// API tokens, for admins; and who is calling, for anyone.
import { z } from 'zod';
import { defineRoute, type AnyRoute } from '../api-route.ts';
import { generateToken } from '../auth.ts';
import { createdTokenSchema, createTokenRequestSchema, tokenListSchema, tokenViewSchema, whoamiSchema } from '../schemas/tokens.ts';
import type { ServerServices } from '../services.ts';
import { tokenView } from '../views.ts';

/** GET/POST /api/tokens, POST /api/tokens/{id}/revoke, GET /api/whoami. */
export function tokenRoutes({ engine, tokens }: ServerServices): AnyRoute[] {
  const { store } = engine;
  return [
    defineRoute({
      method: 'get',
      path: '/api/whoami',
      summary: 'Who the server takes the caller for: the token name and role, or anonymous',
      tag: 'auth',
      role: 'public',
      responses: { 200: { description: 'the caller', schema: whoamiSchema } },
      handle(c) {
        const caller = c.get('caller');
        return c.json({ name: caller?.name ?? 'anonymous', role: caller?.role ?? null, anonymous: caller?.anonymous ?? true });
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/tokens',
      summary: 'Every API token, live and revoked (never their secrets)',
      tag: 'auth',
      role: 'admin',
      responses: { 200: { description: 'the tokens', schema: tokenListSchema }, 401: { description: 'no token' }, 403: { description: 'not an admin' } },
      async handle(c) {
        return c.json({ tokens: (await store.listApiTokens()).map(tokenView) });
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/tokens',
      summary: 'Create an API token; its secret is in this answer only',
      tag: 'auth',
      role: 'admin',
      audit: 'token-create',
      body: createTokenRequestSchema,
      responses: {
        201: { description: 'the token, with its secret', schema: createdTokenSchema },
        400: { description: 'a malformed body, or a live token of that name exists' },
        401: { description: 'no token' },
        403: { description: 'not an admin' },
      },
      async handle(c, { body }) {
        const { token, hash, prefix } = generateToken();
        const record = await store.createApiToken({ name: body.name, role: body.role, tokenHash: hash, prefix }, { actor: c.get('caller')!.name });
        await tokens.reload();
        return c.json({ ...tokenView(record), token }, 201);
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/tokens/{id}/revoke',
      summary: 'Revoke an API token (by id or name); it is refused from now on',
      tag: 'auth',
      role: 'admin',
      audit: 'token-revoke',
      params: z.object({ id: z.string().min(1).max(100) }),
      responses: {
        200: { description: 'the revoked token', schema: tokenViewSchema },
        401: { description: 'no token' },
        403: { description: 'not an admin' },
        404: { description: 'no live token with that id or name' },
      },
      async handle(c, { params }) {
        const record = await store.revokeApiToken(params.id, { actor: c.get('caller')!.name });
        await tokens.reload();
        return c.json(tokenView(record));
      },
    }),
  ];
}
