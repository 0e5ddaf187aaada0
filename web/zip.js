// "Download all" as ZIP archives composed of Blobs: small header buffers around the results'
// own Blobs, so no archive is ever built in one buffer (the browser keeps Blob storage outside
// the JavaScript heap; Chromium spills it to disk). Entries are STORED, not deflated: the
// images are already compressed. A batch larger than PART_BYTES is split into several
// archives, each a valid ZIP on its own, so no part needs ZIP64.

// 1 GB (decimal, so also under 1 GiB), the part size MAZANOKE uses for its 400-photo batches:
// far below ZIP's 4 GiB offsets and sizes (no ZIP64) and below what browsers and file systems
// (FAT32: 4 GiB - 1) handle as one download.
export const PART_BYTES = 1_000_000_000;
// A classic ZIP counts its entries in 16 bits.
const MAX_ENTRIES = 0xffff;
const LOCAL_HEADER = 30;
const CENTRAL_HEADER = 46;
const END_RECORD = 22;
// Version 2.0 of the ZIP specification (APPNOTE.TXT): the oldest that every unzip reads.
const VERSION = 20;
// General purpose bit 11: names are UTF-8.
const UTF8_FLAG = 0x0800;

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    // 0xEDB88320: the reversed CRC-32 polynomial of ZIP, PNG and zlib.
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** The CRC-32 of `bytes` (a Uint8Array or ArrayBuffer); `crc` continues an earlier value. */
export function crc32(bytes, crc = 0) {
  const data = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let c = ~crc >>> 0;
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

// Case folding close to Python's str.casefold: "ß" and "SS" meet at "ss".
const fold = (name) => name.toUpperCase().toLowerCase();

/** Names made unique the way file managers do ("photo (2).jpg"), ignoring case because the
 * ZIP is usually unpacked on a case-insensitive disk; folders are dropped. */
export function uniqueNames(names) {
  const taken = new Set();
  return names.map((raw) => {
    const name = String(raw).replaceAll("\\", "/").split("/").pop() || "image";
    const dot = name.lastIndexOf(".");
    const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ""];
    let candidate = name;
    for (let n = 2; taken.has(fold(candidate)); n++) candidate = `${stem} (${n})${ext}`;
    taken.add(fold(candidate));
    return candidate;
  });
}

const encoder = new TextEncoder();

/** MS-DOS date and time (local, 2-second steps), as ZIP stores them; years before 1980 cannot
 * be written and become 1980. */
function dosDateTime(date) {
  const year = Math.max(1980, date.getFullYear());
  return {
    time: (date.getHours() << 11) | (date.getMinutes() << 5) | (date.getSeconds() >> 1),
    day: ((year - 1980) << 9) | ((date.getMonth() + 1) << 5) | date.getDate(),
  };
}

const entryBytes = (nameBytes, size) => LOCAL_HEADER + CENTRAL_HEADER + 2 * nameBytes + size;

/**
 * Groups files into parts of at most `partBytes` each, in order: a list of lists of indexes
 * into `files` ({ name, size }). A file too large for any part gets a part of its own.
 */
export function planParts(files, partBytes = PART_BYTES) {
  const parts = [];
  let current = [];
  let bytes = END_RECORD;
  files.forEach((file, index) => {
    const needed = entryBytes(encoder.encode(file.name).length, file.size);
    if (current.length && (bytes + needed > partBytes || current.length === MAX_ENTRIES)) {
      parts.push(current);
      current = [];
      bytes = END_RECORD;
    }
    current.push(index);
    bytes += needed;
  });
  if (current.length) parts.push(current);
  return parts;
}

function header(size) {
  const bytes = new Uint8Array(size);
  return { bytes, view: new DataView(bytes.buffer) };
}

/** One archive of `files` ({ name, blob, crc32 }), as a Blob that refers to their Blobs. */
function archive(files, date) {
  const { time, day } = dosDateTime(date);
  const pieces = [];
  const central = [];
  let offset = 0;
  for (const { name, blob, crc32: crc } of files) {
    const nameBytes = encoder.encode(name);
    if (offset + LOCAL_HEADER + nameBytes.length + blob.size >= 2 ** 32) {
      throw new RangeError(`${name} does not fit in a ZIP without ZIP64`);
    }
    const local = header(LOCAL_HEADER + nameBytes.length);
    local.view.setUint32(0, 0x04034b50, true); // local file header signature
    local.view.setUint16(4, VERSION, true);
    local.view.setUint16(6, UTF8_FLAG, true);
    local.view.setUint16(8, 0, true); // method 0: stored
    local.view.setUint16(10, time, true);
    local.view.setUint16(12, day, true);
    local.view.setUint32(14, crc, true);
    local.view.setUint32(18, blob.size, true); // compressed size
    local.view.setUint32(22, blob.size, true); // uncompressed size
    local.view.setUint16(26, nameBytes.length, true);
    local.view.setUint16(28, 0, true); // no extra field
    local.bytes.set(nameBytes, LOCAL_HEADER);
    pieces.push(local.bytes, blob);

    const entry = header(CENTRAL_HEADER + nameBytes.length);
    entry.view.setUint32(0, 0x02014b50, true); // central directory header signature
    entry.view.setUint16(4, VERSION, true); // made by
    entry.view.setUint16(6, VERSION, true); // needed
    entry.view.setUint16(8, UTF8_FLAG, true);
    entry.view.setUint16(10, 0, true);
    entry.view.setUint16(12, time, true);
    entry.view.setUint16(14, day, true);
    entry.view.setUint32(16, crc, true);
    entry.view.setUint32(20, blob.size, true);
    entry.view.setUint32(24, blob.size, true);
    entry.view.setUint16(28, nameBytes.length, true);
    // Extra and comment lengths, disk number, attributes: all zero.
    entry.view.setUint32(42, offset, true);
    entry.bytes.set(nameBytes, CENTRAL_HEADER);
    central.push(entry.bytes);
    offset += local.bytes.length + blob.size;
  }
  const centralSize = central.reduce((sum, bytes) => sum + bytes.length, 0);
  const end = header(END_RECORD);
  end.view.setUint32(0, 0x06054b50, true); // end of central directory signature
  end.view.setUint16(8, files.length, true); // entries on this disk
  end.view.setUint16(10, files.length, true); // entries in all
  end.view.setUint32(12, centralSize, true);
  end.view.setUint32(16, offset, true);
  return new Blob([...pieces, ...central, end.bytes], { type: "application/zip" });
}

/**
 * The ZIP archives for `files` ({ name, blob, crc32 }, names already unique): one Blob per
 * part, each at most `partBytes` (unless one file alone is larger) and each a valid ZIP.
 * Nothing is copied but the headers.
 */
export function zipParts(files, { partBytes = PART_BYTES, date = new Date() } = {}) {
  const sized = files.map((file) => ({ name: file.name, size: file.blob.size }));
  return planParts(sized, partBytes).map((indexes) => archive(indexes.map((i) => files[i]), date));
}

/** File names for `count` parts: "base.zip", or "base-part1-of-3.zip" and so on. */
export function partNames(base, count) {
  if (count === 1) return [`${base}.zip`];
  return Array.from({ length: count }, (_, i) => `${base}-part${i + 1}-of-${count}.zip`);
}
