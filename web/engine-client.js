// The only door to the workers: id-tagged requests, each answered once, cancellable.
export class EngineClient extends EventTarget {
  #worker;
  #nextId = 1;
  #pending = new Map();

  constructor(workerUrl = new URL("./worker.js", import.meta.url)) {
    super();
    this.#worker = new Worker(workerUrl, { type: "module", name: "imgcompress" });
    this.#worker.addEventListener("message", (event) => this.#onMessage(event.data));
    this.#worker.addEventListener("error", (event) => {
      this.dispatchEvent(new CustomEvent("failed", { detail: { message: event.message } }));
    });
    this.ready = new Promise((resolve, reject) => {
      this.addEventListener("ready", (e) => resolve(e.detail), { once: true });
      this.addEventListener("failed", (e) => reject(new Error(e.detail.message)), { once: true });
    });
    this.#worker.postMessage({ type: "start" });
  }

  #onMessage(msg) {
    if (msg.type === "stage" || msg.type === "ready" || msg.type === "failed") {
      this.dispatchEvent(new CustomEvent(msg.type, { detail: msg }));
      return;
    }
    const pending = this.#pending.get(msg.id);
    if (!pending) return;
    this.#pending.delete(msg.id);
    if (msg.type === "result") pending.resolve(msg);
    else pending.reject(Object.assign(new Error(msg.message), { code: msg.code }));
  }

  request(type, payload, transfer = []) {
    const id = this.#nextId++;
    const promise = new Promise((resolve, reject) => this.#pending.set(id, { resolve, reject }));
    this.#worker.postMessage({ id, type, ...payload }, transfer);
    return { id, promise };
  }

  terminate() {
    this.#worker.terminate();
    for (const { reject } of this.#pending.values()) reject(new Error("cancelled"));
    this.#pending.clear();
  }
}
