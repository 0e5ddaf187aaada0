// The privacy ledger: what the page and its workers asked of the network since the engine became
// ready (expected: nothing), what was blocked, which files the page runs (with their SHA-256
// from the build manifest), and whether the service worker guards the workers and keeps the
// page available offline. It only observes and reports; the guards are the CSP and sw.js.
import { watchNetwork } from "./netwatch.js";
import { renderLicences } from "./licences.js";

const SW_URL = new URL("./sw.js", import.meta.url);
const MANIFEST_URL = new URL("./manifest.json", import.meta.url);

function formatBytes(n) {
  if (n < 1024) return `${n} bytes`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

function el(tag, props = {}, ...children) {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

export class PrivacyLedger {
  #readyAt = null;
  #requests = [];
  #blocked = [];
  #bytesSent = 0;
  #guard = "unknown"; // unsupported | installing | unguarded | active
  #registration = Promise.resolve(null);
  #panel;
  #button;

  constructor(panel, button) {
    this.#panel = panel;
    this.#button = button;
    this.#build();
    watchNetwork(window, (event) => this.record(event, "page"));
    this.#loadManifest();
    renderLicences(this.licencesBox);
    this.#registration = this.#registerServiceWorker();
    this.#registration.catch(() => {}); // reported in the panel; guarded() still resolves
    button.addEventListener("click", () => this.toggle());
    panel.addEventListener("keydown", (event) => {
      if (event.key === "Escape") this.toggle(false);
    });
  }

  /**
   * Resolves once the service worker controls this page, at once where it already does or where
   * service workers are unavailable, and after `timeoutMs` at the latest. The page starts its
   * workers after this, so that even on a first visit they run under the service worker's guard
   * (their scripts then come with the policy header, their requests pass through it).
   */
  guarded(timeoutMs = 15000) {
    if (!("serviceWorker" in navigator) || navigator.serviceWorker.controller) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => resolve();
      navigator.serviceWorker.addEventListener("controllerchange", done, { once: true });
      this.#registration.catch(done);
      setTimeout(() => {
        if (!navigator.serviceWorker.controller && this.#guard === "installing") {
          this.#guard = "unguarded";
          this.#render();
        }
        done();
      }, timeoutMs);
    });
  }

  /** Start counting: everything before this was the page loading its own code. */
  markReady() {
    this.#readyAt ??= performance.timeOrigin + performance.now();
    this.#render();
  }

  /** One network event from the page, a worker ("worker") or the service worker ("sw"). */
  record(event, source) {
    if (this.#readyAt === null || event.at < this.#readyAt) return;
    const entry = { ...event, source };
    if (event.kind === "resource" && !event.failed) this.#requests.push(entry);
    else if (event.kind === "blocked") this.#blocked.push(entry);
    else if (event.kind === "sent") this.#bytesSent += event.bytes;
    this.#render();
  }

  toggle(open = this.#panel.hidden) {
    this.#panel.hidden = !open;
    this.#button.setAttribute("aria-expanded", String(open));
    if (open) this.#panel.querySelector("h2").focus();
    else this.#button.focus();
  }

  #build() {
    this.#panel.replaceChildren(
      el("h2", { id: "privacy-title", tabIndex: -1, textContent: "Privacy: what this page sent" }),
      (this.ledger = el("div", { id: "privacy-ledger", className: "ledger" })),
      (this.guardText = el("p", { className: "guard" })),
      el("h3", { textContent: "Check it yourself" }),
      el("p", {
        textContent:
          "Open your browser's developer tools (F12), choose the Network tab and compress a few " +
          "files: after the engine has loaded, no new request appears, and none is a POST or goes " +
          "to another site.",
      }),
      el("p", {
        textContent:
          "You can also switch your network off after the page has loaded: compression keeps " +
          "working, because everything runs in this tab.",
      }),
      (this.filesBox = el("details", {}, el("summary", { textContent: "Files this page runs" }))),
      (this.licencesBox = el("details", { id: "licences" }, el("summary", { textContent: "Licences" }))),
      el("button", { type: "button", className: "close", textContent: "Close", onclick: () => this.toggle(false) }),
    );
    this.#panel.setAttribute("aria-labelledby", "privacy-title");
    this.#render();
  }

  #render() {
    const since = this.#readyAt === null
      ? "so far (counting starts when every worker has finished loading its code)"
      : "since every worker finished loading its code";
    const requests = this.#requests.length;
    const blocked = this.#blocked.length;
    this.ledger.dataset.requests = String(requests);
    this.ledger.dataset.bytesSent = String(this.#bytesSent);
    this.ledger.dataset.blocked = String(blocked);
    this.ledger.dataset.counting = this.#readyAt === null ? "not-yet" : "since-ready";
    const lines = [
      el("p", { className: "counts" },
        el("strong", { textContent: String(requests) }), ` request${requests === 1 ? "" : "s"} made and `,
        el("strong", { textContent: formatBytes(this.#bytesSent) }), ` sent ${since}; `,
        el("strong", { textContent: String(blocked) }), ` attempt${blocked === 1 ? "" : "s"} blocked.`),
    ];
    const recent = [...this.#requests, ...this.#blocked].slice(-8);
    if (recent.length) {
      lines.push(el("ul", { className: "recent" }, ...recent.map((e) =>
        el("li", { textContent: `${e.kind === "blocked" ? "Blocked" : "Request"} from the ${e.source}: ${e.method ? `${e.method} ` : ""}${e.url}` }))));
    }
    this.ledger.replaceChildren(...lines);
    this.guardText.textContent = {
      unknown: "Checking the service worker…",
      unsupported:
        "Service workers are off in this browser. The page works and its Content-Security-Policy " +
        "still binds the page, but the compression workers are guarded only where your host sends " +
        "the policy as a header, and the page is not available offline.",
      installing:
        "First visit: the service worker is installing. The compression workers wait for it, " +
        "so that they start under its guard; the page's own Content-Security-Policy already " +
        "binds the page.",
      unguarded:
        "The service worker did not become active in time, so the compression workers started " +
        "without it: the page's Content-Security-Policy binds the page but not its workers. " +
        "Reload the page to run them under the guard.",
      active:
        "The service worker is active: it answers only this site's own files, refuses every " +
        "other request from the page and its workers, and keeps this version available offline.",
    }[this.#guard];
    document.body.dataset.privacyGuard = this.#guard;
  }

  async #loadManifest() {
    let manifest;
    try {
      manifest = await (await fetch(MANIFEST_URL)).json();
    } catch {
      this.filesBox.append(el("p", { textContent: "The build manifest could not be read." }));
      return;
    }
    const files = Object.entries(manifest.files);
    const total = files.reduce((sum, [, f]) => sum + f.size, 0);
    this.filesBox.querySelector("summary").textContent =
      `Files this page runs: ${files.length}, ${formatBytes(total)}, version ${manifest.version}`;
    const rows = files.map(([path, f]) =>
      el("tr", {}, el("td", { textContent: path }), el("td", { textContent: formatBytes(f.size) }),
        el("td", {}, el("code", { textContent: f.sha256 }))));
    const head = el("tr", {}, ...["File", "Size", "SHA-256"].map((t) => el("th", { scope: "col", textContent: t })));
    this.filesBox.append(el("div", { className: "table-scroll" },
      el("table", { className: "manifest-files" }, el("thead", {}, head), el("tbody", {}, ...rows))));
  }

  async #registerServiceWorker() {
    if (!("serviceWorker" in navigator)) {
      this.#guard = "unsupported";
      this.#render();
      return;
    }
    navigator.serviceWorker.addEventListener("message", (event) => {
      const msg = event.data;
      if (msg?.type !== "imgcompress:request" || msg.outcome !== "blocked") return;
      this.record({ kind: "blocked", url: msg.url, method: msg.method, at: Date.now() }, "service worker");
    });
    this.#guard = navigator.serviceWorker.controller ? "active" : "installing";
    this.#render();
    try {
      await navigator.serviceWorker.register(SW_URL, { scope: "./" });
      await navigator.serviceWorker.ready;
      if (navigator.serviceWorker.controller) this.#markOffline();
      navigator.serviceWorker.addEventListener("controllerchange", () => this.#markOffline());
    } catch (err) {
      console.warn("service worker not registered:", err);
      this.#guard = "unsupported";
      this.#render();
      throw err;
    }
  }

  #markOffline() {
    this.#guard = navigator.serviceWorker.controller ? "active" : "installing";
    if (navigator.serviceWorker.controller) {
      document.body.dataset.offline = "ready";
      document.getElementById("offline-badge")?.removeAttribute("hidden");
    }
    this.#render();
  }
}
