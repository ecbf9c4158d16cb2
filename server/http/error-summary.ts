// The error summary at the top of a page after a failed submit (the GOV.UK pattern): one link per
// field in error, to the field itself. A view passes it as `errorSummary`; the layout shows it and
// public/forms.js moves focus to it.
import type { UserText } from '../errors.ts';

export interface ErrorSummaryItem {
  /** The id of the element the link leads to (the field, or the form for an error of the whole form). */
  field: string;
  /** Shown with {{translated message}}: translated in the reader's language. */
  message: UserText;
}

/**
 * The summary's items from a ValidationError: one per field in error, in their order; `idOf` names
 * the element of each key ("text" → "set-your-intention-text"), and a key it does not know, or an
 * error of the whole form (no fields), leads to `formId`.
 */
export function errorSummary(error: { userMessage: UserText; fieldErrors: Record<string, UserText> } | undefined, idOf: (key: string) => string | undefined, formId: string): ErrorSummaryItem[] {
  if (!error) return [];
  const fields = Object.entries(error.fieldErrors);
  if (fields.length === 0) return [{ field: formId, message: error.userMessage }];
  return fields.map(([key, message]) => ({ field: idOf(key) ?? formId, message }));
}
