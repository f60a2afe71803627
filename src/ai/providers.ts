import type { AppContext } from '../context.js';
import type { IntentPrediction } from './intents/classifier.js';

export interface TextAnalysis {
  provider: string;
  model: string;
  intents: IntentPrediction[];
  summary: string | null;
  replySuggestion: string | null;
  /** why the LLM did not answer, when the offline provider stood in */
  fallback: string | null;
}

export const OFFLINE = { provider: 'offline', model: 'tfidf-linear-svm' } as const;

/**
 * Intents (and, with an LLM, a summary and a reply suggestion) of a message. The LLM is tried
 * first when one is configured; any failure falls back to the offline model, recorded in the run.
 */
export async function analyseText(ctx: AppContext, text: string, customerMessage: boolean): Promise<TextAnalysis> {
  let fallback: string | null = null;
  if (ctx.llm && customerMessage) {
    try {
      const rows = await ctx.db.kysely.selectFrom('ai_agents').select(['code', 'name_en', 'description']).where('enabled', '=', 1).execute();
      const r = await ctx.llm.analyse(text, rows.map((a) => ({ code: a.code, name: a.name_en, description: a.description })));
      return { provider: 'openai-compatible', model: ctx.llm.model, intents: r.intents, summary: r.summary, replySuggestion: r.replySuggestion, fallback: null };
    } catch (err) {
      fallback = `LLM failed: ${(err as Error).message}`.slice(0, 500);
      ctx.log.warn({ err }, 'LLM provider failed; the offline provider answers');
    }
  }
  const intents = customerMessage ? await ctx.intents.detect(text) : [];
  return { ...OFFLINE, intents, summary: null, replySuggestion: null, fallback };
}
