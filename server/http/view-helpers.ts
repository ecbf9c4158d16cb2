// Formatting helpers for templates: presentation only, no rules.
export const helpers = {
  eq: (a: unknown, b: unknown) => a === b,
  plural: (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`,
  concat: (...parts: unknown[]) => parts.slice(0, -1).join(''),
};
