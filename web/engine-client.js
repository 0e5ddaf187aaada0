// The only door to the workers. EngineClient wraps one module worker (one Pyodide) with
// id-tagged requests, each answered once; EnginePool keeps a few of them busy and is what the
// page uses. The messages, events, ids, transfers and what cancelling does: PROTOCOL.md.

const WORKER_URL = new URL("./worker.js", import.meta.url);
const MAX_WORKERS = 4;

// The URL carries no configuration: a service worker may answer it from its cache.
const moduleWorker = (name) => new Worker(WORKER_URL, { type: "module", name });

export class EngineClient extends EventTarget {
  #worker;
  #nextId = 1;
  #pending = new Map();

  /** `createWorker(name)` returns the Worker; tests pass a fake one. */
  constructor({ name = "imgcompress", createWorker = moduleWorker } = {}) {
    super();
    this.state = "loading"; // loading | ready | failed | terminated
    this.#worker = createWorker(name);
    this.#worker.addEventListener("message", (event) => this.#onMessage(event.data));
    this.#worker.addEventListener("error", (event) => {
      event.preventDefault?.();
      this.#fail(event.message || "the worker could not start");
    });
    this.ready = new Promise((resolve, reject) => {
      this.addEventListener("ready", (e) => resolve(e.detail), { once: true });
      this.addEventListener("failed", (e) => reject(new Error(e.detail.message)), { once: true });
    });
    this.ready.catch(() => {}); // observed through events; avoid unhandled rejections
    this.#worker.postMessage({ type: "start" });
  }

  #fail(message) {
    if (this.state === "failed" || this.state === "terminated") return;
    const wasReady = this.state === "ready";
    this.state = "failed";
    // Fail the running request with this message first: the pool's listener terminates us.
    this.#rejectAll(message);
    this.dispatchEvent(new CustomEvent("failed", { detail: { message, wasReady } }));
  }

  #onMessage(msg) {
    if (msg.type === "net") {
      this.dispatchEvent(new CustomEvent("net", { detail: msg.event }));
      return;
    }
    if (msg.type === "stage") {
      this.dispatchEvent(new CustomEvent("stage", { detail: msg }));
      return;
    }
    if (msg.type === "ready") {
      this.state = "ready";
      this.dispatchEvent(new CustomEvent("ready", { detail: msg }));
      return;
    }
    if (msg.type === "failed") {
      this.#fail(msg.message);
      return;
    }
    const pending = this.#pending.get(msg.id);
    if (!pending) return;
    this.#pending.delete(msg.id);
    if (msg.type === "result") pending.resolve(msg);
    else pending.reject(Object.assign(new Error(msg.message), { code: msg.code, field: msg.field }));
  }

  request(type, payload, transfer = []) {
    const id = this.#nextId++;
    const promise = new Promise((resolve, reject) => this.#pending.set(id, { resolve, reject }));
    this.#worker.postMessage({ id, type, ...payload }, transfer);
    return { id, promise };
  }

  #rejectAll(message) {
    for (const { reject } of this.#pending.values()) {
      reject(Object.assign(new Error(message), { code: "worker_failed" }));
    }
    this.#pending.clear();
  }

  terminate() {
    this.#worker.terminate();
    this.state = "terminated";
    for (const { reject } of this.#pending.values()) {
      reject(Object.assign(new Error("cancelled"), { code: "cancelled" }));
    }
    this.#pending.clear();
  }
}

/** How many workers by default: one per core, at most MAX_WORKERS, fewer on small devices
 * because each worker holds its own Python runtime (~100 MB plus the image being worked on). */
export function defaultPoolSize(nav = globalThis.navigator) {
  const cores = nav?.hardwareConcurrency || 2;
  let size = Math.min(cores, MAX_WORKERS);
  if (nav?.deviceMemory && nav.deviceMemory <= 4) size = Math.min(size, 2);
  return Math.max(1, size);
}

export function clampPoolSize(n) {
  return Math.max(1, Math.min(MAX_WORKERS * 2, Math.round(n)));
}

let jobSeq = 1;

export class EnginePool extends EventTarget {
  #size;
  #workers = []; // { client, job }
  #queue = [];
  #everReady = false;
  #closed = false; // after terminate(): no worker starts again
  #createWorker;

  /** `startAfter`: a promise the first worker waits for (the page waits for its privacy guard);
   * jobs submitted meanwhile queue as usual. `createWorker(name)`: see EngineClient. */
  constructor(size = defaultPoolSize(), { startAfter = null, createWorker = moduleWorker } = {}) {
    super();
    this.#size = clampPoolSize(size);
    this.#createWorker = createWorker;
    // The first worker starts alone so the page gets a ready engine as soon as possible; the
    // rest start once it is ready (and the runtime files are in the browser's cache).
    if (startAfter) Promise.resolve(startAfter).finally(() => this.#spawn());
    else this.#spawn();
  }

  get size() {
    return this.#size;
  }

  get readyCount() {
    return this.#workers.filter((w) => w.client.state === "ready").length;
  }

  get busyCount() {
    return this.#workers.filter((w) => w.job).length;
  }

  get pendingCount() {
    return this.#queue.length + this.busyCount;
  }

  resize(size) {
    this.#size = clampPoolSize(size);
    this.#fill();
    // Retire idle surplus workers now; busy ones retire when their job ends (see #release).
    while (this.#workers.length > this.#size) {
      const idle = this.#workers.find((w) => !w.job);
      if (!idle) break;
      this.#remove(idle);
    }
    this.#changed();
  }

  #spawn() {
    if (this.#closed) return;
    const name = `imgcompress-${this.#workers.length + 1}`;
    const slot = { client: new EngineClient({ name, createWorker: this.#createWorker }), job: null };
    this.#workers.push(slot);
    const first = !this.#everReady;
    slot.client.addEventListener("net", (e) => this.dispatchEvent(new CustomEvent("net", { detail: e.detail })));
    slot.client.addEventListener("stage", (e) => {
      if (first) this.dispatchEvent(new CustomEvent("stage", { detail: e.detail }));
    });
    slot.client.addEventListener("ready", (e) => {
      if (!this.#everReady) {
        this.#everReady = true;
        this.dispatchEvent(new CustomEvent("ready", { detail: e.detail }));
      }
      this.#fill();
      this.#changed();
      this.#dispatch();
    });
    slot.client.addEventListener("failed", (e) => {
      if (!this.#everReady) {
        this.dispatchEvent(new CustomEvent("failed", { detail: e.detail }));
      }
      this.#remove(slot);
      if (e.detail.wasReady) {
        // A worker that crashed after starting is replaced at once; its job has already been
        // failed with the crash message.
        this.#spawnReplacement();
      } else if (this.#everReady && this.#workers.length === 0) {
        // A replacement could not start and nothing is left to run the queue: fail what
        // waits. One that never started is not retried, so a broken runtime cannot loop.
        for (const job of this.#queue.splice(0)) {
          job.cancelled = true;
          job.reject(Object.assign(new Error(e.detail.message), { code: "worker_failed" }));
        }
        this.dispatchEvent(new CustomEvent("failed", { detail: e.detail }));
      }
      this.#changed();
    });
    this.#changed();
  }

  #fill() {
    if (!this.#everReady) return;
    while (this.#workers.length < this.#size) this.#spawn();
  }

  #remove(slot) {
    const index = this.#workers.indexOf(slot);
    if (index >= 0) this.#workers.splice(index, 1);
    slot.client.terminate();
  }

  #changed() {
    this.dispatchEvent(
      new CustomEvent("change", {
        detail: { size: this.#size, ready: this.readyCount, busy: this.busyCount, queued: this.#queue.length },
      }),
    );
  }

  /**
   * Queue a job. `prepare` is called when a worker is free and returns { payload, transfer }
   * (so a batch of 200 files is read one at a time, not all at once).
   * Returns { id, promise, cancel(), cancelled }.
   */
  submit(type, prepare, { priority = false } = {}) {
    const job = { id: jobSeq++, type, prepare, slot: null, cancelled: false };
    job.promise = new Promise((resolve, reject) => {
      job.resolve = resolve;
      job.reject = reject;
    });
    job.cancel = ({ terminate = true } = {}) => this.#cancel(job, terminate);
    if (priority) this.#queue.unshift(job);
    else this.#queue.push(job);
    this.#changed();
    queueMicrotask(() => this.#dispatch());
    return job;
  }

  #cancel(job, terminate) {
    if (job.cancelled) return;
    job.cancelled = true;
    const queued = this.#queue.indexOf(job);
    if (queued >= 0) this.#queue.splice(queued, 1);
    job.reject(Object.assign(new Error("cancelled"), { code: "cancelled" }));
    if (job.slot && terminate) {
      // Python cannot be interrupted: stop this worker and start a fresh one (PROTOCOL.md).
      const slot = job.slot;
      job.slot = null;
      this.#remove(slot);
      this.#spawnReplacement();
    }
    this.#changed();
  }

  #spawnReplacement() {
    if (this.#workers.length < this.#size) this.#spawn();
  }

  cancelAll() {
    for (const job of [...this.#queue]) job.cancel();
    for (const slot of [...this.#workers]) if (slot.job) slot.job.cancel();
  }

  #dispatch() {
    for (const slot of this.#workers) {
      if (this.#queue.length === 0) break;
      if (slot.job || slot.client.state !== "ready") continue;
      const job = this.#queue.shift();
      this.#run(slot, job);
    }
    this.#changed();
  }

  async #run(slot, job) {
    slot.job = job;
    job.slot = slot;
    this.dispatchEvent(new CustomEvent("start", { detail: { id: job.id } }));
    try {
      const { payload, transfer } = await job.prepare();
      if (job.cancelled) return;
      const answer = await slot.client.request(job.type, payload, transfer).promise;
      if (!job.cancelled) job.resolve(answer);
    } catch (err) {
      if (!job.cancelled) job.reject(err);
    } finally {
      this.#release(slot, job);
    }
  }

  #release(slot, job) {
    if (slot.job === job) slot.job = null;
    if (job.slot === slot) job.slot = null;
    if (!this.#workers.includes(slot)) {
      this.#spawnReplacement();
    } else if (this.#workers.length > this.#size) {
      this.#remove(slot);
    } else if (slot.client.state === "failed") {
      this.#remove(slot);
      this.#spawnReplacement();
    }
    this.#dispatch();
  }

  terminate() {
    this.#closed = true;
    for (const job of [...this.#queue]) job.cancel({ terminate: false });
    for (const slot of [...this.#workers]) {
      slot.job?.cancel({ terminate: false });
      this.#remove(slot);
    }
  }
}
