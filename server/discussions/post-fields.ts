// The thread page has one form for the actions of all its posts (#post-actions): a post's fields
// there are named `<field>-<postId>`, so that each post's reason stays its own. A form of its own
// (the flag page, a confirmation) names them plainly; the routes read either.

/** The request body with this post's `<field>-<postId>` fields under their plain names. */
export function fieldsOfPost(body: unknown, postId: string): Record<string, unknown> {
  const fields: Record<string, unknown> = { ...(body as Record<string, unknown> | undefined) };
  const suffix = `-${postId}`;
  for (const [name, value] of Object.entries(fields)) {
    if (name.endsWith(suffix)) fields[name.slice(0, -suffix.length)] = value;
  }
  return fields;
}
