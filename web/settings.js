// Settings: one plain object that maps one-to-one to the engine's Options, kept in the URL
// (so a preset can be shared as a link) and in localStorage (so it is remembered).
// The URL holds only what differs from the defaults; the URL wins over localStorage.
// The output formats are the engine's (its `choices`, known once a worker is ready): until
// then a well-formed format value is kept as given, so a shared link survives the page load,
// and the page checks it against the choices when they arrive.

const STORAGE_KEY = "imgcompress.settings";

export const DEFAULTS = Object.freeze({
  format: "keep", // one of the engine's choices: keep, a format's name, smallest
  mode: "visual", // visual | quality | size
  visual: 0.94, // visual_target (the engine's default, DEFAULT_VISUAL_TARGET)
  quality: 75, // quality, 1..100
  size_kb: 200, // target_size in KB (1 KB = 1024 bytes)
  max_width: null,
  max_height: null,
  metadata: "remove", // remove | keep (keep = date & copyright)
  profile: "keep", // keep | srgb
  colors: "auto", // auto | 2..256 (PNG palette size)
  workers: "auto", // auto | 1..8 (page setting, not an engine option)
});

// What a format value looks like before the engine's choices are known; anything else (a
// typo, markup pasted into a link) falls back to the default at once.
const FORMAT_VALUE = /^[a-z][a-z0-9_-]{0,31}$/;
const MODES = ["visual", "quality", "size"];

function int(value, min, max) {
  if (value === null || value === undefined || value === "") return null;
  const n = Number(value);
  if (!Number.isFinite(n)) return null;
  const r = Math.round(n);
  return r < min || r > max ? null : r;
}

/** Coerce any partial, untrusted object (URL, storage, form) into valid settings.
 * `formats`: the format values the engine offers, or null while they are not known yet. */
export function normalise(raw = {}, formats = null) {
  const s = { ...DEFAULTS };
  const format = typeof raw.format === "string" ? raw.format : "";
  if (formats ? formats.includes(format) : FORMAT_VALUE.test(format)) s.format = format;
  if (MODES.includes(raw.mode)) s.mode = raw.mode;
  const visual = Number(raw.visual);
  if (raw.visual != null && raw.visual !== "" && Number.isFinite(visual) && visual >= 0.8 && visual <= 1) {
    s.visual = Math.round(visual * 1000) / 1000;
  }
  s.quality = int(raw.quality, 1, 100) ?? DEFAULTS.quality;
  s.size_kb = int(raw.size_kb, 1, 1_000_000) ?? DEFAULTS.size_kb;
  s.max_width = int(raw.max_width, 1, 100_000);
  s.max_height = int(raw.max_height, 1, 100_000);
  if (raw.metadata === "keep" || raw.metadata === "remove") s.metadata = raw.metadata;
  if (raw.profile === "srgb" || raw.profile === "keep") s.profile = raw.profile;
  const colors = int(raw.colors, 2, 256);
  s.colors = colors ?? "auto";
  const workers = int(raw.workers, 1, 8);
  s.workers = workers ?? "auto";
  return s;
}

/** The engine's Options for these settings (see src/imgcompress/options.py). */
export function toOptions(s) {
  const options = { format: s.format };
  if (s.mode === "quality") options.quality = s.quality;
  else if (s.mode === "size") options.target_size = Math.max(100, s.size_kb * 1024);
  else if (s.visual !== DEFAULTS.visual) options.visual_target = s.visual;
  if (s.max_width) options.max_width = s.max_width;
  if (s.max_height) options.max_height = s.max_height;
  options.keep = s.metadata === "keep" ? ["datetime", "copyright"] : [];
  options.to_srgb = s.profile === "srgb";
  options.colors = s.colors;
  return options;
}

function differs(key, value) {
  return String(value ?? "") !== String(DEFAULTS[key] ?? "");
}

export function toQuery(s) {
  const params = new URLSearchParams();
  for (const key of Object.keys(DEFAULTS)) {
    if (differs(key, s[key])) params.set(key, s[key] ?? "");
  }
  return params;
}

export function fromQuery(search) {
  const params = new URLSearchParams(search);
  const raw = {};
  let any = false;
  for (const key of Object.keys(DEFAULTS)) {
    if (params.has(key)) {
      raw[key] = params.get(key);
      any = true;
    }
  }
  return any ? raw : null;
}

export function load() {
  const fromUrl = fromQuery(location.search);
  if (fromUrl) return normalise(fromUrl);
  try {
    return normalise(JSON.parse(localStorage.getItem(STORAGE_KEY) || "{}"));
  } catch {
    return normalise({});
  }
}

export function save(s) {
  const query = toQuery(s).toString();
  const url = `${location.pathname}${query ? `?${query}` : ""}${location.hash}`;
  history.replaceState(null, "", url);
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(s));
  } catch {
    // Private browsing or storage full: the URL still carries the settings.
  }
}

/** Read the settings form into a settings object. */
export function readForm(form) {
  const data = new FormData(form);
  return normalise({
    // Read from the select itself: it is disabled (left out of FormData) until the engine's
    // choices fill it, and its value then is the one from the link or storage.
    format: form.elements.format.value,
    mode: data.get("mode"),
    visual: data.get("visual"),
    quality: data.get("quality"),
    size_kb: data.get("size_kb"),
    max_width: data.get("max_width"),
    max_height: data.get("max_height"),
    metadata: data.get("metadata"),
    profile: data.get("profile"),
    colors: data.get("colors"),
    workers: data.get("workers"),
  });
}

function ensureOption(select, value) {
  if (![...select.options].some((o) => o.value === value)) {
    select.append(new Option(value, value));
  }
}

/** Fill the output-format select with the engine's choices (value and label each). */
export function writeChoices(form, choices) {
  const select = form.elements.format;
  select.replaceChildren(...choices.map((c) => new Option(c.label, c.value)));
  select.disabled = false;
}

/** Show settings in the form. Before writeChoices, the format select gets the value alone. */
export function writeForm(form, s) {
  const els = form.elements;
  ensureOption(els.format, s.format);
  els.format.value = s.format;
  els.mode.value = s.mode;
  els.visual.value = String(s.visual);
  els.quality.value = String(s.quality);
  els.size_kb.value = String(s.size_kb);
  els.max_width.value = s.max_width ?? "";
  els.max_height.value = s.max_height ?? "";
  els.metadata.value = s.metadata;
  els.profile.value = s.profile;
  ensureOption(els.colors, String(s.colors));
  els.colors.value = String(s.colors);
  ensureOption(els.workers, String(s.workers));
  els.workers.value = String(s.workers);
}
