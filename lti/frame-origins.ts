// Where an LMS frames the tool from when nobody has said otherwise.
import type { Platform } from '../models/schema.ts';

/** Hosted Canvas frames tools from each institution's own *.instructure.com site, not from the issuer. */
export function defaultFrameOrigins(issuer: string, product: Platform['product']): string[] {
  const origins = [new URL(issuer).origin];
  if (product === 'canvas' && /^https:\/\/canvas(\.beta|\.test)?\.instructure\.com$/.test(issuer)) {
    origins.push('https://*.instructure.com');
  }
  return origins;
}
