// The only door to the workers. EngineClient wraps one module worker (one Pyodide) with
// id-tagged requests, each answered once; EnginePool keeps a few of them busy and is what the
// page uses. The messages, events, ids, transfers and what cancelling does: PROTOCOL.md.

const WORKER_URL = new URL("./worker.js", import.meta.url);
const PROBE_URL = new URL("./cpu-probe.js", import.meta.url);
const MAX_WORKERS = 4;
// What one worker may take at its peak: its own Python runtime (~100 MB) plus a 9-MP photo
// decoded, resized and encoded as several candidates.
const WORKER_BUDGET_GB = 0.5;
// The pool leaves most of the device's memory to the rest of the system.
const MEMORY_SHARE = 0.25;
// Cores assumed where nothing better is known (no hardwareConcurrency, or the probe failed).
const FALLBACK_CORES = 2;
// How long the core probe's timed loop runs alone, and how many times the probe is run: other
// programs come and go, and one run of a few scheduler slices can be off by a core or two.
const PROBE_MS = 30;
const PROBE_RUNS = 3;
// Rounding of the estimate leans low: counting a core too many oversubscribes the CPU and
// starves the first file (seen in WebKit on a loaded 2-core machine: 2.6 read as 3), counting
// one too few costs one worker. 3.85 still reads 4, 2.7 reads 2.
const CORE_SLACK = 0.2;

// The URL carries no configuration: a service worker may answer it from its cache.
const moduleWorker = (name) => new Worker(WORKER_URL, { type: "module", name });
const probeWorker = (name) => new Worker(PROBE_URL, { name });

export class EngineClient extends EventTarget {
  #worker;
  #nextId = 1;
  #pending = new Map();

  /** `createWorker(name)` returns the Worker; tests pass a fake one. */
  constructor({ name = "imgcompress", createWorker = moduleWorker } = {}) {
    super();
    this.name = name;
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

/** The most workers this device can hold: the cores the browser claims (at most MAX_WORKERS) and,
 * where it tells (`navigator.deviceMemory`, in GB, Chromium only), what its memory allows. */
export function poolCeiling(nav = globalThis.navigator) {
  const claimed = nav?.hardwareConcurrency || FALLBACK_CORES;
  let size = Math.min(claimed, MAX_WORKERS);
  if (nav?.deviceMemory) {
    size = Math.min(size, Math.floor((nav.deviceMemory * MEMORY_SHARE) / WORKER_BUDGET_GB));
  }
  return Math.max(1, size);
}

/** The cores that ran at once: `probes` probes each did the work one did alone in `soloMs`, and
 * the slowest took `slowestMs`. Between 1 and `probes`. */
export function coresFrom(probes, soloMs, slowestMs) {
  if (!(soloMs > 0) || !(slowestMs > 0)) return 1;
  const estimate = Math.floor((probes * soloMs) / slowestMs + CORE_SLACK);
  return Math.max(1, Math.min(probes, estimate));
}

function ask(probe, message) {
  return new Promise((resolve, reject) => {
    probe.addEventListener("message", (e) => resolve(e.data), { once: true });
    probe.addEventListener("error", (e) => {
      e.preventDefault?.();
      reject(new Error(e.message || "the core probe could not start"));
    }, { once: true });
    probe.postMessage(message);
  });
}

/**
 * How many of `claimed` cores really run at once, measured: one probe worker times a loop
 * alone, then `claimed` probes run it together; the median of PROBE_RUNS such runs. WebKit
 * reports 4 cores on any machine with fewer than 8, and a pool that believes it starves its
 * first file; the probe also counts what other programs leave free. Takes about
 * PROBE_RUNS × PROBE_MS × (1 + claimed / cores) plus start-up: 0.3 s for 4 claimed, 2 real.
 */
export async function measureCores(claimed, { createProbe = probeWorker } = {}) {
  if (claimed <= 1) return 1;
  const probes = [];
  try {
    for (let i = 0; i < claimed; i++) probes.push(createProbe(`imgcompress-probe-${i + 1}`));
    await Promise.all(probes.map((probe) => ask(probe, { type: "hello" })));
    const estimates = [];
    for (let run = 0; run < PROBE_RUNS; run++) {
      const solo = await ask(probes[0], { ms: PROBE_MS });
      const together = await Promise.all(probes.map((probe) => ask(probe, { rounds: solo.rounds })));
      // The same rounds alone once more: a solo run slowed by another program counts too few
      // rounds and makes the probes look parallel (seen in WebKit under load: 4 read on 2
      // cores). The faster of the two solo times leans low, as the rounding does.
      const again = await ask(probes[0], { rounds: solo.rounds, alone: true });
      const soloMs = Math.min(solo.ms, again.ms);
      estimates.push(coresFrom(claimed, soloMs, Math.max(...together.map((r) => r.ms))));
    }
    const cores = estimates.sort((a, b) => a - b)[Math.floor(PROBE_RUNS / 2)];
    console.info(`[imgcompress] cores run at once: ${cores} of ${claimed} claimed (runs: ${estimates})`);
    return cores;
  } catch (err) {
    console.warn(`cores not measured (${err.message}); assuming ${FALLBACK_CORES}`);
    return Math.min(claimed, FALLBACK_CORES);
  } finally {
    for (const probe of probes) probe.terminate();
  }
}

// A device's cores rarely change between visits: a measurement is kept for a day (for the same
// claimed count), so a second visit starts its first worker at once instead of after the probe
// (0.1-0.3 s, README "Start-up"). A day, so that a figure taken under another program's load
// does not last.
const CORES_KEY = "imgcompress:cores";
// Whether a service worker controlled the page when this module loaded: false on a first visit.
const CONTROLLED_AT_LOAD = Boolean(globalThis.navigator?.serviceWorker?.controller);
const CORES_KEPT_MS = 24 * 60 * 60 * 1000;

/**
 * measureCores, remembered in `storage` (localStorage) for CORES_KEPT_MS per claimed count.
 * `keep`: whether this measurement may be remembered. Not on a first visit (no service worker
 * controlled the page when it loaded): the browser is still busy with the new site then, and
 * the probe reads too few cores more often (seen: 1 of 2 on 1 of 4 first visits to a quiet
 * 2-core machine, even after the precache), which would hold every visit of the day to one
 * worker.
 */
export async function rememberedCores(
  claimed,
  {
    measure = measureCores,
    storage,
    now = Date.now(),
    keep = CONTROLLED_AT_LOAD,
  } = {},
) {
  let store = null;
  try {
    store = storage ?? globalThis.localStorage; // reading it throws where storage is refused
    const kept = JSON.parse(store?.getItem(CORES_KEY) ?? "null");
    if (kept?.claimed === claimed && now - kept.at >= 0 && now - kept.at < CORES_KEPT_MS) {
      return kept.cores;
    }
  } catch {
    // storage unavailable or unreadable: measure
  }
  const cores = await measure(claimed);
  if (!keep) return cores;
  try {
    store?.setItem(CORES_KEY, JSON.stringify({ claimed, cores, at: now }));
  } catch {
    // storage full or refused: the next visit measures again
  }
  return cores;
}

export function clampPoolSize(n) {
  return Math.max(1, Math.min(MAX_WORKERS * 2, Math.round(n)));
}

let jobSeq = 1;

export class EnginePool extends EventTarget {
  #size;
  #auto = false; // the size follows the device (see #sizeForDevice)
  #cores = null; // measured by measureCores, once
  #sizing = null; // the promise of that measurement
  #workers = []; // { client, job }
  #queue = [];
  #everReady = false;
  #closed = false; // after terminate(): no worker starts again
  #createWorker;
  #nav;
  #measureCores;
  #warmUp;
  #warmCount = 0;

  /** `size`: a number of workers, or "auto" for what the device holds: its measured cores and
   * its memory (poolCeiling, measureCores). `startAfter`: a promise the first worker waits for
   * (the page waits for its privacy guard); jobs submitted meanwhile queue as usual.
   * `warmUp`: each worker, once ready and idle, runs the worker's short warm-up (PROTOCOL.md,
   * `warmup`), so that its first photo is as fast as its next ones.
   * `createWorker(name)`: see EngineClient. `navigator` and `measureCores`: for tests. */
  constructor(
    size = "auto",
    {
      startAfter = null,
      createWorker = moduleWorker,
      navigator = globalThis.navigator,
      measureCores: measure = rememberedCores,
      warmUp = false,
    } = {},
  ) {
    super();
    this.#warmUp = warmUp;
    this.#createWorker = createWorker;
    this.#nav = navigator;
    this.#measureCores = measure;
    this.#setSize(size);
    // The first worker starts alone so the page gets a ready engine as soon as possible; the
    // others start one at a time once it is ready (see #fill). The core probe runs before it,
    // so that nothing else competes with the probe's timed loop, and after `startAfter`: on a
    // first visit that is the service worker's precache, which hashes the whole site and made
    // the probe read 1 core of 2 on 3 of 4 first visits to a quiet 2-core machine.
    const before = this.#auto
      ? Promise.allSettled([startAfter]).then(() => this.#sizeForDevice())
      : startAfter;
    if (before) Promise.allSettled([before]).then(() => this.#spawn());
    else this.#spawn();
  }

  get size() {
    return this.#size;
  }

  /** The cores measured to run at once, or null where the pool has not measured them. */
  get cores() {
    return this.#cores;
  }

  get readyCount() {
    return this.#workers.filter((w) => w.client.state === "ready").length;
  }

  get busyCount() {
    return this.#workers.filter((w) => w.job).length;
  }

  /** How many workers have finished their warm-up (a pre-empted one does not count). */
  get warmCount() {
    return this.#warmCount;
  }

  get pendingCount() {
    return this.#queue.length + this.busyCount;
  }

  #setSize(size) {
    this.#auto = size === "auto";
    if (!this.#auto) this.#size = clampPoolSize(size);
    else if (this.#cores !== null) this.#size = Math.min(poolCeiling(this.#nav), this.#cores);
    // Until the cores are measured the size is the ceiling, so that no one counts the pool
    // complete too early; no worker beyond the first starts before then.
    else this.#size = poolCeiling(this.#nav);
  }

  /** Measures the cores once; the size follows if it is still "auto". */
  #sizeForDevice() {
    this.#sizing ??= this.#measureCores(poolCeiling(this.#nav))
      .catch(() => FALLBACK_CORES)
      .then((cores) => {
        this.#cores = cores;
        if (this.#auto) this.resize("auto");
      });
    return this.#sizing;
  }

  /** A number of workers, or "auto" (see the constructor). */
  resize(size) {
    this.#setSize(size);
    if (this.#auto && this.#cores === null) this.#sizeForDevice();
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
    // `warm`: null (not yet), "warming", or "done" (finished, pre-empted, failed: never again).
    const slot = {
      client: new EngineClient({ name, createWorker: this.#createWorker }),
      job: null,
      warm: null,
    };
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

  /** Starts one more worker if the pool is short of its size and none is loading: a loading
   * worker takes a whole core, and several at once would starve the ones at work (WebKit's
   * first 9-MP photo took 30 s instead of 12 behind three loading workers). Each worker that
   * becomes ready calls this again. */
  #fill() {
    if (!this.#everReady || this.#closed) return;
    if (this.#auto && this.#cores === null) return;
    if (this.#workers.some((w) => w.client.state === "loading")) return;
    if (this.#workers.length < this.#size) this.#spawn();
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
    this.#fill();
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
    // A warming worker counts as idle above: the job is posted at once and the worker runs it
    // between two warm-up steps. Only a worker with nothing queued starts warming.
    if (this.#warmUp && this.#queue.length === 0) {
      for (const slot of this.#workers) {
        if (!slot.job && slot.warm === null && slot.client.state === "ready") this.#warm(slot);
      }
    }
    this.#changed();
  }

  /** Runs one worker's warm-up. It is never a job: no `start`, not in busyCount or the queue, so
   * the page never shows it as a file; a failure is logged and the worker goes on. */
  async #warm(slot) {
    slot.warm = "warming";
    try {
      const answer = await slot.client.request("warmup", {}).promise;
      if (answer.complete) this.#warmCount++;
      const { steps, done, complete, ms, worker } = answer;
      this.dispatchEvent(new CustomEvent("warm", { detail: { steps, done, complete, ms, worker } }));
    } catch (err) {
      if (err.code === "cancelled") return; // the worker was retired or the pool closed
      console.warn(`[imgcompress] warm-up of ${slot.client.name} failed: ${err.message}`);
      // A warm-up that crashed its worker would crash every replacement too: stop warming.
      if (err.code === "worker_failed") this.#warmUp = false;
    } finally {
      slot.warm = "done";
    }
  }

  async #run(slot, job) {
    slot.job = job;
    job.slot = slot;
    // A real photo warms a worker up better than the ladder: it never warms up after one.
    if (slot.warm === null) slot.warm = "done";
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
