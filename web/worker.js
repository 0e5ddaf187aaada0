// Module worker: one Pyodide with Pillow and imgcompress, started in named stages. Its messages
// are described in PROTOCOL.md. JavaScript values are converted to plain Python values at the
// door (imgcompress.door) and the answers back to plain JavaScript; every proxy is destroyed
// here and never leaves this file.
import { loadPyodide } from "./pyodide/pyodide.mjs";
import { watchNetwork } from "./netwatch.js";
import { crc32 } from "./zip.js";

// What this worker asks of the network goes to the page's privacy ledger.
watchNetwork(self, (event) => postMessage({ type: "net", event }));

const base = new URL("./", import.meta.url);
const LOCK_FILE = new URL("wheels/pyodide-lock.json", base);
// Loaded at start-up; every other package in the lock file is a codec loaded on demand.
const START_PACKAGES = ["pillow", "imgcompress"];
const LOAD = { checkIntegrity: true, messageCallback: () => {} };
let pyodide = null;
let door = null;
let lazyPackages = [];

function stage(name, state) {
  postMessage({ type: "stage", stage: name, state });
}

async function start() {
  const started = performance.now();
  stage("runtime", "working");
  pyodide = await loadPyodide({
    indexURL: new URL("pyodide/", base).href,
    lockFileURL: LOCK_FILE.href,
  });
  stage("runtime", "done");
  stage("pillow", "working");
  await pyodide.loadPackage("pillow", LOAD);
  stage("pillow", "done");
  stage("imgcompress", "working");
  await pyodide.loadPackage("imgcompress", LOAD);
  // The service worker has the lock file cached; reading it names the lazy codec packages.
  const lock = await (await fetch(LOCK_FILE)).json();
  lazyPackages = Object.keys(lock.packages ?? {}).filter((name) => !START_PACKAGES.includes(name));
  door = pyodide.pyimport("imgcompress.door");
  const info = pyodide.runPython(`
import sys, PIL, PIL.features, imgcompress
{"python": sys.version.split()[0], "pillow": PIL.__version__,
 "features": {f: PIL.features.check(f) for f in __PILLOW_FEATURES__}}
`);
  const versions = info.toJs({ dict_converter: Object.fromEntries });
  info.destroy();
  // The page lists no format itself: what it offers and accepts comes from the codec table.
  const { ok, formats, choices, accept, error } = callDoor("formats", lazyPackages);
  if (!ok) throw new Error(error.message);
  stage("imgcompress", "done");
  const ms = Math.round(performance.now() - started);
  console.info(`[${self.name}] ready in ${ms} ms: Python ${versions.python}, Pillow ${versions.pillow}`);
  postMessage({ type: "ready", versions, ms, formats, choices, accept });
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
  const ms = Math.round(performance.now() - started);
  const stats = { ms, heap: heapBytes(), worker: self.name };
  if (!answer.ok) return { message: { id: msg.id, type: "error", ...answer.error, ...stats }, transfer: [] };
  const data = ownBuffer(answer.data);
  // The ZIP's CRC is taken once, here, while the bytes are at hand: "Download all" then only
  // writes headers around the page's Blobs.
  const message = { id: msg.id, type: "result", data, name: answer.name, result: answer.result };
  return { message: { ...message, crc32: crc32(data), ...stats }, transfer: [data] };
}

// The size of this worker's WebAssembly memory: it grows to the largest file's needs and never
// shrinks, so over a batch it shows whether anything is kept from file to file.
function heapBytes() {
  return pyodide._module.HEAP8.buffer.byteLength;
}

const jobs = { compress: compressJob };

addEventListener("message", async (event) => {
  const msg = event.data;
  if (msg.type === "start") {
    start().catch((err) => postMessage({ type: "failed", message: String(err?.message ?? err) }));
    return;
  }
  const job = jobs[msg.type];
  if (!job) return;
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
