// Module worker: one Pyodide with Pillow and imgcompress, started in named stages.
import { loadPyodide } from "./pyodide/pyodide.mjs";

const base = new URL("./", import.meta.url);
let pyodide = null;

function stage(name, state) {
  postMessage({ type: "stage", stage: name, state });
}

async function start() {
  const started = performance.now();
  stage("runtime", "working");
  pyodide = await loadPyodide({
    indexURL: new URL("pyodide/", base).href,
    lockFileURL: new URL("wheels/pyodide-lock.json", base).href,
  });
  stage("runtime", "done");
  stage("pillow", "working");
  await pyodide.loadPackage("pillow", { checkIntegrity: true, messageCallback: () => {} });
  stage("pillow", "done");
  stage("imgcompress", "working");
  await pyodide.loadPackage("imgcompress", { checkIntegrity: true, messageCallback: () => {} });
  const versions = pyodide.runPython(`
import sys, PIL, PIL.features, imgcompress
{"python": sys.version.split()[0], "pillow": PIL.__version__,
 "features": {f: PIL.features.check(f) for f in ("jpg", "zlib", "webp", "littlecms2")}}
`).toJs({ dict_converter: Object.fromEntries });
  stage("imgcompress", "done");
  postMessage({ type: "ready", versions, ms: Math.round(performance.now() - started) });
}

addEventListener("message", (event) => {
  if (event.data.type === "start") {
    start().catch((err) => postMessage({ type: "failed", message: String(err?.message ?? err) }));
  }
});
