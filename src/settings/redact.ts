// The one redaction rule for configuration shown through the API (GET /api/mind/settings…).
// A setting is secret by its name (passwords, secrets, tokens, keys, credentials); any other
// value that is a URL loses the credentials it carries (user:password@, ?password=…).
// Adding a secret to src/config.ts needs nothing here as long as its name says what it is.

export const REDACTED = '[redacted]';

const SECRET_NAME = /PASSWORD|PASSWD|(?:^|_)PASS(?:$|_)|SECRET|TOKEN|(?:^|_)KEY(?:$|_)|CREDENTIAL|PRIVATE|AUTH/i;
const SECRET_PARAM = /pass|secret|token|key|auth|credential|sig/i;

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/** The value as it may be shown: secret names redacted when set, URLs without their credentials. */
export function redactSetting(name: string, value: unknown): unknown {
  if (isSecretName(name)) return value === '' || value === null || value === undefined ? '' : REDACTED;
  return typeof value === 'string' ? redactUrls(value) : value;
}

/** Every URL in a (comma- or space-separated) value without user info and secret query parameters. */
export function redactUrls(value: string): string {
  if (!value.includes('://')) return value;
  return value.split(/([\s,]+)/).map((part) => (part.includes('://') ? redactUrl(part) : part)).join('');
}

function redactUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    // Not parseable, yet it has a scheme: whatever sits before an @ may be credentials.
    const at = text.lastIndexOf('@');
    const scheme = text.indexOf('://');
    return at > scheme ? `${text.slice(0, scheme + 3)}${REDACTED}${text.slice(at)}` : text;
  }
  if (url.username) url.username = REDACTED;
  if (url.password) url.password = REDACTED;
  for (const key of [...url.searchParams.keys()]) {
    if (SECRET_PARAM.test(key)) url.searchParams.set(key, REDACTED);
  }
  return url.toString();
}
