// EnginePool's state machine (web/engine-client.js) against fake workers: no browser, no Python.
import { test } from "node:test";
import assert from "node:assert/strict";

import { EnginePool, coresFrom, measureCores, poolCeiling, rememberedCores } from "../../web/engine-client.js";
import { FakeProbe, settle, workerFactory } from "./fake-worker.mjs";

/** A pool of `size` fake workers, all of them ready (each starts once the one before is). */
async function readyPool(size) {
  const workers = workerFactory();
  const pool = new EnginePool(size, { createWorker: workers.create });
  for (let i = 0; i < size; i++) workers.made[i].ready();
  await settle();
  assert.equal(pool.readyCount, size);
  return { pool, workers };
}

function job(pool, type = "compress", payload = {}, options) {
  let prepared = 0;
  const j = pool.submit(
    type,
    async () => {
      prepared++;
      return { payload, transfer: [] };
    },
    options,
  );
  j.outcome = j.promise.then(
    (answer) => ({ answer }),
    (error) => ({ error }),
  );
  Object.defineProperty(j, "prepared", { get: () => prepared });
  return j;
}

const answerTo = (worker, request, extra = {}) =>
  worker.emit({ id: request.id, type: "result", data: new ArrayBuffer(1), ...extra });

test("the first worker starts alone; the others one at a time, each once the last is ready", async () => {
  const workers = workerFactory();
  const pool = new EnginePool(3, { createWorker: workers.create });
  assert.equal(workers.made.length, 1);
  assert.deepEqual(workers.made[0].posted[0].message, { type: "start" });
  workers.made[0].ready();
  await settle();
  assert.equal(workers.made.length, 2, "one more, not all at once");
  workers.made[1].ready();
  await settle();
  assert.equal(workers.made.length, 3);
  workers.made[2].ready();
  await settle();
  assert.equal(workers.made.length, 3);
  assert.ok(workers.made.every((w) => w.posted[0].message.type === "start"));
  assert.equal(pool.size, 3);
  assert.equal(pool.readyCount, 3);
});

test("the first file goes to the first worker while the second is still loading", async () => {
  const workers = workerFactory();
  const pool = new EnginePool(2, { createWorker: workers.create });
  const first = job(pool, "compress", { name: "first.jpg" });
  workers.made[0].ready();
  await settle();
  assert.equal(workers.made[0].requests[0].name, "first.jpg");
  assert.equal(workers.made.length, 2);
  assert.equal(pool.readyCount, 1);
  answerTo(workers.made[0], workers.made[0].requests[0]);
  assert.ok((await first.outcome).answer);
});

test("a replacement waits while another worker is loading", async () => {
  const workers = workerFactory();
  const pool = new EnginePool(3, { createWorker: workers.create });
  workers.made[0].ready();
  await settle();
  const running = job(pool);
  await settle();
  running.cancel();
  await settle();
  assert.equal(workers.made[0].terminated, true);
  assert.equal(workers.made.length, 2, "no second worker loads beside the loading one");
  workers.made[1].ready();
  await settle();
  assert.equal(workers.made.length, 3);
  workers.made[2].ready();
  await settle();
  assert.equal(workers.made.length, 4, "the cancelled worker's replacement comes last");
  assert.equal(workers.live().length, 3);
});

test("the pool's ready event carries the first worker's ready message, formats included", async () => {
  const workers = workerFactory();
  const pool = new EnginePool(1, { createWorker: workers.create });
  const seen = [];
  pool.addEventListener("ready", (e) => seen.push(e.detail));
  const choices = [{ value: "keep", label: "Keep the original format" }];
  workers.made[0].ready({ formats: [], choices, accept: ".x" });
  await settle();
  assert.equal(seen.length, 1);
  assert.deepEqual(seen[0].choices, choices);
  assert.equal(seen[0].accept, ".x");
});

test("a job submitted before ready waits, unprepared, and goes out once a worker is ready", async () => {
  const workers = workerFactory();
  const pool = new EnginePool(1, { createWorker: workers.create });
  const j = job(pool, "compress", { name: "a.jpg" });
  await settle();
  assert.equal(j.prepared, 0);
  assert.equal(workers.made[0].requests.length, 0);
  workers.made[0].ready();
  await settle();
  assert.equal(j.prepared, 1);
  const [request] = workers.made[0].requests;
  assert.equal(request.type, "compress");
  assert.equal(request.name, "a.jpg");
  answerTo(workers.made[0], request);
  assert.ok((await j.outcome).answer);
});

test("a busy worker gets no second job until it answers the first", async () => {
  const { pool, workers } = await readyPool(1);
  const [w] = workers.made;
  const a = job(pool);
  const b = job(pool);
  await settle();
  assert.equal(w.requests.length, 1);
  assert.equal(b.prepared, 0);
  assert.equal(pool.busyCount, 1);
  answerTo(w, w.requests[0]);
  await settle();
  assert.ok((await a.outcome).answer);
  assert.equal(w.requests.length, 2);
  assert.equal(b.prepared, 1);
});

test("each idle worker takes one job", async () => {
  const { pool, workers } = await readyPool(2);
  job(pool);
  job(pool);
  job(pool);
  await settle();
  assert.deepEqual(
    workers.made.map((w) => w.requests.length),
    [1, 1],
  );
  assert.equal(pool.pendingCount, 3);
});

test("answers reach the job whose id they carry, whatever their order", async () => {
  const { pool, workers } = await readyPool(2);
  const a = job(pool, "compress", { name: "a" });
  const b = job(pool, "compress", { name: "b" });
  await settle();
  const [wa, wb] = workers.made;
  assert.equal(wa.requests[0].name, "a");
  assert.equal(wb.requests[0].name, "b");
  answerTo(wb, wb.requests[0], { name: "B.webp" });
  assert.equal((await b.outcome).answer.name, "B.webp");
  let aSettled = false;
  a.promise.finally(() => (aSettled = true));
  await settle();
  assert.equal(aSettled, false);
  answerTo(wa, wa.requests[0], { name: "A.webp" });
  assert.equal((await a.outcome).answer.name, "A.webp");
});

test("an answer with an id nobody asked for is ignored", async () => {
  const { pool, workers } = await readyPool(1);
  const [w] = workers.made;
  const a = job(pool);
  await settle();
  w.emit({ id: 999, type: "result", data: null });
  answerTo(w, w.requests[0], { name: "right" });
  assert.equal((await a.outcome).answer.name, "right");
});

test("an error answer rejects that job with the engine's code, message and field", async () => {
  const { pool, workers } = await readyPool(1);
  const [w] = workers.made;
  const a = job(pool);
  const b = job(pool);
  await settle();
  w.emit({ id: w.requests[0].id, type: "error", code: "corrupt_image", message: "damaged", field: "data" });
  const { error } = await a.outcome;
  assert.equal(error.code, "corrupt_image");
  assert.equal(error.message, "damaged");
  assert.equal(error.field, "data");
  await settle();
  assert.equal(w.terminated, false);
  assert.equal(w.requests.length, 2, "the worker goes on with the next job");
  answerTo(w, w.requests[1]);
  assert.ok((await b.outcome).answer);
});

test("prepare's transfer list is handed to postMessage", async () => {
  const { pool, workers } = await readyPool(1);
  const data = new ArrayBuffer(8);
  pool.submit("compress", async () => ({ payload: { data }, transfer: [data] }));
  await settle();
  const [posted] = workers.made[0].posted.filter((p) => p.message.id !== undefined);
  assert.equal(posted.message.data, data);
  assert.deepEqual(posted.transfer, [data]);
});

test("a priority job goes ahead of the queue", async () => {
  const { pool, workers } = await readyPool(1);
  const [w] = workers.made;
  job(pool, "compress", { name: "running" });
  await settle();
  job(pool, "compress", { name: "waiting" });
  job(pool, "zip", { names: ["zip"] }, { priority: true });
  answerTo(w, w.requests[0]);
  await settle();
  assert.equal(w.requests[1].type, "zip");
});

test("cancelling a queued job rejects it as cancelled and it never reaches a worker", async () => {
  const { pool, workers } = await readyPool(1);
  const [w] = workers.made;
  const running = job(pool, "compress", { name: "running" });
  const queued = job(pool, "compress", { name: "queued" });
  const after = job(pool, "compress", { name: "after" });
  await settle();
  queued.cancel();
  assert.equal((await queued.outcome).error.code, "cancelled");
  answerTo(w, w.requests[0]);
  await running.outcome;
  await settle();
  assert.deepEqual(
    w.requests.map((r) => r.name),
    ["running", "after"],
  );
  assert.equal(queued.prepared, 0);
  assert.equal(w.terminated, false, "dropping a queued job costs no worker");
  assert.equal(workers.made.length, 1);
  answerTo(w, w.requests[1]);
  assert.ok((await after.outcome).answer);
});

test("cancelling a running job terminates its worker and a fresh one takes the next job", async () => {
  const { pool, workers } = await readyPool(1);
  const [first] = workers.made;
  const running = job(pool, "compress", { name: "slow" });
  const next = job(pool, "compress", { name: "next" });
  await settle();
  running.cancel();
  assert.equal((await running.outcome).error.code, "cancelled");
  assert.equal(first.terminated, true);
  assert.equal(workers.made.length, 2);
  const [replacement] = workers.live();
  assert.deepEqual(replacement.posted[0].message, { type: "start" });
  assert.equal(pool.size, 1);
  replacement.ready();
  await settle();
  assert.deepEqual(
    replacement.requests.map((r) => r.name),
    ["next"],
  );
  answerTo(replacement, replacement.requests[0]);
  assert.ok((await next.outcome).answer);
  assert.equal(workers.live().length, 1);
});

test("a soft cancel of a running job keeps its worker and drops the late answer", async () => {
  const { pool, workers } = await readyPool(1);
  const [w] = workers.made;
  const stale = job(pool, "compress", { name: "stale" });
  const fresh = job(pool, "compress", { name: "fresh" });
  await settle();
  stale.cancel({ terminate: false });
  assert.equal((await stale.outcome).error.code, "cancelled");
  assert.equal(w.terminated, false);
  answerTo(w, w.requests[0], { name: "late" });
  await settle();
  assert.deepEqual(
    w.requests.map((r) => r.name),
    ["stale", "fresh"],
  );
  answerTo(w, w.requests[1], { name: "fresh.jpg" });
  assert.equal((await fresh.outcome).answer.name, "fresh.jpg");
});

test("a worker that fails while running fails its job and is replaced", async () => {
  const { pool, workers } = await readyPool(1);
  const [first] = workers.made;
  const failedEvents = [];
  pool.addEventListener("failed", (e) => failedEvents.push(e.detail));
  const doomed = job(pool);
  const next = job(pool);
  await settle();
  first.emit({ type: "failed", message: "the engine crashed on this file" });
  const { error } = await doomed.outcome;
  assert.equal(error.code, "worker_failed");
  assert.equal(error.message, "the engine crashed on this file");
  await settle();
  assert.equal(first.terminated, true);
  const live = workers.live();
  assert.equal(live.length, 1);
  assert.notEqual(live[0], first);
  assert.deepEqual(failedEvents, [], "the pool as a whole still works");
  live[0].ready();
  await settle();
  answerTo(live[0], live[0].requests[0]);
  assert.ok((await next.outcome).answer);
});

test("a worker that cannot start fails the pool and is not restarted", async () => {
  const workers = workerFactory();
  const pool = new EnginePool(2, { createWorker: workers.create });
  const failed = [];
  pool.addEventListener("failed", (e) => failed.push(e.detail.message));
  workers.made[0].emit({ type: "failed", message: "no WebAssembly" });
  await settle();
  assert.deepEqual(failed, ["no WebAssembly"]);
  assert.equal(workers.made.length, 1);
  assert.equal(workers.live().length, 0);
  assert.equal(pool.readyCount, 0);
});

test("a worker's error event (script failed to load) counts as failed", async () => {
  const workers = workerFactory();
  const pool = new EnginePool(1, { createWorker: workers.create });
  const failed = [];
  pool.addEventListener("failed", (e) => failed.push(e.detail.message));
  workers.made[0].dispatchEvent(Object.assign(new Event("error"), { message: "404" }));
  await settle();
  assert.deepEqual(failed, ["404"]);
});

test("the pool reports which job started, by id", async () => {
  const { pool } = await readyPool(1);
  const started = [];
  pool.addEventListener("start", (e) => started.push(e.detail.id));
  const a = job(pool);
  const b = job(pool);
  await settle();
  assert.deepEqual(started, [a.id]);
  assert.notEqual(a.id, b.id);
});

test("shrinking retires an idle worker at once and a busy one when its job ends", async () => {
  const { pool, workers } = await readyPool(2);
  const a = job(pool);
  await settle();
  const busy = workers.made.find((w) => w.requests.length === 1);
  const idle = workers.made.find((w) => w !== busy);
  pool.resize(1);
  assert.equal(idle.terminated, true);
  assert.equal(busy.terminated, false);
  pool.resize(1);
  answerTo(busy, busy.requests[0]);
  await a.outcome;
  await settle();
  assert.equal(busy.terminated, false, "one worker stays");
  assert.equal(workers.live().length, 1);
});

test("growing starts more workers, one at a time, once the engine is known to start", async () => {
  const { pool, workers } = await readyPool(1);
  pool.resize(3);
  assert.equal(workers.live().length, 2);
  workers.made[1].ready();
  await settle();
  assert.equal(workers.live().length, 3);
  assert.equal(pool.size, 3);
});

test("terminate stops every worker and cancels what waits", async () => {
  const { pool, workers } = await readyPool(1);
  const running = job(pool);
  const waiting = job(pool);
  await settle();
  pool.terminate();
  assert.equal((await running.outcome).error.code, "cancelled");
  assert.equal((await waiting.outcome).error.code, "cancelled");
  assert.equal(workers.live().length, 0);
});

test("the ceiling follows the claimed cores, at most 4, and the memory where it is known", () => {
  assert.equal(poolCeiling({ hardwareConcurrency: 16 }), 4);
  assert.equal(poolCeiling({ hardwareConcurrency: 3 }), 3);
  assert.equal(poolCeiling({ hardwareConcurrency: 8, deviceMemory: 8 }), 4);
  assert.equal(poolCeiling({ hardwareConcurrency: 8, deviceMemory: 4 }), 2);
  assert.equal(poolCeiling({ hardwareConcurrency: 8, deviceMemory: 2 }), 1);
  assert.equal(poolCeiling({ hardwareConcurrency: 8, deviceMemory: 0.5 }), 1);
  assert.equal(poolCeiling({}), 2);
  assert.equal(poolCeiling(undefined), 2);
});

test("cores are counted from how much slower the probes ran together than one alone", () => {
  assert.equal(coresFrom(4, 40, 80), 2, "4 probes, twice as slow: 2 cores");
  assert.equal(coresFrom(4, 40, 41), 4);
  assert.equal(coresFrom(4, 40, 60), 2, "2.67 cores' worth of speed-up: 2, never 3 (leans low)");
  assert.equal(coresFrom(4, 40, 52), 3, "3.08: 3");
  assert.equal(coresFrom(4, 40, 160), 1);
  assert.equal(coresFrom(4, 40, 400), 1, "never below 1");
  assert.equal(coresFrom(2, 40, 20), 2, "never above the probes");
  assert.equal(coresFrom(4, 0, 0), 1, "no time measured: no parallelism assumed");
});

/** A createProbe whose probes take `togetherMs` (one run's, or a list of each run's) when run
 * together, after a 40 ms solo run; the same rounds alone again take `againMs`. */
function probes(togetherMs, { failing = false, againMs = 40 } = {}) {
  const made = [];
  const create = (name) => {
    const probe = new FakeProbe(name, { soloMs: 40, togetherMs, againMs, failing });
    made.push(probe);
    return probe;
  };
  return { made, create };
}

test("measureCores runs one probe alone, then all together, three times, and stops them all", async () => {
  const p = probes(80);
  assert.equal(await measureCores(4, { createProbe: p.create }), 2);
  assert.equal(p.made.length, 4);
  const run = [{ ms: 30 }, { rounds: 1000 }, { rounds: 1000, alone: true }]; // PROBE_MS
  assert.deepEqual(p.made[0].asked, [{ type: "hello" }, ...run, ...run, ...run]);
  assert.deepEqual(p.made[3].asked, [{ type: "hello" }, ...Array(3).fill({ rounds: 1000 })]);
  assert.ok(p.made.every((probe) => probe.terminated));
});

test("measureCores keeps the median run: one run disturbed by another program is outvoted", async () => {
  // Alone 40 ms each time; together 40 ms (4 cores), then 80 and 80 (2 cores).
  const p = probes([40, 80, 80]);
  assert.equal(await measureCores(4, { createProbe: p.create }), 2);
});

test("measureCores times the solo rounds again: a slowed first solo run does not read as cores", async () => {
  // The timed solo run was slowed by another program: its rounds take 20 ms alone, so the
  // 40 ms together is 2 cores' worth, not 4.
  const p = probes(40, { againMs: 20 });
  assert.equal(await measureCores(4, { createProbe: p.create }), 2);
});

test("measureCores with one claimed core starts no probe", async () => {
  const p = probes(40);
  assert.equal(await measureCores(1, { createProbe: p.create }), 1);
  assert.equal(p.made.length, 0);
});

test("a probe that cannot start leaves 2 cores assumed, and every probe stopped", async () => {
  const p = probes(40, { failing: true });
  assert.equal(await measureCores(4, { createProbe: p.create }), 2);
  assert.ok(p.made.every((probe) => probe.terminated));
});

test("an auto pool measures the cores first, then starts its first worker and sizes to them", async () => {
  const workers = workerFactory();
  const asked = [];
  let measured;
  const pool = new EnginePool("auto", {
    createWorker: workers.create,
    navigator: { hardwareConcurrency: 4 },
    measureCores: (claimed) => {
      asked.push(claimed);
      return new Promise((resolve) => (measured = resolve));
    },
  });
  await settle();
  assert.deepEqual(asked, [4]);
  assert.equal(workers.made.length, 0, "the probe runs alone");
  assert.equal(pool.size, 4, "the ceiling until the cores are known");
  measured(2);
  await settle();
  assert.equal(pool.size, 2);
  assert.equal(pool.cores, 2);
  assert.equal(workers.made.length, 1);
  workers.made[0].ready();
  await settle();
  workers.made[1].ready();
  await settle();
  assert.equal(workers.made.length, 2, "no more workers than measured cores");
});

test("an auto pool never exceeds what the memory allows, whatever the cores", async () => {
  const workers = workerFactory();
  const asked = [];
  const pool = new EnginePool("auto", {
    createWorker: workers.create,
    navigator: { hardwareConcurrency: 8, deviceMemory: 2 },
    measureCores: async (claimed) => (asked.push(claimed), 8),
  });
  await settle();
  assert.deepEqual(asked, [1]);
  assert.equal(pool.size, 1);
});

test("the first auto worker waits for both the page's guard and the core probe", async () => {
  const workers = workerFactory();
  let guarded;
  const pool = new EnginePool("auto", {
    createWorker: workers.create,
    startAfter: new Promise((resolve) => (guarded = resolve)),
    navigator: { hardwareConcurrency: 2 },
    measureCores: async () => 2,
  });
  await settle();
  assert.equal(workers.made.length, 0);
  guarded();
  await settle();
  assert.equal(workers.made.length, 1);
  assert.equal(pool.size, 2);
});

test("resizing from a number to auto measures the cores then", async () => {
  const workers = workerFactory();
  let measures = 0;
  const pool = new EnginePool(1, {
    createWorker: workers.create,
    navigator: { hardwareConcurrency: 4 },
    measureCores: async () => (measures++, 3),
  });
  workers.made[0].ready();
  await settle();
  assert.equal(measures, 0, "a chosen size needs no probe");
  pool.resize("auto");
  await settle();
  assert.equal(measures, 1);
  assert.equal(pool.size, 3);
  assert.equal(workers.made.length, 2);
});

function memoryStorage() {
  const items = new Map();
  return { getItem: (k) => items.get(k) ?? null, setItem: (k, v) => items.set(k, String(v)) };
}

test("rememberedCores measures once, then answers from storage for the same claim", async () => {
  const storage = memoryStorage();
  const asked = [];
  const measure = async (claimed) => (asked.push(claimed), 2);
  assert.equal(await rememberedCores(4, { measure, storage, now: 1000, keep: true }), 2);
  assert.equal(await rememberedCores(4, { measure, storage, now: 2000, keep: true }), 2);
  assert.deepEqual(asked, [4]);
});
test("rememberedCores does not keep a first visit's measurement (taken beside the precache)", async () => {
  const storage = memoryStorage();
  const asked = [];
  const measure = async (claimed) => (asked.push(claimed), 1);
  assert.equal(await rememberedCores(2, { measure, storage, now: 1000, keep: false }), 1);
  assert.equal(await rememberedCores(2, { measure, storage, now: 2000, keep: true }), 1);
  assert.deepEqual(asked, [2, 2]);
});

test("rememberedCores measures again for another claim or after a day", async () => {
  const storage = memoryStorage();
  const asked = [];
  const measure = async (claimed) => (asked.push(claimed), 1);
  await rememberedCores(4, { measure, storage, now: 0, keep: true });
  await rememberedCores(8, { measure, storage, now: 1, keep: true });
  await rememberedCores(8, { measure, storage, now: 1 + 24 * 60 * 60 * 1000, keep: true });
  assert.deepEqual(asked, [4, 8, 8]);
});

test("rememberedCores measures when storage is refused", async () => {
  const refused = { getItem: () => { throw new Error("SecurityError"); }, setItem: () => { throw new Error("quota"); } };
  assert.equal(await rememberedCores(4, { measure: async () => 3, storage: refused }), 3);
});
