import type { Request } from 'express';

/**
 * Whether a POST was sent by a page of ours. Browsers say so in Sec-Fetch-Site; Origin alone does not
 * do, since our Referrer-Policy (no-referrer) makes Chromium send `Origin: null` for our own forms.
 */
export function isSameOriginPost(req: Request, publicOrigin: string): boolean {
  const site = req.get('sec-fetch-site');
  if (site !== undefined) return site === 'same-origin';
  return req.get('origin') === publicOrigin;
}
