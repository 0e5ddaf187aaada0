// EnginePool's warm-up scheduling (web/engine-client.js, option `warmUp`) against fake workers.
import { test } from "node:test";
import assert from "node:assert/strict";

import { EnginePool } from "../../web/engine-client.js";
import { settle, workerFactory } from "./fake-worker.mjs";

function warmPool(size = 1) {
  const workers = workerFactory();
  const pool = new EnginePool(size, { createWorker: workers.create, warmUp: true });
  const warms = [];
  pool.addEventListener("warm", (e) => warms.push(e.detail));
  return { pool, workers, warms };
}

const compress = (pool) => {
  const job = pool.submit("compress", async () => ({ payload: {}, transfer: [] }));
  job.outcome = job.promise.then((answer) => ({ answer }), (error) => ({ error }));
  return job;
};

const requestsOf = (worker, type) => worker.requests.filter((m) => m.type === type);

const finishWarmUp = (worker, request, extra = {}) =>
  worker.emit({ id: request.id, type: "result", steps: 5, done: 5, complete: true, ms: 800, worker: worker.name, ...extra });

test("a ready, idle worker is asked to warm up once", async () => {
  const { workers } = warmPool();
  await settle();
  assert.equal(requestsOf(workers.made[0], "warmup").length, 0, "not before it is ready");
  workers.made[0].ready();
  await settle();
  assert.equal(requestsOf(workers.made[0], "warmup").length, 1);
});

test("no warm-up without the option", async () => {
  const workers = workerFactory();
  new EnginePool(1, { createWorker: workers.create });
  workers.made[0].ready();
  await settle();
  assert.equal(requestsOf(workers.made[0], "warmup").length, 0);
});

test("a worker with a job queued at ready runs the job and never warms up", async () => {
  const { pool, workers } = warmPool();
  const job = compress(pool);
  workers.made[0].ready();
  await settle();
  assert.deepEqual(workers.made[0].requests.map((m) => m.type), ["compress"]);
  workers.made[0].emit({ id: workers.made[0].requests[0].id, type: "result", data: new ArrayBuffer(1) });
  await settle();
  assert.ok((await job.outcome).answer);
  assert.equal(requestsOf(workers.made[0], "warmup").length, 0, "a real photo warmed it already");
});

test("a job submitted during the warm-up is posted to the warming worker at once", async () => {
  const { pool, workers } = warmPool();
  workers.made[0].ready();
  await settle();
  const job = compress(pool);
  await settle();
  const [request] = requestsOf(workers.made[0], "compress");
  assert.ok(request, "the job did not wait for the warm-up's answer");
  assert.equal(pool.busyCount, 1);
  workers.made[0].emit({ id: request.id, type: "result", data: new ArrayBuffer(1) });
  assert.ok((await job.outcome).answer);
});

test("a finished warm-up fires `warm` and counts in warmCount", async () => {
  const { pool, workers, warms } = warmPool();
  workers.made[0].ready();
  await settle();
  finishWarmUp(workers.made[0], requestsOf(workers.made[0], "warmup")[0]);
  await settle();
  assert.equal(pool.warmCount, 1);
  assert.deepEqual(warms, [{ steps: 5, done: 5, complete: true, ms: 800, worker: "imgcompress-1" }]);
});

test("a pre-empted warm-up fires `warm` but does not count as warm", async () => {
  const { pool, workers, warms } = warmPool();
  workers.made[0].ready();
  await settle();
  finishWarmUp(workers.made[0], requestsOf(workers.made[0], "warmup")[0], { done: 2, complete: false });
  await settle();
  assert.equal(pool.warmCount, 0);
  assert.equal(warms.length, 1);
  assert.equal(requestsOf(workers.made[0], "warmup").length, 1, "not asked again");
});

test("warm-up is not a job: no `start` event, not busy, not pending", async () => {
  const { pool, workers } = warmPool();
  const starts = [];
  pool.addEventListener("start", (e) => starts.push(e.detail));
  workers.made[0].ready();
  await settle();
  assert.equal(requestsOf(workers.made[0], "warmup").length, 1);
  assert.deepEqual([starts.length, pool.busyCount, pool.pendingCount], [0, 0, 0]);
});

test("a warm-up the engine refuses is logged and the worker still takes jobs", async () => {
  const { pool, workers } = warmPool();
  workers.made[0].ready();
  await settle();
  const warned = [];
  const warn = console.warn;
  console.warn = (line) => warned.push(line);
  try {
    const [request] = requestsOf(workers.made[0], "warmup");
    workers.made[0].emit({ id: request.id, type: "error", code: "internal_error", message: "boom" });
    await settle();
  } finally {
    console.warn = warn;
  }
  assert.equal(warned.length, 1);
  assert.equal(pool.warmCount, 0);
  const job = compress(pool);
  await settle();
  const [request] = requestsOf(workers.made[0], "compress");
  workers.made[0].emit({ id: request.id, type: "result", data: new ArrayBuffer(1) });
  assert.ok((await job.outcome).answer);
});

test("a warm-up that crashes its worker is not tried again on the replacement", async () => {
  const { pool, workers } = warmPool();
  workers.made[0].ready();
  await settle();
  const warn = console.warn;
  console.warn = () => {};
  try {
    workers.made[0].emit({ type: "failed", message: "out of memory" });
    await settle();
  } finally {
    console.warn = warn;
  }
  assert.equal(workers.made.length, 2, "the crashed worker was replaced");
  workers.made[1].ready();
  await settle();
  assert.equal(requestsOf(workers.made[1], "warmup").length, 0);
  assert.equal(pool.readyCount, 1);
});

test("each worker of a pool warms up once it is ready", async () => {
  const { workers } = warmPool(2);
  workers.made[0].ready();
  await settle();
  workers.made[1].ready();
  await settle();
  assert.deepEqual(workers.made.map((w) => requestsOf(w, "warmup").length), [1, 1]);
});
