// The one place that names jobs by key: the AI run of a conversation is `conversation:<id>`,
// so a repeated enqueue of the same conversation is a no-op and the realtime path can find it.

export const conversationJobKey = (conversationId: number): string => `conversation:${conversationId}`;
