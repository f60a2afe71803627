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
  playbook: Nullable(Type.Object({}, { additionalProperties: true, description: 'what dark processing does with this agent (parameters, action, response cases, autoExecute; src/automation/playbook.ts)' })),
  playbookSource: Nullable(Type.String({ description: 'own (set through PATCH), shipped (the default of a seeded agent), or null' })),
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
  thresholds: Nullable(Type.Object({
    threshold: Type.Number({ description: 'whole-text confidence an intent needs to be assigned' }),
    clauseThreshold: Type.Number({ description: 'confidence an intent found in one clause only needs' }),
    maxIntents: Type.Integer(),
  })),
  calibration: Nullable(Type.Object({
    threshold: Type.Number({ description: 'the threshold the held-out evidence chose (before the 0.5 floor)' }),
    precision: Nullable(Type.Number({ description: 'held-out precision at that threshold' })),
    coverage: Nullable(Type.Number({ description: 'held-out share of texts given an intent at that threshold' })),
    heldOut: Type.Integer({ description: 'catalogue texts scored by fold models that never saw them' }),
    source: Type.String({ description: 'held-out, or default when the catalogue has too few texts' }),
    targetPrecision: Type.Number(),
  })),
  sentenceEncoder: Type.String({ description: 'on: English texts are also scored by the sentence encoder (INTENT_SENTENCE_ENCODER); off: TF-IDF alone; unavailable: the encoder failed at serving time' }),
});

const Prediction = Type.Object({ code: Type.String(), confidence: Type.Number({ minimum: 0, maximum: 1, description: 'calibrated on held-out examples of the catalogue' }) });

export const DetectResponse = Type.Object({
  success: Type.Boolean(),
  language: Nullable(Type.String()),
  intents: Type.Array(Prediction, { description: 'what the pipeline would assign: confidence at or above the model\'s threshold (GET /api/mind/intent/model)' }),
  ranking: Type.Array(Prediction, { description: 'the model\'s best five, without a threshold' }),
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
