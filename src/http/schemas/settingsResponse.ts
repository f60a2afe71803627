import { Type } from '@sinclair/typebox';
import { AnyObject, Nullable } from './common.js';

// What src/settings/ returns, and the ops routes (src/http/routes/ops.ts).

export const Subchannel = Type.Object({
  id: Type.Integer(),
  channel: Type.String(),
  name: Type.String(),
  isDefault: Type.Boolean(),
  interface: Type.String(),
  enabled: Type.Boolean(),
  data: Nullable(AnyObject),
});

export const SubchannelsResponse = Type.Object({ success: Type.Boolean(), subchannels: Type.Array(Subchannel) });

export const TagsResponse = Type.Object({
  success: Type.Boolean(),
  tags: Type.Array(Type.Object({ id: Type.Integer(), name: Type.String(), parentId: Nullable(Type.Integer()), color: Nullable(Type.String()) })),
});

export const Liveness = Type.Object({ status: Type.String() });
export const Readiness = Type.Object({ status: Type.String({ description: 'ready, unavailable' }), database: Type.String() });

export const HealthResponse = Type.Object({
  success: Type.Boolean(),
  status: Type.String(),
  database: Type.String({ description: 'sqlite, postgres' }),
  uptimeSeconds: Type.Integer(),
  jobs: Type.Record(Type.String(), Type.Integer(), { description: 'jobs per status' }),
});

export const VersionResponse = Type.Object({ success: Type.Boolean(), name: Type.String(), version: Type.String(), node: Type.String() });
