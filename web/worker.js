// Module worker: one Pyodide with Pillow and imgcompress, started in named stages. Its messages
// are described in PROTOCOL.md. JavaScript values are converted to plain Python values at the
// door (imgcompress.door) and the answers back to plain JavaScript; every proxy is destroyed
// here and never leaves this file.
import { loadPyodide } from "./pyodide/pyodide.mjs";
import { watchNetwork } from "./netwatch.js";
import { crc32 } from "./zip.js";

// Pyodide's Emscripten module (1.2 MB of JavaScript), loaded while the runtime's files are
// fetched rather than before (see timedModule).
const moduleFactory = import("./pyodide/pyodide.asm.mjs").then((m) => m.default);

// Start-up steps, in ms since this worker was created (its performance time origin), in the
// order they end: posted with `ready` and logged, so a slow start says where its time went
// (bench/startup_bench.py prints them). The first one is here: the scripts are loaded.
const steps = [];
function step(name) {
  steps.push({ name, ms: Math.round(performance.now()) });
}
step("scripts");

// What this worker asks of the network goes to the page's privacy ledger.
watchNetwork(self, (event) => postMessage({ type: "net", event }));

const base = new URL("./", import.meta.url);
const LOCK_FILE = new URL("wheels/pyodide-lock.json", base);
const SNAPSHOT = new URL("pyodide/snapshot.bin.gz", base);
// Loaded at start-up; every other package in the lock file is a codec loaded on demand.
const START_PACKAGES = ["pillow", "imgcompress"];
const LOAD = { checkIntegrity: true, messageCallback: () => {} };
let pyodide = null;
let door = null;
let lazyPackages = [];

function stage(name, state) {
  postMessage({ type: "stage", stage: name, state, ms: Math.round(performance.now()) });
}

// Pyodide's own module factory (loadPyodide's `createPyodideModule` option), wrapped to see
// when pyodide.asm.wasm is compiled and instantiated, and to wait for the snapshot's bytes.
async function timedModule(settings) {
  const instantiate = settings.instantiateWasm;
  settings.instantiateWasm = (imports, success) =>
    instantiate(imports, (instance, module) => {
      step("wasm");
      success(instance, module);
    });
  const module = await (await moduleFactory)(settings);
  if (snapshotFilled) await snapshotFilled;
  step("python");
  return module;
}

// The interpreter's memory right after CPython's initialisation, made by the build with this
// very runtime (toolchain/make_snapshot.mjs): restoring it skips that initialisation. It holds
// no package; Pyodide refuses one made by another build of itself. Pyodide needs only its size
// before it compiles pyodide.asm.wasm, and its bytes after: the build stamps the size here, so
// the bytes are fetched and unpacked while the runtime loads, and timedModule() waits for them
// (`snapshotFilled`) before Pyodide restores them.
const SNAPSHOT_BYTES = __SNAPSHOT_BYTES__;
let snapshotFilled = null;

function readSnapshot() {
  const memory = new Uint8Array(SNAPSHOT_BYTES);
  snapshotFilled = (async () => {
    const response = await fetch(SNAPSHOT);
    if (!response.ok) throw new Error(`${SNAPSHOT.pathname} answered HTTP ${response.status}`);
    const reader = response.body.pipeThrough(new DecompressionStream("gzip")).getReader();
    let at = 0;
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      if (at + chunk.value.length > memory.length) throw new Error("it is larger than this build's");
      memory.set(chunk.value, at);
      at += chunk.value.length;
    }
    if (at !== memory.length) throw new Error(`it unpacked to ${at} bytes, not ${memory.length}`);
  })();
  snapshotFilled.catch(() => {}); // awaited by timedModule(), which reports the failure
  return memory;
}

// Boots from the memory snapshot where there is one, else (or if it fails) as usual; says which.
async function boot(options, useSnapshot) {
  const config = { indexURL: new URL("pyodide/", base).href, lockFileURL: LOCK_FILE.href, ...options };
  let why = "not asked for";
  if (useSnapshot && typeof DecompressionStream !== "function") why = "no DecompressionStream here";
  else if (useSnapshot) {
    try {
      const runtime = await loadPyodide({ ...config, _loadSnapshot: readSnapshot() });
      // Every copy of the site restores the same memory: `random` gets fresh seeds here.
      runtime.runPython("import random; random.seed()");
      return { runtime, boot: "snapshot" };
    } catch (err) {
      why = String(err?.message ?? err).split("\n")[0];
      console.warn(`[${self.name}] memory snapshot not used (${why}); starting Python as usual`);
      steps.length = 1; // the failed attempt's steps are not this start's
    }
    snapshotFilled = null;
  }
  return { runtime: await loadPyodide(config), boot: `normal (snapshot ${why})` };
}

// Options (benchmarks and tests): `snapshot: false` starts Python as usual; `profile` also does,
// with -X importtime, and its lines come back in `ready` (see profiled()).
async function start({ profile = false, snapshot = true } = {}) {
  const started = performance.now();
  const importtime = [];
  stage("runtime", "working");
  const booted = await boot(
    {
      createPyodideModule: timedModule,
      ...(profile ? { args: ["-X", "importtime"], stderr: (line) => importtime.push(line) } : {}),
    },
    snapshot && !profile,
  );
  pyodide = booted.runtime;
  step("runtime");
  stage("runtime", "done");
  stage("pillow", "working");
  await pyodide.loadPackage("pillow", LOAD);
  step("pillow");
  stage("pillow", "done");
  stage("imgcompress", "working");
  await pyodide.loadPackage("imgcompress", LOAD);
  step("imgcompress");
  // The service worker has the lock file cached; reading it names the lazy codec packages.
  const lock = await (await fetch(LOCK_FILE)).json();
  lazyPackages = Object.keys(lock.packages ?? {}).filter((name) => !START_PACKAGES.includes(name));
  door = pyodide.pyimport("imgcompress.door");
  step("import");
  const info = pyodide.runPython(`
import sys, PIL, PIL.features, imgcompress
{"python": sys.version.split()[0], "pillow": PIL.__version__,
 "features": {f: PIL.features.check(f) for f in __PILLOW_FEATURES__}}
`);
  const versions = info.toJs({ dict_converter: Object.fromEntries });
  info.destroy();
  step("versions");
  // The page lists no format itself: what it offers and accepts comes from the codec table.
  const { ok, formats, choices, accept, error } = callDoor("formats", lazyPackages);
  if (!ok) throw new Error(error.message);
  step("formats");
  stage("imgcompress", "done");
  const ms = Math.round(performance.now() - started);
  const took = steps.map((s) => `${s.name}=${s.ms}`).join(" ");
  console.info(
    `[${self.name}] ready in ${ms} ms: Python ${versions.python}, Pillow ${versions.pillow}, ` +
      `boot ${booted.boot}; steps (ms since the worker was created): ${took}`,
  );
  const ready = { type: "ready", versions, ms, boot: booted.boot, steps, formats, choices, accept };
  postMessage(profile ? { ...ready, ...(await profiled(importtime)) } : ready);
}

// What a profiled start adds to `ready`: Python's import times, this worker's fetches, and how
// long unpacking the pillow wheel alone takes (the rest of its step is its .so side modules).
async function profiled(importtime) {
  const fetches = performance.getEntriesByType("resource").map((e) => ({
    name: new URL(e.name).pathname.split("/").pop(),
    start: Math.round(e.startTime),
    ms: Math.round(e.duration),
  }));
  const lock = await (await fetch(LOCK_FILE)).json();
  const wheel = await (await fetch(new URL(lock.packages.pillow.file_name, LOCK_FILE))).arrayBuffer();
  const started = performance.now();
  pyodide.unpackArchive(wheel, "wheel", { extractDir: "/tmp/unpack-profile" });
  const unpackMs = Math.round(performance.now() - started);
  return { importtime: importtime.filter((l) => l.startsWith("import time:")), fetches, unpackMs };
}

// Calls one door function with plain JS arguments and returns a plain JS answer.
function callDoor(name, ...args) {
  const pyArgs = args.map((arg) => pyodide.toPy(arg));
  let answer = null;
  try {
    answer = door[name](...pyArgs);
    return answer.toJs({ dict_converter: Object.fromEntries, create_pyproxies: false });
  } finally {
    answer?.destroy();
    for (const arg of pyArgs) if (arg && typeof arg.destroy === "function") arg.destroy();
  }
}

// toJs() copies bytes into a fresh Uint8Array; make sure we transfer exactly its own buffer.
function ownBuffer(view) {
  if (view.byteOffset === 0 && view.byteLength === view.buffer.byteLength) return view.buffer;
  return view.slice().buffer;
}

// A file that needs a codec this worker has not loaded yet (AVIF, HEIC) answers
// codec_unavailable naming its package: load it once and try the file again.
async function compressJob(msg) {
  const started = performance.now();
  const run = () => callDoor("compress_file", new Uint8Array(msg.data), msg.options ?? {}, msg.name);
  let answer = run();
  const wanted = answer.ok ? null : answer.error.package;
  if (wanted && lazyPackages.includes(wanted)) {
    await pyodide.loadPackage(wanted, LOAD);
    lazyPackages = lazyPackages.filter((name) => name !== wanted);
    answer = run();
  }
  const stats = jobStats(started);
  if (!answer.ok) return errorReply(msg, answer, stats);
  const data = ownBuffer(answer.data);
  // The ZIP's CRC is taken once, here, while the bytes are at hand: "Download all" then only
  // writes headers around the page's Blobs.
  const message = { id: msg.id, type: "result", data, name: answer.name, result: answer.result };
  return { message: { ...message, crc32: crc32(data), ...stats }, transfer: [data] };
}

// What every reply carries about the job: its time, this worker's memory and its name.
function jobStats(started) {
  return { ms: Math.round(performance.now() - started), heap: heapBytes(), worker: self.name };
}

// The door's answer to a Python-level failure, as the error reply of the job `msg`.
function errorReply(msg, answer, stats) {
  return { message: { id: msg.id, type: "error", ...answer.error, ...stats }, transfer: [] };
}

// The size of this worker's WebAssembly memory: it grows to the largest file's needs and never
// shrinks, so over a batch it shows whether anything is kept from file to file.
function heapBytes() {
  return pyodide._module.HEAP8.buffer.byteLength;
}

// The warm-up running now, if any: a real request arriving sets `preempted`, and the warm-up
// stops after its current step.
let warming = null;

// Lets the message queue run: a real request posted during a warm-up step runs here, before
// the next step (setTimeout, not a microtask: only a task lets a message event in).
const yieldToMessages = () => new Promise((resolve) => setTimeout(resolve, 0));

// The first calls into the WebAssembly are slow (lazy compilation, tier-up, first-call costs of
// Pillow's codecs): a few small compressions pay them before the first photo does
// (imgcompress.warmup). One step at a time, yielding in between, so a photo waits one step at
// most; the engine's answer says how many steps there are.
async function warmupJob(msg) {
  const started = performance.now();
  const run = { preempted: false };
  warming = run;
  let done = 0;
  let steps = 1;
  try {
    while (done < steps && !run.preempted) {
      const answer = callDoor("warm_up", done);
      if (!answer.ok) return errorReply(msg, answer, jobStats(started));
      steps = answer.steps;
      done++;
      await yieldToMessages();
    }
  } finally {
    if (warming === run) warming = null;
  }
  const ms = Math.round(performance.now() - started);
  const complete = done === steps;
  console.info(`[${self.name}] warm-up: ${done} of ${steps} steps in ${ms} ms${complete ? "" : " (a request came)"}`);
  const message = { id: msg.id, type: "result", steps, done, complete, ms, worker: self.name };
  return { message, transfer: [] };
}

const jobs = { compress: compressJob, warmup: warmupJob };

addEventListener("message", async (event) => {
  const msg = event.data;
  if (msg.type === "start") {
    start(msg).catch((err) => postMessage({ type: "failed", message: String(err?.message ?? err) }));
    return;
  }
  const job = jobs[msg.type];
  if (!job) return;
  if (msg.type !== "warmup" && warming) warming.preempted = true;
  let reply;
  try {
    if (!door) throw new Error("the engine is not ready yet");
    reply = await job(msg);
  } catch (err) {
    // The door answers every Python-level failure itself, so reaching this means the runtime
    // broke (e.g. WebAssembly ran out of memory) and may not be usable again: say so, and let
    // the pool replace this worker. The client fails the running job with this message.
    console.error(err);
    postMessage({
      type: "failed",
      message: "the engine crashed on this file (probably out of memory) and was restarted",
    });
    return;
  }
  postMessage(reply.message, reply.transfer);
});
