// Boots the pinned Pyodide under Node in snapshot mode and writes its memory, gzipped: the
// state of a freshly initialised interpreter, before any package (a snapshot cannot hold
// loaded side modules such as Pillow's). The page's workers restore it instead of running
// CPython's initialisation (web/worker.js); Pyodide refuses a snapshot of another build.
// usage: node make_snapshot.mjs PYODIDE_DIR LOCK_FILE OUT.gz   (LOCK_FILE: the site's own, whose
// import names Pyodide's import hook keeps in Python's memory)
import nodeCrypto, { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";

const [runtime, lockFile, out] = process.argv.slice(2);

// The same runtime must give the same snapshot, or every build would be a new version of the
// site. What the interpreter draws from the system's entropy while it starts (its hash seed,
// the allocator's and `random`'s seeds) is made fixed here: a SHA-256 counter stream. The
// worker draws fresh seeds for `random` right after restoring (web/worker.js); the hash seed
// and the allocator's cannot change after start, and are shared by every copy of the site.
// (Emscripten's entropy under Node is node:crypto's randomFillSync.)
let counter = 0;
nodeCrypto.randomFillSync = (array) => {
  const bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
  for (let at = 0; at < bytes.length; at += 32) {
    const block = createHash("sha256").update(`imgcompress-snapshot-${counter++}`).digest();
    bytes.set(block.subarray(0, Math.min(32, bytes.length - at)), at);
  }
  return array;
};
// So are the clocks (files' times, the allocator's weak seed): the snapshot's start is 1980-01-01,
// the date of every file in our wheels (SOURCE_DATE_EPOCH in build_wheel.py).
const EPOCH_MS = 315532800000;
let tick = 0;
Date.now = () => EPOCH_MS + tick++;
performance.now = () => tick++;
const { loadPyodide } = await import(pathToFileURL(join(runtime, "pyodide.mjs")).href);
const pyodide = await loadPyodide({
  indexURL: join(runtime, "/"),
  lockFileURL: lockFile,
  _makeSnapshot: true,
});
const memory = pyodide.makeMemorySnapshot();
writeFileSync(out, gzipSync(memory, { level: 9 }));
console.log(`memory snapshot: ${memory.length} bytes`);
