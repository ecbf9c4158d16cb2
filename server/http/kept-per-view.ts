// What a page makes from figures kept unchanged (a frozen kept view, the kept progress rows) is kept
// with them: made once per such object, key and reader's I18n, and gone with the object.
import type { I18n } from '../i18n/i18n.ts';

export class KeptPerView<V> {
  readonly #byView = new WeakMap<object, Map<string, Map<I18n, V>>>();

  /** The value kept for `view`, `key` and `i18n`, made by `make` the first time. */
  get(view: object, key: string, i18n: I18n, make: () => V): V {
    let byKey = this.#byView.get(view);
    if (!byKey) this.#byView.set(view, (byKey = new Map()));
    let byI18n = byKey.get(key);
    if (!byI18n) byKey.set(key, (byI18n = new Map()));
    let value = byI18n.get(i18n);
    if (value === undefined) byI18n.set(i18n, (value = make()));
    return value;
  }
}
