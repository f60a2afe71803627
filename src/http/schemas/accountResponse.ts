import { Type } from '@sinclair/typebox';
import { Nullable } from './common.js';
import { Seconds } from './responses.js';

// What src/agents/profiles.ts (serializeProfile) and src/auth/apiKeys.ts return. Never a hash.

export const Profile = Type.Object({
  id: Type.Integer(),
  email: Type.String(),
  name: Type.String(),
  role: Type.String({ description: 'admin, agent, integration' }),
  permissions: Type.Array(Type.String()),
  enabled: Type.Boolean(),
  createdAt: Seconds,
  modifiedAt: Seconds,
});

/** GET /profile: the caller's profile, its fields beside `success`. */
export const OwnProfileResponse = Type.Object({ success: Type.Boolean(), ...Profile.properties });
export const ProfileResponse = Type.Object({ success: Type.Boolean(), profile: Profile });
export const ProfilesResponse = Type.Object({ success: Type.Boolean(), profiles: Type.Array(Profile) });

export const MintedKeyResponse = Type.Object({
  success: Type.Boolean(),
  id: Type.Integer(),
  name: Type.String(),
  token: Type.String({ description: 'the key; shown this once' }),
  jwt: Type.String({ description: 'the same key, under the name Enneo clients read' }),
  lastChars: Type.String(),
  createdAt: Seconds,
  expiresAt: Seconds,
});

export const ApiKeysResponse = Type.Object({
  success: Type.Boolean(),
  keys: Type.Array(Type.Object({
    id: Type.Integer(),
    name: Type.String(),
    lastChars: Type.String(),
    createdAt: Seconds,
    expiresAt: Seconds,
    revokedAt: Nullable(Seconds),
    lastUsedAt: Nullable(Seconds),
    active: Type.Boolean(),
  })),
});
