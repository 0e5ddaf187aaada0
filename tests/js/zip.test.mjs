// web/zip.js: "Download all" archives, checked by Python's zipfile (an independent reader).
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { crc32, partNames, planParts, uniqueNames, zipParts } from "../../web/zip.js";

// Opens the archive with zipfile, checks every CRC (testzip) and prints each entry's name,
// flag bits, method and bytes (hex) as JSON.
const READ_ZIP = `
import json, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    assert z.testzip() is None
    print(json.dumps([[i.filename, i.flag_bits, i.compress_type, z.read(i).hex()] for i in z.infolist()]))
`;

const tmp = mkdtempSync(join(tmpdir(), "imgcompress-zip-"));
let written = 0;

async function readZip(blob) {
  const path = join(tmp, `part${written++}.zip`);
  writeFileSync(path, new Uint8Array(await blob.arrayBuffer()));
  return JSON.parse(execFileSync("python3", ["-c", READ_ZIP, path], { encoding: "utf8" }));
}

function bytes(length, seed) {
  const out = new Uint8Array(length);
  let x = seed;
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

const hex = (data) => Buffer.from(data).toString("hex");
const file = (name, data) => ({ name, blob: new Blob([data]), crc32: crc32(data) });

test("crc32 agrees with zlib's, also when continued over pieces", () => {
  const data = bytes(100_000, 7);
  const zlib = execFileSync(
    "python3",
    ["-c", "import sys, zlib; print(zlib.crc32(bytes.fromhex(sys.stdin.read())))"],
    { input: hex(data), encoding: "utf8" },
  );
  assert.equal(crc32(data), Number(zlib));
  assert.equal(crc32(data.subarray(40_000), crc32(data.subarray(0, 40_000))), Number(zlib));
  assert.equal(crc32(new Uint8Array(0)), 0);
  assert.equal(crc32(new TextEncoder().encode("123456789")), 0xcbf43926); // the check value
});

test("one archive unzips to each file's exact bytes, stored, names in UTF-8", async () => {
  const data = [bytes(5000, 1), bytes(1, 2), new Uint8Array(0), bytes(70_000, 3)];
  const names = ["a.jpg", "été 東京.png", "empty.webp", "big.jpg"];
  const parts = zipParts(names.map((name, i) => file(name, data[i])));
  assert.equal(parts.length, 1);
  const entries = await readZip(parts[0]);
  assert.deepEqual(
    entries.map(([name]) => name),
    names,
  );
  entries.forEach(([, flags, method, content], i) => {
    assert.equal(flags & 0x800, 0x800, "UTF-8 flag");
    assert.equal(method, 0, "stored");
    assert.equal(content, hex(data[i]));
  });
});

test("uniqueNames numbers clashes like a file manager, ignoring case and folders", () => {
  assert.deepEqual(uniqueNames(["photo.jpg", "photo.jpg", "PHOTO.JPG", "a/b/photo.jpg", "x"]), [
    "photo.jpg",
    "photo (2).jpg",
    "PHOTO (3).JPG",
    "photo (4).jpg",
    "x",
  ]);
  assert.deepEqual(uniqueNames(["c:\\pics\\.hidden", ".hidden", "", "Straße.png", "STRASSE.png"]), [
    ".hidden",
    ".hidden (2)",
    "image",
    "Straße.png",
    "STRASSE (2).png",
  ]);
  // A generated name that is itself taken moves on to the next number.
  assert.deepEqual(uniqueNames(["a (2).jpg", "a.jpg", "a.jpg"]), ["a (2).jpg", "a.jpg", "a (3).jpg"]);
});

test("a batch over the part limit splits into valid archives, each at most the limit", async () => {
  const data = Array.from({ length: 7 }, (_, i) => bytes(1000 + 100 * i, 10 + i));
  const files = data.map((d, i) => file(`photo${i}.jpg`, d));
  // Three entries of ~1.1 KB plus their headers fit in 4000 bytes, four do not.
  const limit = 4000;
  const parts = zipParts(files, { partBytes: limit });
  assert.equal(parts.length, 3);
  const seen = [];
  for (const part of parts) {
    assert.ok(part.size <= limit, `part of ${part.size} bytes`);
    for (const [name, , , content] of await readZip(part)) seen.push([name, content]);
  }
  assert.deepEqual(
    seen,
    files.map((f, i) => [f.name, hex(data[i])]),
  );
});

test("planParts puts a file larger than the limit alone in its part", () => {
  const files = [
    { name: "a", size: 10 },
    { name: "huge", size: 10_000 },
    { name: "b", size: 10 },
  ];
  assert.deepEqual(planParts(files, 1000), [[0], [1], [2]]);
  assert.deepEqual(planParts(files, 100_000), [[0, 1, 2]]);
});

test("planParts counts the exact archive size: a part of exactly the limit is allowed", async () => {
  const data = bytes(100, 5);
  const one = zipParts([file("x.jpg", data)]);
  const exact = one[0].size;
  assert.equal(zipParts([file("x.jpg", data), file("y.jpg", data)], { partBytes: 2 * exact - 22 }).length, 1);
  assert.equal(zipParts([file("x.jpg", data), file("y.jpg", data)], { partBytes: 2 * exact - 23 }).length, 2);
});

test("part names say which part of how many", () => {
  assert.deepEqual(partNames("imgcompress-5-files", 1), ["imgcompress-5-files.zip"]);
  assert.deepEqual(partNames("imgcompress-5-files", 3), [
    "imgcompress-5-files-part1-of-3.zip",
    "imgcompress-5-files-part2-of-3.zip",
    "imgcompress-5-files-part3-of-3.zip",
  ]);
});
