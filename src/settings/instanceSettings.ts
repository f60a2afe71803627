import type { AppContext } from '../context.js';
import { configDescriptions, configKeys } from '../config.js';
import { packageVersion } from '../http/routes/ops.js';
import { redactSetting } from './redact.js';

// The instance's configuration as Enneo's settings endpoints show it: `{name, category, value}`
// rows from the validated config (every env variable of src/config.ts), the version and the
// feature switches derived from them. Read-only: settings are changed through the environment.
// Every value passes the one redaction rule (redact.ts).

export type SettingValue = string | number | boolean | null;

export interface SettingRow {
  name: string;
  category: string;
  value: SettingValue;
  description: string | null;
}

// Category by name prefix; the first match wins, so longer prefixes come first where they overlap.
const CATEGORIES: Array<[RegExp, string]> = [
  [/^(?:HTTP_|HOST$|PORT$|BODY_LIMIT_BYTES$)/, 'http'],
  [/^(?:DATA_DIR|DATABASE_URL)$/, 'storage'],
  [/^(?:ADMIN_|SESSION_|COOKIE_|API_KEY_|LOGIN_|PASSWORD_|METRICS_TOKEN$)/, 'security'],
  [/^(?:WORKER_|JOB_)/, 'jobs'],
  [/^(?:AI_|INTENT_)/, 'ai'],
  [/^(?:ATTACHMENT|OUTBOUND_)/, 'attachments'],
  [/^HOOK_/, 'eventHooks'],
  [/^(?:MESSAGE_|BODY_THREADS$|REALTIME_|IDEMPOTENCY_)/, 'processing'],
  [/^(?:TICKET_RETENTION_DAYS|TECHNICAL_DATA_RETENTION_DAYS)$/, 'retention'],
  [/^(?:MAIL_|IMAP_|SMTP_)/, 'mail'],
  [/^(?:LOG_LEVEL|NODE_ENV|OVERLOAD_)/, 'operations'],
];

export function categoryOf(name: string): string {
  return CATEGORIES.find(([re]) => re.test(name))?.[1] ?? 'general';
}

export function instanceSettings(ctx: AppContext): SettingRow[] {
  const config = ctx.config as unknown as Record<string, unknown>;
  const rows: SettingRow[] = configKeys.map((name) => ({
    name, category: categoryOf(name), value: redactSetting(name, config[name]) as SettingValue, description: configDescriptions[name] ?? null,
  }));
  const derived: Array<[string, string, SettingValue, string]> = [
    ['version', 'version', packageVersion, 'ticketmind version'],
    ['nodeVersion', 'version', process.version, 'Node.js running the service'],
    ['database', 'features', ctx.db.kind, 'sqlite (embedded) or postgres'],
    ['llmEnabled', 'features', ctx.llm !== null, 'an OpenAI-compatible model answers beside the offline one (AI_BASE_URL set)'],
    ['jobRunnerEnabled', 'features', ctx.config.WORKER_ENABLED, 'this process runs AI jobs and hook deliveries'],
    ['metricsProtected', 'features', ctx.config.METRICS_TOKEN !== '', '/metrics needs a bearer token'],
    ['ticketRetentionEnabled', 'features', ctx.config.TICKET_RETENTION_DAYS > 0, 'closed tickets are erased after TICKET_RETENTION_DAYS'],
  ];
  for (const [name, category, value, description] of derived) rows.push({ name, category, value: redactSetting(name, value) as SettingValue, description });
  return rows;
}

const list = (v: string | undefined): string[] | null => {
  const items = (v ?? '').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  return items.length > 0 ? items : null;
};

/** `filterByName` / `filterByCategory`: comma-separated exact names, case-insensitive. */
export function filterSettings(rows: SettingRow[], opts: { filterByName?: string; filterByCategory?: string }): SettingRow[] {
  const names = list(opts.filterByName);
  const categories = list(opts.filterByCategory);
  return rows.filter((r) => (!names || names.includes(r.name.toLowerCase())) && (!categories || categories.includes(r.category.toLowerCase())));
}

/** `q`: a case-insensitive substring of the name, category, description or (shown) value. */
export function searchSettings(rows: SettingRow[], q: string): SettingRow[] {
  const needle = q.trim().toLowerCase();
  if (!needle) return rows;
  return rows.filter((r) => [r.name, r.category, r.description ?? '', typeof r.value === 'string' ? r.value : JSON.stringify(r.value)].some((s) => s.toLowerCase().includes(needle)));
}
