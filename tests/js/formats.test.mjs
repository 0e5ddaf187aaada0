// web/formats.js: what the engine says it reads and writes, made into page parts.
import { test } from "node:test";
import assert from "node:assert/strict";

import { choiceValues, imageNameFilter, readableNames } from "../../web/formats.js";

// The shape of imgcompress.door.formats()["formats"] (two entries are enough).
const FORMATS = [
  { name: "jpeg", label: "JPEG", extensions: [".jpg", ".jpeg", ".jpe", ".jfif"], read: true, write: true },
  { name: "png", label: "PNG", extensions: [".png", ".apng"], read: true, write: true },
  { name: "tga", label: "TGA", extensions: [".tga"], read: false, write: true },
];

test("the folder filter takes every extension a readable format lists, in any case", () => {
  const isImage = imageNameFilter(FORMATS);
  for (const name of ["a.jpg", "B.JPEG", "c.jfif", "d.apng", "e.Png", "x.y.jpe"]) {
    assert.equal(isImage(name), true, name);
  }
});

test("the folder filter leaves out other files, dotfiles and formats the engine cannot read", () => {
  const isImage = imageNameFilter(FORMATS);
  for (const name of ["notes.txt", "jpg", ".png", "photo.jpg.txt", "a.tga", "Thumbs.db", "a."]) {
    assert.equal(isImage(name), false, name);
  }
});

test("a format added to the engine's table is picked up without a page change", () => {
  const isImage = imageNameFilter([...FORMATS, { label: "AVIF", extensions: [".avif"], read: true }]);
  assert.equal(isImage("new.avif"), true);
});

test("readable format names make one English list", () => {
  assert.equal(readableNames(FORMATS), "JPEG and PNG");
  assert.equal(readableNames([...FORMATS, { label: "WebP", read: true }]), "JPEG, PNG and WebP");
  assert.equal(readableNames(FORMATS.slice(0, 1)), "JPEG");
});

test("choice values come in the engine's order", () => {
  assert.deepEqual(
    choiceValues([
      { value: "keep", label: "Keep the original format" },
      { value: "jpeg", label: "JPEG" },
      { value: "smallest", label: "Smallest of JPEG" },
    ]),
    ["keep", "jpeg", "smallest"],
  );
});
