// describeNotes in web/report.js: the engine's notes, keyed on their code, for a row.
import { test } from "node:test";
import assert from "node:assert/strict";

import { describeNotes } from "../../web/report.js";

test("notes are shown by their text, keyed by code, in order", () => {
  const notes = [
    { code: "resized", text: "Resized to 200×150.", width: 200 },
    { code: "kept_original", text: "The original was kept." },
  ];
  assert.deepEqual(describeNotes(notes), [
    { code: "resized", text: "Resized to 200×150." },
    { code: "kept_original", text: "The original was kept." },
  ]);
});

test("the metadata_removed note is left out: the metadata list already says it", () => {
  const notes = [
    { code: "metadata_removed", text: "Removed: GPS location.", removed: ["gps"] },
    { code: "resized", text: "Resized." },
  ];
  assert.deepEqual(
    describeNotes(notes).map((n) => n.code),
    ["resized"],
  );
});

test("a note with a code this page does not know is shown by its text", () => {
  assert.deepEqual(describeNotes([{ code: "brand_new_code", text: "Something new." }]), [
    { code: "brand_new_code", text: "Something new." },
  ]);
});

test("the English text never decides: a removed-metadata note under another code is shown", () => {
  assert.equal(describeNotes([{ code: "strip_only", text: "Removed: only metadata." }]).length, 1);
});

test("missing or malformed notes show nothing", () => {
  assert.deepEqual(describeNotes(undefined), []);
  assert.deepEqual(describeNotes([null, { code: "resized" }, { code: "x", text: "" }]), []);
});
