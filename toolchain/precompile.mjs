// Runs toolchain/precompile_wheels.py inside the pinned Pyodide under Node, so the bytecode it
// writes into the site's wheels is that of the very interpreter the page runs.
// usage: node precompile.mjs PYODIDE_DIR WHEEL_DIR WHEEL...   (the wheels are rewritten in place)
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const [runtime, wheelDir, ...wheels] = process.argv.slice(2);
const { loadPyodide } = await import(pathToFileURL(join(runtime, "pyodide.mjs")).href);
const pyodide = await loadPyodide({ indexURL: join(runtime, "/") });
pyodide.FS.mkdirTree("/wheels");
pyodide.FS.mount(pyodide.FS.filesystems.NODEFS, { root: wheelDir }, "/wheels");
const script = readFileSync(join(dirname(fileURLToPath(import.meta.url)), "precompile_wheels.py"), "utf8");
pyodide.globals.set("WHEELS", pyodide.toPy(wheels.map((name) => `/wheels/${name}`)));
pyodide.runPython(script);
