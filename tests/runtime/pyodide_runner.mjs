// Runs a Python script inside Pyodide under Node, loading Pillow and imgcompress from the built
// site exactly as the page does (its lock file, its wheels, integrity checked).
// usage: node pyodide_runner.mjs SITE_DIR DATA_DIR OUT_JSON < script.py
// DATA_DIR is mounted at /data; the script's `result` is written to OUT_JSON as JSON. The script
// runs with top-level await, so it can load a lazy codec package as the worker does:
// `import pyodide_js; await pyodide_js.loadPackage("avif")`.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [site, dataDir, outPath] = process.argv.slice(2);
const { loadPyodide } = await import(pathToFileURL(join(site, "pyodide", "pyodide.mjs")).href);
const wheels = join(site, "wheels") + "/";
const pyodide = await loadPyodide({
  indexURL: join(site, "pyodide") + "/",
  lockFileURL: join(wheels, "pyodide-lock.json"),
  packageBaseUrl: wheels,
  packageCacheDir: wheels,
});
await pyodide.loadPackage("imgcompress", { checkIntegrity: true, messageCallback: () => {} });
pyodide.FS.mkdirTree("/data");
pyodide.FS.mount(pyodide.FS.filesystems.NODEFS, { root: dataDir }, "/data");
await pyodide.runPythonAsync(readFileSync(0, "utf8"));
writeFileSync(outPath, pyodide.runPython("import json; json.dumps(result)"));
