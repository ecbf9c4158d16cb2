import type { ZodError } from 'zod';

// Typed errors services throw. The error handler picks the status and the page; users see `message`
// (written for them), never an internal error's text or a stack.
export class AppError extends Error {
  readonly status: number;
  readonly code: string;
  /** What the person reading the error page is told: plain words, what to do next. */
  readonly userMessage: string;
  readonly details: Record<string, string>;
  constructor(status: number, code: string, userMessage: string, details: Record<string, string> = {}) {
    super(`${code}: ${userMessage}`);
    this.status = status;
    this.code = code;
    this.userMessage = userMessage;
    this.details = details;
  }
}

export class NotFoundError extends AppError {
  constructor(what: string) {
    super(404, 'not-found', `We could not find that ${what}.`);
  }
}

export class ForbiddenError extends AppError {
  constructor(action: string, userMessage = 'You do not have permission to do that here.') {
    super(403, `forbidden:${action}`, userMessage);
  }
}

export class ValidationError extends AppError {
  readonly fieldErrors: Record<string, string>;
  constructor(userMessage: string, fieldErrors: Record<string, string> = {}) {
    super(400, 'invalid-input', userMessage, fieldErrors);
    this.fieldErrors = fieldErrors;
  }

  /**
   * One message per field, from a zod error: what the form shows beside each input. A form that
   * shows them there and in its error summary (`shownBesideFields`) gets the intro alone as the
   * message, not the field names in brackets.
   */
  static fromZod(error: ZodError, intro = 'Some fields need attention', shownBesideFields = false): ValidationError {
    const fields: Record<string, string> = {};
    for (const issue of error.issues) fields[issue.path.join('.') || 'form'] ??= issue.message;
    if (shownBesideFields) return new ValidationError(`${intro}.`, fields);
    const list = Object.entries(fields).map(([k, v]) => `${k}: ${v}`).join('; ');
    return new ValidationError(`${intro} (${list}).`, fields);
  }
}

export class ConflictError extends AppError {
  constructor(userMessage: string) {
    super(409, 'conflict', userMessage);
  }
}
