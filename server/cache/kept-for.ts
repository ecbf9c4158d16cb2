// What is made from values kept unchanged (kept figures, a cohort's kept people, a frozen view, a
// reader's I18n) is kept with them: made once per combination and gone with the first of them (the
// first key is an object, held weakly; the rest are objects or plain values: a locale's I18n, a
// block's name, which modules are open). A key object must never change once made: a change makes
// a new object, and so a new value.
type Key = object | string | number | boolean;

interface Node {
  byObject?: WeakMap<object, Node>;
  byValue?: Map<string | number | boolean, Node>;
  made?: { value: unknown };
}

export class KeptFor<K extends readonly [object, ...Key[]], V> {
  readonly #byFirst = new WeakMap<object, Node>();

  /** The value kept for `keys`, made by `make` the first time. */
  get(keys: K, make: () => V): V {
    let node = this.#byFirst.get(keys[0]);
    if (!node) this.#byFirst.set(keys[0], (node = {}));
    for (let i = 1; i < keys.length; i++) {
      const key = keys[i]!;
      let next: Node | undefined;
      if (typeof key === 'object') {
        node.byObject ??= new WeakMap();
        next = node.byObject.get(key);
        if (!next) node.byObject.set(key, (next = {}));
      } else {
        node.byValue ??= new Map();
        next = node.byValue.get(key);
        if (!next) node.byValue.set(key, (next = {}));
      }
      node = next;
    }
    node.made ??= { value: make() };
    return node.made.value as V;
  }
}
