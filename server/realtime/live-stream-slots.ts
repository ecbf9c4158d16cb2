// Caps on open live-update streams in this process: a person gets a few (one per open tab), the
// process a bounded total. Each stream holds a socket and a subscription until it ends.
import { AppError } from '../errors.ts';
import { msg } from '../i18n/i18n.ts';

export class LiveStreamSlots {
  readonly #perPerson = new Map<string, number>();
  #total = 0;

  private readonly limits: { perPerson: number; perProcess: number };
  constructor(limits: { perPerson: number; perProcess: number }) {
    this.limits = limits;
  }

  /** Takes a slot for `person` or throws a 429; the returned function gives it back (once). */
  acquire(person: string): () => void {
    const held = this.#perPerson.get(person) ?? 0;
    if (held >= this.limits.perPerson) {
      throw new AppError(429, 'too-many-streams', msg('limits.tooManyStreams'));
    }
    if (this.#total >= this.limits.perProcess) {
      throw new AppError(429, 'server-busy-streams', msg('limits.streamsBusy'));
    }
    this.#perPerson.set(person, held + 1);
    this.#total++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#total--;
      const left = (this.#perPerson.get(person) ?? 1) - 1;
      if (left > 0) this.#perPerson.set(person, left);
      else this.#perPerson.delete(person);
    };
  }

  get open(): number {
    return this.#total;
  }
}
