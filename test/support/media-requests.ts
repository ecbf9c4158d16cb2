// Multipart uploads and file downloads over real HTTP as a member's browser makes them: Node's
// fetch with the member's cookies (their LtiHttpClient's jar), bytes kept as bytes.
import type { Member } from './cohort-members.ts';

export interface FileToSend {
  name: string;
  data: Buffer;
  /** What the browser claims; the server must not believe it. */
  type?: string;
}

async function cookieOf(m: Member, url: string): Promise<string> {
  return (await m.browser.jar.getCookies(url)).map((c) => c.cookieString()).join('; ');
}

/** Posts a multipart form (`_csrf` first, as our forms have it, unless `csrf` is null). */
export async function postMultipart(m: Member, url: string, fields: Record<string, string | string[]>, files: FileToSend[], csrf: string | null) {
  const form = new FormData();
  if (csrf !== null) form.append('_csrf', csrf);
  for (const [k, v] of Object.entries(fields)) for (const one of Array.isArray(v) ? v : [v]) form.append(k, one);
  for (const f of files) form.append('files', new Blob([new Uint8Array(f.data)], { type: f.type ?? 'application/octet-stream' }), f.name);
  const res = await fetch(url, { method: 'POST', body: form, redirect: 'manual', headers: { cookie: await cookieOf(m, url), origin: new URL(url).origin, accept: 'text/html' } });
  return { status: res.status, location: res.headers.get('location'), body: await res.text(), headers: res.headers };
}

/** GETs a file with the member's cookies (and any headers, e.g. Range), bytes as bytes. */
export async function download(m: Member | undefined, url: string, headers: Record<string, string> = {}) {
  const res = await fetch(url, { redirect: 'manual', headers: { ...(m ? { cookie: await cookieOf(m, url) } : {}), ...headers } });
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}
