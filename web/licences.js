// The Licences section of the privacy panel: every library the site ships, its version and
// licence, with links to the licence texts and the exact source archives this site serves.
// Everything shown comes from licences.json, which the build generates from what it read
// (toolchain/site_licences.py); nothing here names a library.
import { formatBytes } from "./report.js";

const LICENCES_URL = new URL("./licences.json", import.meta.url);

function el(tag, props = {}, ...children) {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

function link(entry, text = entry.file.split("/").pop()) {
  const a = el("a", { href: new URL(entry.file, LICENCES_URL).href, textContent: text });
  a.title = `${formatBytes(entry.size)}, SHA-256 ${entry.sha256}`;
  return a;
}

function joined(nodes) {
  const out = [];
  nodes.forEach((node, i) => out.push(...(i ? [", ", node] : [node])));
  return out;
}

const PACKAGE_NAMES = {
  runtime: "the Python runtime, loaded first",
  pillow: "loaded at start-up",
  imgcompress: "loaded at start-up",
};

function where(pkg) {
  return PACKAGE_NAMES[pkg] ?? `package “${pkg}”, loaded only when a file needs it`;
}

/** Fills `box` (a <details>) with the Licences table; a failure is said, not hidden. */
export async function renderLicences(box) {
  let doc;
  try {
    doc = await (await fetch(LICENCES_URL)).json();
  } catch {
    box.append(el("p", { textContent: "The licence list could not be read." }));
    return;
  }
  const head = el("tr", {}, ...["Library", "Version", "Licence", "Shipped in", "Licence text", "Source"]
    .map((t) => el("th", { scope: "col", textContent: t })));
  const rows = [
    el("tr", {},
      el("td", { textContent: doc.ours.name }), el("td", { textContent: "this site" }),
      el("td", { textContent: doc.ours.licence }), el("td", { textContent: where("imgcompress") }),
      el("td", {}, ...joined(doc.ours.licence_files.map((f) => link(f)))),
      el("td", {}, link(doc.ours.build_scripts, "build scripts"))),
    ...doc.libraries.map((lib) => el("tr", {},
      el("td", { textContent: lib.name }), el("td", { textContent: lib.version }),
      el("td", {}, el("code", { textContent: lib.licence })), el("td", { textContent: where(lib.package) }),
      el("td", {}, ...joined(lib.licence_files.map((f) => link(f)))),
      el("td", {}, ...joined([link(lib.source), ...lib.packaging.map((f) => link(f))]),
        ...(lib.note ? [el("br"), el("small", { textContent: lib.note })] : [])))),
    ...doc.runtime.map((rt) => el("tr", {},
      el("td", { textContent: rt.name }), el("td", { textContent: rt.version }),
      el("td", {}, el("code", { textContent: rt.licence })), el("td", { textContent: where(rt.package) }),
      el("td", { textContent: "—" }), el("td", {}, el("small", { textContent: rt.note })))),
  ];
  box.querySelector("summary").textContent = `Licences: ${rows.length} components`;
  box.append(
    el("p", {
      textContent:
        "Each library below is built from the archive linked here, with the build scripts " +
        "linked on the first row; together they rebuild (and relink) exactly what this site runs.",
    }),
    el("div", { className: "table-scroll" },
      el("table", { className: "manifest-files licences" }, el("thead", {}, head), el("tbody", {}, ...rows))));
}
