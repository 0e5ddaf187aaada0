// web/settings.js without a browser: normalising, the engine's Options, the URL and storage.
import { afterEach, beforeEach, test } from "node:test";
import assert from "node:assert/strict";

import * as settings from "../../web/settings.js";

const CHOICES = ["keep", "jpeg", "png", "webp", "smallest"]; // what door.formats() offers today

test("normalise of nothing is the defaults", () => {
  assert.deepEqual(settings.normalise({}), { ...settings.DEFAULTS });
  assert.deepEqual(settings.normalise(), { ...settings.DEFAULTS });
});

test("normalise turns strings from a URL or form into numbers in range", () => {
  const s = settings.normalise({ quality: "62", visual: "0.9", size_kb: "150", max_width: "200", colors: "64", workers: "3" });
  assert.equal(s.quality, 62);
  assert.equal(s.visual, 0.9);
  assert.equal(s.size_kb, 150);
  assert.equal(s.max_width, 200);
  assert.equal(s.colors, 64);
  assert.equal(s.workers, 3);
});

test("normalise drops junk to the defaults field by field", () => {
  const s = settings.normalise({
    mode: "fast",
    quality: "500",
    visual: "2",
    size_kb: "abc",
    max_width: "-3",
    max_height: "",
    metadata: "all",
    profile: "p3",
    colors: "1",
    workers: "99",
  });
  assert.deepEqual(s, { ...settings.DEFAULTS });
});

test("before the engine's choices are known, a well-formed format is kept as given", () => {
  assert.equal(settings.normalise({ format: "webp" }).format, "webp");
  assert.equal(settings.normalise({ format: "avif" }).format, "avif");
});

test("a format that cannot be a format value falls back to keep even before the choices", () => {
  for (const junk of ["<b>", "WEBP", "", " png", "a".repeat(40), 7, null]) {
    assert.equal(settings.normalise({ format: junk }).format, "keep", String(junk));
  }
});

test("with the engine's choices, only a value among them is kept", () => {
  assert.equal(settings.normalise({ format: "webp" }, CHOICES).format, "webp");
  assert.equal(settings.normalise({ format: "avif" }, CHOICES).format, "keep");
  assert.equal(settings.normalise({ format: "gif" }, CHOICES).format, "keep");
});

test("toOptions of the defaults asks the engine for its defaults only", () => {
  assert.deepEqual(settings.toOptions(settings.normalise({})), {
    format: "keep",
    keep: [],
    to_srgb: false,
    colors: "auto",
  });
});

test("toOptions sends the setting of the chosen mode only", () => {
  const base = { quality: "40", size_kb: "150", visual: "0.9" };
  const quality = settings.toOptions(settings.normalise({ ...base, mode: "quality" }));
  const size = settings.toOptions(settings.normalise({ ...base, mode: "size" }));
  const visual = settings.toOptions(settings.normalise({ ...base, mode: "visual" }));
  assert.equal(quality.quality, 40);
  assert.equal("target_size" in quality || "visual_target" in quality, false);
  assert.equal(size.target_size, 150 * 1024);
  assert.equal("quality" in size || "visual_target" in size, false);
  assert.equal(visual.visual_target, 0.9);
  assert.equal("quality" in visual || "target_size" in visual, false);
});

test("toOptions maps metadata, profile, colours, limits and format one to one", () => {
  const options = settings.toOptions(
    settings.normalise({ format: "png", metadata: "keep", profile: "srgb", colors: "16", max_width: "1024", max_height: "768" }),
  );
  assert.deepEqual(options, {
    format: "png",
    keep: ["datetime", "copyright"],
    to_srgb: true,
    colors: 16,
    max_width: 1024,
    max_height: 768,
  });
});

test("the page-only workers setting never reaches the engine's options", () => {
  assert.equal("workers" in settings.toOptions(settings.normalise({ workers: "2" })), false);
});

test("toQuery holds only what differs from the defaults", () => {
  const query = settings.toQuery(settings.normalise({ format: "webp", quality: "75", max_width: "200" }));
  assert.equal(query.toString(), "format=webp&max_width=200");
  assert.equal(settings.toQuery(settings.normalise({})).toString(), "");
});

test("settings survive a round trip through the URL", () => {
  const s = settings.normalise({
    format: "webp",
    mode: "quality",
    quality: "62",
    max_width: "200",
    metadata: "keep",
    profile: "srgb",
    colors: "64",
    workers: "1",
  });
  const back = settings.normalise(settings.fromQuery(`?${settings.toQuery(s)}`));
  assert.deepEqual(back, s);
});

test("fromQuery ignores unknown parameters and says null when none of ours is there", () => {
  assert.equal(settings.fromQuery("?utm_source=x"), null);
  assert.deepEqual(settings.fromQuery("?quality=5&utm_source=x"), { quality: "5" });
});

// ---- load/save against a stand-in for the page's location, history and localStorage
let saved;
beforeEach(() => {
  saved = { location: globalThis.location, history: globalThis.history, localStorage: globalThis.localStorage };
  const store = new Map();
  globalThis.localStorage = {
    getItem: (k) => (store.has(k) ? store.get(k) : null),
    setItem: (k, v) => store.set(k, String(v)),
  };
  globalThis.location = { search: "", pathname: "/", hash: "" };
  globalThis.history = {
    replaceState: (_state, _title, url) => {
      const u = new URL(url, "http://page.test");
      Object.assign(globalThis.location, { search: u.search, pathname: u.pathname, hash: u.hash });
    },
  };
});
afterEach(() => Object.assign(globalThis, saved));

test("save writes the URL and storage; a plain visit loads from storage", () => {
  const s = settings.normalise({ format: "png", max_height: "150" });
  settings.save(s);
  assert.equal(location.search, "?format=png&max_height=150");
  location.search = "";
  assert.deepEqual(settings.load(), s);
});

test("a link's settings win over stored ones", () => {
  settings.save(settings.normalise({ format: "png" }));
  location.search = "?format=webp";
  assert.equal(settings.load().format, "webp");
});

test("unreadable storage loads the defaults", () => {
  localStorage.setItem("imgcompress.settings", "{not json");
  assert.deepEqual(settings.load(), { ...settings.DEFAULTS });
});

test("save keeps the URL's hash", () => {
  location.hash = "#files";
  settings.save(settings.normalise({ quality: "50", mode: "quality" }));
  assert.equal(location.hash, "#files");
  assert.equal(location.search, "?mode=quality&quality=50");
});
