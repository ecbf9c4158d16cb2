import type { ZodError } from 'zod';
import { i18nFor, isCatalogKey, isMessageRef, msg, type MessageRef } from './i18n/i18n.ts';

/**
 * What a person is told: a catalog message (translated where it is shown, in the reader's language),
 * or a string that needs none (their own words). English literals are being moved to the catalogs.
 */
export type UserText = string | MessageRef;

/** A UserText as English, for logs and an error's own message. */
export function englishOf(text: UserText): string {
  return typeof text === 'string' ? text : i18nFor('en').text(text);
}

// Typed errors services throw. The error handler picks the status and the page; users see `message`
// (written for them), never an internal error's text or a stack.
export class AppError extends Error {
  readonly status: number;
  readonly code: string;
  /** What the person reading the error page is told: plain words, what to do next. */
  readonly userMessage: UserText;
  readonly details: Record<string, UserText>;
  constructor(status: number, code: string, userMessage: UserText, details: Record<string, UserText> = {}) {
    super(`${code}: ${englishOf(userMessage)}`);
    this.status = status;
    this.code = code;
    this.userMessage = userMessage;
    this.details = details;
  }
}

export class NotFoundError extends AppError {
  /** `what` names the thing for the log; the person reads one message in their language (or `userMessage`). */
  constructor(what: string, userMessage: UserText = msg('errors.notFound')) {
    super(404, 'not-found', userMessage);
    this.message = `not-found: ${what}`;
  }
}

export class ForbiddenError extends AppError {
  constructor(action: string, userMessage: UserText = 'You do not have permission to do that here.') {
    super(403, `forbidden:${action}`, userMessage);
  }
}

/** A launch whose login is already used up, too old, or never started here (a replay). */
export class LaunchReplayedError extends AppError {
  constructor() {
    super(401, 'launch-replayed', msg('lti.launch.replayed'));
  }
}

export class ValidationError extends AppError {
  readonly fieldErrors: Record<string, UserText>;
  constructor(userMessage: UserText, fieldErrors: Record<string, UserText> = {}) {
    super(400, 'invalid-input', userMessage, fieldErrors);
    this.fieldErrors = fieldErrors;
  }

  /**
   * One message per field, from a zod error: what the form shows beside each input. A form that
   * shows them there and in its error summary (`shownBesideFields`) gets the intro alone as the
   * message, not the field names in brackets.
   */
  static fromZod(error: ZodError, intro: UserText = msg('errors.fieldsNeedAttention'), shownBesideFields = false): ValidationError {
    const fields: Record<string, UserText> = {};
    // A schema's message may be a catalog key (translated where shown, with the issue's bounds).
    for (const issue of error.issues) {
      const bounds = issue as { minimum?: unknown; maximum?: unknown };
      fields[issue.path.join('.') || 'form'] ??= isCatalogKey(issue.message)
        ? msg(issue.message, { minimum: Number(bounds.minimum ?? 0), maximum: Number(bounds.maximum ?? 0) })
        : issue.message;
    }
    if (shownBesideFields) return new ValidationError(isMessageRef(intro) ? intro : `${intro}.`, fields);
    // The fields named (as the form and the CLI call them), in a sentence of the reader's language.
    if (isMessageRef(intro)) return new ValidationError(intro.key === 'errors.fieldsNeedAttention' ? msg('errors.fieldsNeedAttentionIn', { fields: Object.keys(fields).join(', ') }) : intro, fields);
    const list = Object.entries(fields).map(([k, v]) => `${k}: ${englishOf(v)}`).join('; ');
    return new ValidationError(`${intro} (${list}).`, fields);
  }
}

export class ConflictError extends AppError {
  constructor(userMessage: UserText) {
    super(409, 'conflict', userMessage);
  }
}
