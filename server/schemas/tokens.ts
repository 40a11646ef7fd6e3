// API tokens and who is calling.
import { z } from 'zod';
import { instantSchema } from './common.ts';

export const roleSchema = z.enum(['viewer', 'operator', 'admin']).meta({ id: 'Role' });

export const tokenViewSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    role: roleSchema,
    /** The token's first characters, to recognise it; never the token. */
    prefix: z.string(),
    createdAt: instantSchema,
    createdBy: z.string(),
    revokedAt: instantSchema.nullable(),
  })
  .meta({ id: 'Token' });

export const tokenListSchema = z.object({ tokens: z.array(tokenViewSchema) }).meta({ id: 'TokenList' });

/** The new token: `token` is shown this once and stored only as a hash. */
export const createdTokenSchema = tokenViewSchema.extend({ token: z.string() }).meta({ id: 'CreatedToken' });

export const createTokenRequestSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/, 'expected 1 to 64 of a-z, 0-9, _, . and -, starting with a letter or digit'),
    role: roleSchema,
  })
  .strict()
  .meta({ id: 'CreateTokenRequest' });

/** Who the server thinks is calling. */
export const whoamiSchema = z
  .object({
    /** The token's name, or `anonymous`. */
    name: z.string(),
    role: roleSchema.nullable(),
    anonymous: z.boolean(),
  })
  .meta({ id: 'Whoami' });
