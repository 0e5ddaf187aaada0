// A stand-in for a module worker running worker.js, driven by the test: it records what the
// client posts and answers only when told to, so every step of the pool can be checked.

export class FakeWorker extends EventTarget {
  constructor(name) {
    super();
    this.name = name;
    this.posted = []; // [{ message, transfer }]
    this.terminated = false;
  }

  postMessage(message, transfer = []) {
    if (this.terminated) throw new Error(`${this.name} was terminated`);
    this.posted.push({ message, transfer });
  }

  terminate() {
    this.terminated = true;
  }

  /** Deliver a message from "worker.js" to the client. */
  emit(data) {
    if (this.terminated) return; // a terminated worker says nothing more
    this.dispatchEvent(Object.assign(new Event("message"), { data }));
  }

  ready(extra = {}) {
    this.emit({ type: "ready", versions: { python: "3.14.0", pillow: "12.2.0" }, ms: 5, ...extra });
  }

  /** The requests (messages with an id) this worker received. */
  get requests() {
    return this.posted.map((p) => p.message).filter((m) => m.id !== undefined);
  }
}

/** A createWorker for EnginePool that keeps every worker it made, in order. */
export function workerFactory() {
  const made = [];
  const create = (name) => {
    const worker = new FakeWorker(name);
    made.push(worker);
    return worker;
  };
  return { made, create, live: () => made.filter((w) => !w.terminated) };
}

/** Let queued microtasks and promise callbacks run (the pool dispatches on a microtask). */
export function settle() {
  return new Promise((resolve) => setImmediate(resolve));
}

/** A stand-in for cpu-probe.js that answers at once with the times it is given: `soloMs` for
 * the solo run (1000 rounds) and `togetherMs` when asked for rounds (a list: one per run, in
 * order); `failing` fires `error`. */
export class FakeProbe extends EventTarget {
  constructor(name, { soloMs, togetherMs, againMs = soloMs, failing }) {
    super();
    Object.assign(this, { name, soloMs, togetherMs, againMs, failing });
    this.asked = [];
    this.runs = 0;
    this.terminated = false;
  }

  #togetherMs() {
    return Array.isArray(this.togetherMs) ? this.togetherMs[this.runs++] : this.togetherMs;
  }

  postMessage(message) {
    this.asked.push(message);
    queueMicrotask(() => {
      if (this.terminated) return;
      if (this.failing) {
        this.dispatchEvent(Object.assign(new Event("error"), { message: "no such script" }));
        return;
      }
      const data = message.type === "hello" ? {}
        : message.ms ? { rounds: 1000, ms: this.soloMs }
        : message.alone ? { rounds: message.rounds, ms: this.againMs }
        : { rounds: message.rounds, ms: this.#togetherMs() };
      this.dispatchEvent(Object.assign(new Event("message"), { data }));
    });
  }

  terminate() {
    this.terminated = true;
  }
}
