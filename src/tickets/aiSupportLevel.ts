// The one rule for a ticket's `aiSupportLevel`, with Enneo's meaning:
// - `unprocessed`: the AI has not analysed the ticket yet;
// - `human`: analysed (or created with process=false, which asks for no AI) and worked by a person;
// - `bot`: a chat or voice bot holds the conversation right now (nothing in ticketmind runs such a
//   bot yet, so nothing sets it; a client may still filter on it);
// - `automated`: dark-processed, answered without a person (not set yet: dark processing is to come).
// A detected intent says what the customer wants, not who answers: it no longer makes a ticket `bot`.

export const AI_SUPPORT_LEVELS = ['unprocessed', 'human', 'bot', 'automated'] as const;
export type AiSupportLevel = (typeof AI_SUPPORT_LEVELS)[number];

/** A new ticket: `human` when its message is not to be analysed (process=false), else `unprocessed`. */
export function initialAiSupportLevel(process: string): AiSupportLevel {
  return process === 'false' ? 'human' : 'unprocessed';
}

/**
 * After the AI analysed a customer message: an unprocessed ticket goes to the people. A bot that
 * holds the conversation, or a dark-processed ticket, keeps its level: who answers did not change.
 */
export function aiSupportLevelAfterAnalysis(current: string): string {
  return current === 'unprocessed' ? 'human' : current;
}
