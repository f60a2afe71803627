import OpenAI from 'openai';
import type { Config } from '../config.js';
import type { IntentPrediction } from './intents/classifier.js';

export interface LlmResult {
  intents: IntentPrediction[];
  language: string | null;
  summary: string | null;
  replySuggestion: string | null;
}

export interface CatalogueEntry {
  code: string;
  name: string;
  description: string;
}

/**
 * An optional OpenAI-compatible provider (OpenAI, Azure, vLLM, Ollama: anything speaking
 * /chat/completions): intents, a summary and a reply suggestion in one call. The pipeline falls
 * back to the offline provider when it fails, so a broken LLM never blocks ingestion.
 */
export class LlmProvider {
  private readonly client: OpenAI;
  constructor(readonly model: string, baseURL: string, apiKey: string, timeoutMs: number) {
    this.client = new OpenAI({ baseURL, apiKey: apiKey || 'none', timeout: timeoutMs, maxRetries: 1 });
  }

  async analyse(text: string, catalogue: CatalogueEntry[]): Promise<LlmResult> {
    const codes = new Set(catalogue.map((c) => c.code));
    const res = await this.client.chat.completions.create({
      model: this.model,
      temperature: 0,
      response_format: { type: 'json_object' },
      messages: [
        {
          role: 'system',
          content:
            'You read customer messages sent to a German energy and utility supplier. ' +
            'Answer with one JSON object: {"intents": [{"code": string, "confidence": number 0..1}], "language": "de"|"en"|null, ' +
            '"summary": one sentence in the language of the message, "replySuggestion": a short polite reply in that language}. ' +
            'Use only intent codes from this catalogue, best first, several when the message holds several concerns, [] when none fits:\n' +
            catalogue.map((c) => `- ${c.code}: ${c.name}. ${c.description}`).join('\n'),
        },
        { role: 'user', content: text.slice(0, 20_000) },
      ],
    });
    const content = res.choices[0]?.message?.content;
    if (!content) throw new Error('the LLM answered without content');
    const parsed = JSON.parse(content) as { intents?: unknown; language?: unknown; summary?: unknown; replySuggestion?: unknown };
    const intents = Array.isArray(parsed.intents) ? parsed.intents : [];
    return {
      intents: intents
        .filter((i): i is { code: string; confidence?: number } => typeof i?.code === 'string' && codes.has(i.code))
        .map((i) => ({ code: i.code, confidence: Math.min(1, Math.max(0, Number(i.confidence ?? 0.5) || 0)) })),
      language: typeof parsed.language === 'string' ? parsed.language : null,
      summary: typeof parsed.summary === 'string' ? parsed.summary.slice(0, 2000) : null,
      replySuggestion: typeof parsed.replySuggestion === 'string' ? parsed.replySuggestion.slice(0, 10_000) : null,
    };
  }
}

export function createLlmProvider(config: Config): LlmProvider | null {
  if (!config.AI_BASE_URL) return null;
  return new LlmProvider(config.AI_MODEL, config.AI_BASE_URL, config.AI_API_KEY, config.AI_TIMEOUT_MS);
}
