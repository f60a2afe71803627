import { Type } from '@sinclair/typebox';
import { Nullable } from './common.js';
import { Seconds } from './responses.js';

// What src/catalogue/aiAgents.ts, the intent engine and src/ai/pipeline.ts (getCortexRequest) return.

export const AiAgent = Type.Object({
  id: Type.Integer(),
  code: Type.String(),
  name: Type.String({ description: 'the English name' }),
  names: Type.Object({ de: Type.String(), en: Type.String() }),
  description: Type.String(),
  enabled: Type.Boolean(),
  exampleCount: Type.Record(Type.String(), Type.Integer(), { description: 'training examples per language' }),
  examples: Type.Optional(Type.Record(Type.String(), Type.Array(Type.String()), { description: 'only on the routes about one AI agent' })),
  createdAt: Seconds,
  modifiedAt: Seconds,
});

export const AiAgentsResponse = Type.Object({ success: Type.Boolean(), aiAgents: Type.Array(AiAgent) });
export const AiAgentResponse = Type.Object({ success: Type.Boolean(), aiAgent: AiAgent });

export const IntentModelResponse = Type.Object({
  success: Type.Boolean(),
  status: Type.String({ description: 'training, ready' }),
  version: Type.Integer({ description: 'counts the models this process has served' }),
  intents: Type.Integer(),
  examples: Type.Integer(),
  trainedAt: Nullable(Seconds),
  source: Nullable(Type.String({ description: 'trained, cache' })),
});

const Prediction = Type.Object({ code: Type.String(), confidence: Type.Number() });

export const DetectResponse = Type.Object({
  success: Type.Boolean(),
  language: Nullable(Type.String()),
  intents: Type.Array(Prediction),
});

export const CortexResponse = Type.Object({
  success: Type.Boolean(),
  cortexRequest: Type.Object({
    id: Type.Integer(),
    conversationId: Type.Integer(),
    ticketId: Type.Integer(),
    mode: Type.String(),
    provider: Type.String(),
    model: Type.String(),
    status: Type.String({ description: 'running, success, failed' }),
    inputs: Type.Unknown({ description: 'what the run read (free-form JSON)' }),
    outputs: Type.Unknown({ description: 'what it found (free-form JSON), null while running or failed' }),
    steps: Type.Record(Type.String(), Type.Number(), { description: 'milliseconds per step' }),
    error: Nullable(Type.String()),
    createdAt: Seconds,
    finishedAt: Nullable(Seconds),
  }),
});
