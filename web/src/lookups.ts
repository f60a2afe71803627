// Catalogue, profiles and tags change rarely: loaded once per page view and shared.
import { api } from './api';
import type { AiAgent, ProfileRow, Tag } from './types';

let agents: Promise<AiAgent[]> | null = null;
let profiles: Promise<ProfileRow[]> | null = null;
let tags: Promise<Tag[]> | null = null;

export const aiAgents = () => (agents ??= api<{ aiAgents: AiAgent[] }>('GET', '/api/mind/aiAgents').then((r) => r.aiAgents, () => []));
// Agents without the admin role may not list profiles: the filter then offers "mine" only.
export const profileList = () => (profiles ??= api<{ profiles: ProfileRow[] }>('GET', '/api/mind/profiles').then((r) => r.profiles, () => []));
export const tagList = () => (tags ??= api<{ tags: Tag[] }>('GET', '/api/mind/tag').then((r) => r.tags, () => []));
export function invalidateLookups(): void {
  agents = profiles = tags = null;
}
