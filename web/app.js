// UI only: files in, rows out. Every byte goes to the engine through engine-client.js.
import { EnginePool } from "./engine-client.js";
import * as settingsStore from "./settings.js";
import { CompareView } from "./compare.js";
import { describeMetadata, describeNotes, describeResult, formatBytes, formatPercentSaved } from "./report.js";
import { choiceValues, imageNameFilter, readableNames } from "./formats.js";
import { PrivacyLedger } from "./privacy.js";
import { watchUpdates } from "./update.js";
import { BatchClock } from "./rate.js";
import { PART_BYTES, partNames, uniqueNames, zipParts } from "./zip.js";

const $ = (selector) => document.querySelector(selector);
const body = document.body;
const form = $("#settings");
const list = $("#files");
const rowTemplate = $("#row-template");
const totalsEl = $("#totals");
const rateEl = $("#batch-rate");
const zipPartsEl = $("#zip-parts");
const announcer = $("#announcer");
const downloadAll = $("#download-all");
const cancelAll = $("#cancel-all");
const clearAll = $("#clear-all");
const status = $("#engine-status");
const progress = $("#engine-progress");
const compare = new CompareView($("#compare"));
const fileInput = $("#file-input");

// Which names in a dropped folder are images: the engine says, in its ready message. A folder
// dropped before then is walked at once and filtered when the answer comes.
let resolveImageFilter;
const imageFilter = new Promise((resolve) => (resolveImageFilter = resolve));

let settings = settingsStore.load();
settingsStore.writeForm(form, settings);
let optionsKey = JSON.stringify(settingsStore.toOptions(settings));
syncSettingsUi();
settingsStore.save(settings);

const ledger = new PrivacyLedger($("#privacy-panel"), $("#privacy-button"));
// Workers "auto": the pool sizes itself to the device's measured cores and its memory. Each
// worker warms up while idle, so the first photo is about as fast as the next (README, "The
// first photo"). Test hook (bench/warmup_bench.py): this localStorage key set to "off" turns
// the warm-up off, to measure the first photo without it.
const WARM_UP_KEY = "imgcompress-test-warm-up";
function warmUpWanted() {
  try {
    return localStorage.getItem(WARM_UP_KEY) !== "off";
  } catch {
    return true; // storage refused: no test asked for anything
  }
}
const warmUp = warmUpWanted();
const pool = new EnginePool(settings.workers, { startAfter: ledger.guarded(), warmUp });
const warmUps = []; // the `warm` events' details, for the benchmark and tests
pool.addEventListener("warm", ({ detail }) => warmUps.push(detail));
pool.addEventListener("net", ({ detail }) => ledger.record(detail, "worker"));
const entries = new Map(); // entry id -> entry (insertion order = row order)
const jobs = new Map(); // pool job id -> entry
let nextEntryId = 1;
const clock = new BatchClock(); // the running batch's throughput and time left
let readyInfo = null;

// ---------------------------------------------------------------- engine status
const stageOrder = ["runtime", "pillow", "imgcompress"];
pool.addEventListener("stage", ({ detail }) => {
  const item = document.querySelector(`#stages [data-stage="${detail.stage}"]`);
  if (item) item.dataset.state = detail.state;
  const done = stageOrder.filter((s) => $(`#stages [data-stage="${s}"]`).dataset.state === "done").length;
  progress.value = done + (detail.state === "working" ? 0.5 : 0);
  const label = item ? item.textContent : detail.stage;
  if (detail.state === "working") status.textContent = `Loading ${label}… you can add images already.`;
});

pool.addEventListener("ready", ({ detail }) => {
  performance.mark("imgcompress:engine-ready");
  readyInfo = detail;
  useFormats(detail);
  progress.value = 3;
  body.dataset.engine = "ready";
  updateEngineStatus();
  announce("The engine is ready.");
});

/** The engine's formats reach the page: the output choices, the picker, the folder filter. */
function useFormats({ formats, choices, accept }) {
  settingsStore.writeChoices(form, choices);
  fileInput.accept = accept;
  $("#format-names").textContent = ` ${readableNames(formats)}.`;
  resolveImageFilter(imageNameFilter(formats));
  // A format from a link or storage that this engine does not offer becomes the default;
  // files queued meanwhile with it are re-run (this listener runs before any job starts).
  const { format } = settingsStore.normalise(settings, choiceValues(choices));
  form.elements.format.value = format;
  if (format !== settings.format) applySettings();
}

pool.addEventListener("failed", ({ detail }) => {
  // No engine, no list: a folder dropped meanwhile is added whole, to fail visibly, not vanish.
  resolveImageFilter(() => true);
  body.dataset.engine = "error";
  status.textContent = `The engine failed to start: ${detail.message}`;
  announce(status.textContent);
});

pool.addEventListener("change", ({ detail }) => {
  updateEngineStatus();
  // The ledger counts from the moment the whole pool has loaded its code: anything after that
  // would be the page talking to the network while it works, which it never should.
  if (detail.ready >= detail.size) ledger.markReady();
});

pool.addEventListener("start", ({ detail }) => {
  const entry = jobs.get(detail.id);
  if (entry && entry.job?.id === detail.id) {
    clock.started(performance.now());
    setState(entry, "working");
  }
});

function updateEngineStatus() {
  if (!readyInfo) return;
  const { python, pillow } = readyInfo.versions;
  const workers = `${pool.readyCount} of ${pool.size} worker${pool.size === 1 ? "" : "s"} ready`;
  status.textContent =
    `Ready in ${(readyInfo.ms / 1000).toFixed(1)} s: Python ${python}, Pillow ${pillow} · ${workers}.`;
  const cores = pool.cores === null ? "" : `, ${pool.cores} of them free to work at once`;
  $("#workers-hint").textContent =
    `This browser reports ${navigator.hardwareConcurrency || "?"} cores${cores}; ${workers}.`;
}

// ---------------------------------------------------------------- new versions
// The engine stops before a new version takes over: this page must not load its files.
watchUpdates($("#update-button"), {
  stopEngine(text) {
    pool.terminate();
    body.dataset.engine = "stopped";
    status.textContent = text;
  },
  announce: (text) => announce(text),
});

// ---------------------------------------------------------------- announcements
let announceTimer = null;
function announce(text) {
  announcer.textContent = text;
}
function announceProgressSoon() {
  if (announceTimer) return;
  announceTimer = setTimeout(() => {
    announceTimer = null;
    const c = counts();
    if (c.pending === 0 && c.total > 0) {
      announce(`All done: ${c.done} compressed${c.error ? `, ${c.error} failed` : ""}.`);
    } else if (c.total > 0) {
      announce(`${c.done + c.error} of ${c.total} files finished.`);
    }
  }, 1500);
}

// ---------------------------------------------------------------- adding files
function addFiles(files) {
  const added = [...files].filter((f) => f instanceof File);
  for (const file of added) {
    const entry = {
      id: nextEntryId++,
      file,
      name: file.name || "pasted image",
      state: "queued",
      job: null,
      result: null,
      error: null,
    };
    entry.row = createRow(entry);
    entries.set(entry.id, entry);
    list.append(entry.row);
    enqueue(entry);
  }
  if (added.length) {
    announce(`${added.length} file${added.length === 1 ? "" : "s"} added.`);
    updateTotals();
  }
}

fileInput.addEventListener("change", (event) => {
  addFiles(event.target.files);
  event.target.value = "";
});

document.addEventListener("paste", (event) => {
  const files = [...(event.clipboardData?.files || [])];
  if (!files.length) return;
  event.preventDefault();
  addFiles(files);
});

function hasFiles(event) {
  return [...(event.dataTransfer?.types || [])].includes("Files");
}
let dragDepth = 0;
document.addEventListener("dragenter", (event) => {
  if (!hasFiles(event)) return;
  dragDepth++;
  body.classList.add("dragging");
});
document.addEventListener("dragleave", () => {
  dragDepth = Math.max(0, dragDepth - 1);
  if (dragDepth === 0) body.classList.remove("dragging");
});
document.addEventListener("dragover", (event) => {
  if (!hasFiles(event)) return;
  event.preventDefault();
  event.dataTransfer.dropEffect = "copy";
});
document.addEventListener("drop", (event) => {
  if (!hasFiles(event)) return;
  event.preventDefault();
  dragDepth = 0;
  body.classList.remove("dragging");
  // Entries must be taken now: the DataTransfer is emptied when this handler returns.
  const items = [...event.dataTransfer.items].filter((item) => item.kind === "file");
  const entriesToWalk = items.map((item) => item.webkitGetAsEntry?.() ?? null);
  const plain = [...event.dataTransfer.files];
  if (!entriesToWalk.some(Boolean)) {
    addFiles(plain);
    return;
  }
  collectFiles(entriesToWalk, plain).then(addFiles, (err) => console.error(err));
});

// Files dropped one by one are all added (the engine names any it cannot read); inside a
// dropped folder only the images are, so its other files do not fill the list with errors.
async function collectFiles(fsEntries, fallback) {
  const out = [];
  const inFolders = [];
  for (let i = 0; i < fsEntries.length; i++) {
    const entry = fsEntries[i];
    if (!entry) {
      if (fallback[i]) out.push(fallback[i]);
    } else if (entry.isDirectory) {
      await walkDirectory(entry, inFolders);
    } else {
      out.push(await fileOf(entry));
    }
  }
  if (inFolders.length && body.dataset.engine === "loading") {
    announce("The folder's images are added as soon as the engine is ready.");
  }
  const isImage = await imageFilter;
  return [...out, ...inFolders.filter((f) => isImage(f.name))];
}

const fileOf = (entry) => new Promise((resolve, reject) => entry.file(resolve, reject));

async function walkDirectory(dir, out) {
  const reader = dir.createReader();
  for (;;) {
    // readEntries answers in chunks (100 in Chromium) until it returns an empty list.
    const chunk = await new Promise((resolve, reject) => reader.readEntries(resolve, reject));
    if (!chunk.length) break;
    for (const child of chunk) {
      if (child.isDirectory) await walkDirectory(child, out);
      else out.push(await fileOf(child));
    }
  }
}

// ---------------------------------------------------------------- jobs
function enqueue(entry) {
  clearResult(entry);
  entry.error = null;
  const options = settingsStore.toOptions(settings);
  const job = pool.submit("compress", async () => {
    const data = await entry.file.arrayBuffer();
    return { payload: { data, options, name: entry.name }, transfer: [data] };
  });
  entry.job = job;
  jobs.set(job.id, entry);
  setState(entry, "queued");
  job.promise.then(
    (answer) => {
      jobs.delete(job.id);
      if (entry.job !== job || !entries.has(entry.id)) return;
      entry.job = null;
      setResult(entry, answer);
    },
    (err) => {
      jobs.delete(job.id);
      if (err.code === "cancelled" || entry.job !== job || !entries.has(entry.id)) return;
      entry.job = null;
      setError(entry, err);
    },
  );
}

function clearResult(entry) {
  if (entry.result?.url) URL.revokeObjectURL(entry.result.url);
  entry.result = null;
}

// The page keeps each result as a Blob only (the browser stores Blobs outside the JavaScript
// heap and may spill them to disk): the transferred buffer is dropped once copied into it.
function setResult(entry, answer) {
  const blob = new Blob([answer.data], { type: answer.result.mime_type });
  entry.result = {
    ...answer.result,
    blob,
    url: URL.createObjectURL(blob),
    downloadName: answer.name,
    crc32: answer.crc32,
    ms: answer.ms,
    heap: answer.heap,
    worker: answer.worker,
  };
  setState(entry, "done");
}

function setError(entry, err) {
  entry.error = { code: err.code || "internal_error", message: err.message || String(err) };
  setState(entry, "error");
}

function removeEntry(entry) {
  if (entry.job) {
    const job = entry.job;
    entry.job = null;
    job.cancel({ terminate: true });
  }
  clearResult(entry);
  thumbObserver.unobserve(entry.row);
  entries.delete(entry.id);
  entry.row.remove();
  updateTotals();
}

function rerunAll() {
  clock.reset();
  for (const entry of entries.values()) {
    if (entry.job) {
      // A running job finishes in the background and is ignored: restarting a worker costs more.
      entry.job.cancel({ terminate: false });
      entry.job = null;
    }
    enqueue(entry);
  }
  if (entries.size) announce(`Settings changed: compressing ${entries.size} file${entries.size === 1 ? "" : "s"} again.`);
}

// ---------------------------------------------------------------- thumbnails
// Thumbnails are small canvases drawn one at a time, only for rows near the viewport: a batch
// of 200 photos must not keep 400 full-size decoded images alive in the page.
const THUMB_PX = 128;
const thumbQueue = [];
let thumbBusy = false;
const thumbObserver = new IntersectionObserver(
  (items) => {
    for (const item of items) {
      if (!item.isIntersecting) continue;
      thumbObserver.unobserve(item.target);
      const entry = entries.get(Number(item.target.dataset.id));
      if (entry?.result) thumbQueue.push({ entry, result: entry.result });
    }
    drawThumbs();
  },
  { rootMargin: "300px" },
);

async function drawThumbs() {
  if (thumbBusy) return;
  thumbBusy = true;
  while (thumbQueue.length) {
    const { entry, result } = thumbQueue.shift();
    if (entry.result !== result) continue; // re-run or removed meanwhile
    const ratio = result.width / result.height || 1;
    const size =
      ratio >= 1
        ? { resizeHeight: THUMB_PX, resizeWidth: Math.min(4 * THUMB_PX, Math.round(THUMB_PX * ratio)) }
        : { resizeWidth: THUMB_PX, resizeHeight: Math.min(4 * THUMB_PX, Math.round(THUMB_PX / ratio)) };
    const pairs = [
      [entry.row.querySelector("[data-thumb-before]"), entry.file],
      [entry.row.querySelector("[data-thumb-after]"), result.blob],
    ];
    for (const [canvas, blob] of pairs) {
      try {
        const bitmap = await createImageBitmap(blob, { ...size, resizeQuality: "medium" });
        if (entry.result === result) {
          canvas.width = bitmap.width;
          canvas.height = bitmap.height;
          canvas.getContext("2d").drawImage(bitmap, 0, 0);
          canvas.hidden = false;
          entry.row.querySelector("[data-thumb-placeholder]").hidden = true;
        }
        bitmap.close();
      } catch {
        // Leave the placeholder: the file is fine, the browser just cannot preview it.
      }
    }
  }
  thumbBusy = false;
}

// ---------------------------------------------------------------- rows
function createRow(entry) {
  const row = rowTemplate.content.firstElementChild.cloneNode(true);
  row.dataset.name = entry.name;
  row.dataset.id = String(entry.id);
  row.querySelector("[data-name-text]").textContent = entry.name;
  // The original is shown only once the engine has accepted it: a decompression bomb must not
  // be decoded by the page itself just to draw a thumbnail.
  const ext = /\.([a-z0-9]{1,5})$/i.exec(entry.name);
  row.querySelector("[data-thumb-placeholder]").textContent = ext ? ext[1].toUpperCase() : "?";
  row.querySelector("[data-cancel]").addEventListener("click", () => {
    const next = row.nextElementSibling || row.previousElementSibling;
    removeEntry(entry);
    next?.querySelector("[data-cancel]")?.focus();
    if (!next) fileInput.focus();
  });
  row.querySelector("[data-compare]").addEventListener("click", (event) => {
    if (!entry.result) return;
    // The original gets an object URL only while the compare view shows it.
    const beforeUrl = URL.createObjectURL(entry.file);
    compare.open(
      {
        name: entry.name,
        beforeUrl,
        onClose: () => URL.revokeObjectURL(beforeUrl),
        afterUrl: entry.result.url,
        width: entry.result.width,
        height: entry.result.height,
        caption: `${formatBytes(entry.file.size)} → ${formatBytes(entry.result.size)} (${formatPercentSaved(entry.file.size, entry.result.size)}) · ${describeResult(entry.result)}`,
      },
      event.currentTarget,
    );
  });
  return row;
}

const STATE_WORDS = { queued: "Waiting", working: "Compressing…", done: "Done", error: "Failed" };

function setState(entry, state) {
  entry.state = state;
  const row = entry.row;
  row.dataset.state = state;
  row.querySelector("[data-state-text]").textContent = STATE_WORDS[state];
  const sizes = row.querySelector("[data-sizes]");
  const errorSlot = row.querySelector("[data-error-slot]");
  const metadata = row.querySelector("[data-metadata]");
  const details = row.querySelector("[data-details]");
  const notesEl = row.querySelector("[data-notes]");
  const download = row.querySelector("[data-download]");
  const compareButton = row.querySelector("[data-compare]");
  const cancel = row.querySelector("[data-cancel]");
  const after = row.querySelector("[data-thumb-after]");
  const before = row.querySelector("[data-thumb-before]");
  const placeholder = row.querySelector("[data-thumb-placeholder]");

  cancel.textContent = state === "queued" || state === "working" ? "Cancel" : "Remove";
  cancel.setAttribute("aria-label", `${cancel.textContent} ${entry.name}`);
  metadata.replaceChildren();
  details.textContent = "";
  notesEl.textContent = "";
  notesEl.hidden = true;

  if (state === "done") {
    const r = entry.result;
    sizes.replaceChildren(
      document.createTextNode(`${formatBytes(entry.file.size)} → ${formatBytes(r.size)} `),
      Object.assign(document.createElement("strong"), {
        className: r.size <= entry.file.size ? "saved" : "grew",
        textContent: formatPercentSaved(entry.file.size, r.size),
      }),
    );
    for (const item of describeMetadata(r.report || {})) {
      const li = document.createElement("li");
      li.textContent = item.text;
      li.dataset.key = item.key;
      if (item.kept) li.classList.add("kept");
      metadata.append(li);
    }
    details.textContent = describeResult(r);
    // What the engine wants a person to know (a missed target, a kept original, a better
    // format for this image), shown, not hidden in a tooltip.
    const notes = describeNotes(r.report?.notes);
    for (const { code, text } of notes) {
      const span = Object.assign(document.createElement("span"), { textContent: text });
      span.dataset.code = code;
      notesEl.append(notesEl.childElementCount ? " " : "", span);
    }
    notesEl.hidden = notes.length === 0;
    download.href = r.url;
    download.download = r.downloadName;
    download.hidden = false;
    download.setAttribute("aria-label", `Download ${r.downloadName}`);
    compareButton.hidden = false;
    compareButton.setAttribute("aria-label", `Compare ${entry.name} before and after`);
    before.setAttribute("aria-label", `${entry.name}, original`);
    after.setAttribute("aria-label", `${entry.name}, compressed`);
    thumbObserver.observe(row);
  } else {
    sizes.textContent = formatBytes(entry.file.size);
    download.hidden = true;
    download.removeAttribute("href");
    download.removeAttribute("download");
    compareButton.hidden = true;
    thumbObserver.unobserve(row);
    after.hidden = true;
    before.hidden = true;
    placeholder.hidden = false;
  }

  if (state === "error") {
    errorSlot.hidden = false;
    errorSlot.setAttribute("data-error", entry.error.code);
    errorSlot.textContent = sentence(entry.error.message);
  } else {
    errorSlot.hidden = true;
    errorSlot.removeAttribute("data-error");
    errorSlot.textContent = "";
  }
  if (state === "done" || state === "error") {
    clock.finished();
    announceProgressSoon();
  }
  updateTotals();
}

function sentence(text) {
  const t = String(text || "").trim();
  if (!t) return "This file could not be compressed.";
  return t[0].toUpperCase() + t.slice(1) + (/[.!?]$/.test(t) ? "" : ".");
}

// ---------------------------------------------------------------- totals and batch actions
function counts() {
  const c = { total: 0, queued: 0, working: 0, done: 0, error: 0, pending: 0, before: 0, after: 0 };
  for (const e of entries.values()) {
    c.total++;
    c[e.state]++;
    if (e.state === "done") {
      c.before += e.file.size;
      c.after += e.result.size;
    }
  }
  c.pending = c.queued + c.working;
  return c;
}

function updateTotals() {
  const c = counts();
  body.dataset.files = c.total ? "some" : "none";
  downloadAll.disabled = c.done === 0;
  cancelAll.disabled = c.pending === 0;
  clearAll.disabled = c.total === 0;
  if (!c.total) {
    totalsEl.textContent = "No files yet.";
    updateRate(c);
    return;
  }
  const parts = [`${c.done} of ${c.total} done`];
  if (c.working) parts.push(`${c.working} compressing`);
  if (c.queued) parts.push(`${c.queued} waiting`);
  if (c.error) parts.push(`${c.error} failed`);
  let text = parts.join(" · ");
  if (c.done) text += ` — ${formatBytes(c.before)} → ${formatBytes(c.after)} (${formatPercentSaved(c.before, c.after)})`;
  totalsEl.textContent = text;
  updateRate(c);
}

// Throughput and time left while a batch runs; the batch ends when nothing is pending.
function updateRate(c = counts()) {
  if (c.pending === 0) clock.reset();
  const text = clock.text(c.pending, performance.now());
  rateEl.hidden = text === null;
  rateEl.textContent = text ?? "";
}

cancelAll.addEventListener("click", () => {
  for (const entry of [...entries.values()]) {
    if (entry.state === "queued" || entry.state === "working") removeEntry(entry);
  }
  announce("Cancelled the files still waiting.");
  fileInput.focus();
});

clearAll.addEventListener("click", () => {
  for (const entry of [...entries.values()]) removeEntry(entry);
  showZipParts([]);
  announce("Cleared.");
  fileInput.focus();
});

// "Download all": ZIP archives composed of the results' Blobs and small headers (zip.js), so
// nothing is copied and no worker is involved. A batch over PART_BYTES comes in parts, each
// a valid ZIP, offered as links to click one by one (browsers block a burst of downloads).
const ZIP_PART_BYTES_KEY = "imgcompress-test-zip-part-bytes";
let zipUrls = [];

// Test hook (tests/e2e/test_batch_zip.py): this localStorage key lowers the part size, so that
// splitting can be seen with a few small files; it can only lower it.
function zipPartBytes() {
  const bytes = Number(localStorage.getItem(ZIP_PART_BYTES_KEY));
  return bytes > 0 && bytes < PART_BYTES ? bytes : PART_BYTES;
}

function showZipParts(parts) {
  for (const url of zipUrls) URL.revokeObjectURL(url);
  zipUrls = parts.map((part) => part.url);
  zipPartsEl.replaceChildren(
    ...parts.map(({ url, name, size }, i) => {
      const link = Object.assign(document.createElement("a"), { href: url, download: name });
      link.className = "button ghost small";
      link.textContent = `Part ${i + 1} of ${parts.length} (${formatBytes(size)})`;
      const li = document.createElement("li");
      li.append(link);
      return li;
    }),
  );
  zipPartsEl.hidden = parts.length < 2;
}

downloadAll.addEventListener("click", () => {
  const done = [...entries.values()].filter((e) => e.state === "done");
  if (!done.length) return;
  const names = uniqueNames(done.map((e) => e.result.downloadName));
  const files = done.map((e, i) => ({ name: names[i], blob: e.result.blob, crc32: e.result.crc32 }));
  const blobs = zipParts(files, { partBytes: zipPartBytes() });
  const fileNames = partNames(`imgcompress-${done.length}-files`, blobs.length);
  const parts = blobs.map((blob, i) => ({ url: URL.createObjectURL(blob), name: fileNames[i], size: blob.size }));
  showZipParts(parts);
  if (parts.length === 1) {
    const link = Object.assign(document.createElement("a"), { href: parts[0].url, download: parts[0].name });
    link.hidden = true;
    document.body.append(link);
    link.click();
    link.remove();
    announce(`ZIP of ${done.length} files ready.`);
  } else {
    announce(`The ZIP of ${done.length} files comes in ${parts.length} parts: download each one.`);
    zipPartsEl.querySelector("a").focus();
  }
});

// ---------------------------------------------------------------- settings
function syncSettingsUi() {
  for (const panel of form.querySelectorAll("[data-mode-panel]")) {
    const active = panel.dataset.modePanel === settings.mode;
    panel.classList.toggle("inactive", !active);
    for (const input of panel.querySelectorAll("input")) input.disabled = !active;
  }
  $("#s-visual-out").textContent = String(settings.visual);
  $("#s-quality-out").textContent = String(settings.quality);
}

let settingsTimer = null;
function onSettingsInput(event) {
  // Outputs follow sliders at once; the batch re-runs once the person stops moving them.
  const fresh = settingsStore.readForm(form);
  $("#s-visual-out").textContent = String(fresh.visual);
  $("#s-quality-out").textContent = String(fresh.quality);
  clearTimeout(settingsTimer);
  settingsTimer = setTimeout(applySettings, event.type === "change" ? 0 : 350);
}

function applySettings(next = settingsStore.readForm(form)) {
  clearTimeout(settingsTimer);
  const workersChanged = next.workers !== settings.workers;
  settings = next;
  syncSettingsUi();
  settingsStore.save(settings);
  if (workersChanged) pool.resize(settings.workers);
  const key = JSON.stringify(settingsStore.toOptions(settings));
  if (key !== optionsKey) {
    optionsKey = key;
    rerunAll();
  }
}

form.addEventListener("input", onSettingsInput);
form.addEventListener("change", onSettingsInput);
form.addEventListener("submit", (event) => event.preventDefault());

$("#reset-settings").addEventListener("click", () => {
  settingsStore.writeForm(form, settingsStore.DEFAULTS);
  applySettings(settingsStore.normalise({}));
});

$("#copy-link").addEventListener("click", async (event) => {
  const button = event.currentTarget;
  try {
    await navigator.clipboard.writeText(location.href);
    button.textContent = "Link copied";
  } catch {
    button.textContent = "Copy the address bar";
  }
  setTimeout(() => (button.textContent = "Copy link to these settings"), 2000);
});

// For the benchmark and tests: a read-only view of the batch.
window.imgcompress = {
  get settings() {
    return { ...settings };
  },
  counts,
  workers: () => ({ size: pool.size, ready: pool.readyCount, busy: pool.busyCount, warm: pool.warmCount }),
  warmUps: () => warmUps.map((w) => ({ ...w })),
  rows: () =>
    [...entries.values()].map((e) => ({
      name: e.name,
      state: e.state,
      original: e.file.size,
      size: e.result?.size ?? null,
      ms: e.result?.ms ?? null,
      heap: e.result?.heap ?? null,
      worker: e.result?.worker ?? null,
    })),
};
updateTotals();
