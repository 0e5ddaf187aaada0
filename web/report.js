// Turns the engine's JSON report into plain words for people.

export function formatBytes(n) {
  if (!Number.isFinite(n)) return "";
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(n < 10 * 1024 ? 1 : 0)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

export function formatPercentSaved(original, size) {
  if (!original) return "";
  const saved = Math.round((100 * (original - size)) / original);
  if (saved === 0) return size < original ? "−<1 %" : size === original ? "same size" : "+<1 % larger";
  return saved > 0 ? `−${saved} %` : `+${-saved} % larger`;
}

function coordinate(value, positive, negative) {
  return `${Math.abs(value).toFixed(4)}° ${value >= 0 ? positive : negative}`;
}

export function describeGps(gps) {
  if (!gps) return "GPS location";
  return `GPS location ${coordinate(gps.lat, "N", "S")}, ${coordinate(gps.lon, "E", "W")}`;
}

function camera(meta) {
  const make = (meta.make || "").trim();
  const model = (meta.model || "").trim();
  if (make && model && model.toLowerCase().startsWith(make.toLowerCase())) return model;
  return [make, model].filter(Boolean).join(" ");
}

function captureTime(value) {
  // EXIF writes "2015:08:22 12:34:56"; show it as a date a person reads.
  const m = /^(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2})/.exec(value || "");
  return m ? `${m[1]}-${m[2]}-${m[3]} ${m[4]}:${m[5]}` : value || "";
}

function withDetail(label, detail) {
  return detail ? `${label} (${detail})` : label;
}

/** One sentence per removed or kept item, e.g. "GPS location 40.4168° N, 3.7038° W removed". */
export function describeMetadata(report) {
  const meta = report.metadata || {};
  const words = {
    gps: () => describeGps(meta.gps),
    camera: () => withDetail("Camera", camera(meta)),
    capture_time: () => withDetail("Capture time", captureTime(meta.captured)),
    software: () => withDetail("Software name", meta.software),
    copyright: () => withDetail("Copyright/artist", [meta.copyright, meta.artist].filter(Boolean).join(", ")),
    thumbnail: () => "Embedded thumbnail",
    exif: () => "Other EXIF data",
    xmp: () => "XMP metadata",
    iptc: () => "IPTC metadata",
    comment: () => "Comments",
    text: () => withDetail("Text chunks", (meta.text || []).join(", ")),
    icc: () => withDetail("Colour profile", meta.icc),
  };
  const say = (key) => (words[key] ? words[key]() : key);
  const removed = (report.removed || []).map((key) => ({ key, text: `${say(key)} removed`, kept: false }));
  const kept = (report.kept || []).map((key) => ({
    key,
    text: `${say(key === "datetime" ? "capture_time" : key)} kept`,
    kept: true,
  }));
  if (!removed.length && !kept.length) return [{ key: "none", text: "No metadata found", kept: true }];
  return [...removed, ...kept];
}

/** The short technical line under a row: format, dimensions, quality or score used. */
export function describeResult(result) {
  const report = result.report || {};
  const parts = [`${result.format.toUpperCase()} ${result.width}×${result.height}`];
  const codec = report.codec || {};
  if (codec.lossless_strip) parts.push("original pixels kept");
  else if (codec.quality != null) parts.push(`quality ${codec.quality}`);
  if (report.score != null) parts.push(`visual score ${Number(report.score).toFixed(3)}`);
  if (report.mode === "target_size" && report.target_met === false) parts.push("size target not reached");
  return parts.join(" · ");
}

// Notes the row already shows another way: the metadata list names what was removed.
const SHOWN_ELSEWHERE = new Set(["metadata_removed"]);

/** The engine's notes ({code, text, ...params}) to show under a row, as { code, text }.
 * Keyed on the stable code, never on the English text; a code this page does not know yet is
 * shown by its text. */
export function describeNotes(notes) {
  return (Array.isArray(notes) ? notes : [])
    .filter((note) => note && typeof note.text === "string" && note.text && !SHOWN_ELSEWHERE.has(note.code))
    .map((note) => ({ code: String(note.code ?? ""), text: note.text }));
}
