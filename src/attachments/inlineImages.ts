// HTML mails reference embedded images as `cid:<content-id>`; Enneo attachments carry no
// content id, so a reference matches an attachment by name (`cid:logo.png` or
// `cid:logo.png@01D9…`). Matched images are inline and their references are rewritten to the
// URL where ticketmind serves the file.

const CID = /cid:([^"'\s>)]+)/gi;

export function cidRefs(html: string): string[] {
  return [...html.matchAll(CID)].map((m) => m[1]!);
}

export function refsForName(refs: string[], name: string): string[] {
  const lower = name.toLowerCase();
  return refs.filter((r) => {
    const ref = safeDecode(r).toLowerCase();
    return ref === lower || ref.startsWith(`${lower}@`);
  });
}

export function rewriteCids(html: string, urlByRef: Map<string, string>): string {
  return html.replace(CID, (all, ref: string) => urlByRef.get(ref) ?? all);
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
