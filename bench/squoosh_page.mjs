// Squoosh's MozJPEG (@jsquash/jpeg, default options: quality 75) in the page, for
// bench/page_bench.py: the yardstick's time in the same Chromium as our engine.
// Served by page_bench.py's own server from the clone, never part of the site.

import encode from "/node_modules/@jsquash/jpeg/encode.js";

// Decode with the browser (as the Squoosh app does for JPEG and PNG), then one timed encode.
window.squooshJpeg = async (url) => {
  const blob = await (await fetch(url)).blob();
  const started = performance.now();
  const bitmap = await createImageBitmap(blob);
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const context = canvas.getContext("2d");
  context.drawImage(bitmap, 0, 0);
  const pixels = context.getImageData(0, 0, bitmap.width, bitmap.height);
  const decoded = performance.now();
  const out = await encode(pixels);
  const encoded = performance.now();
  return {
    width: bitmap.width,
    height: bitmap.height,
    bytes: out.byteLength,
    decodeMs: decoded - started,
    encodeMs: encoded - decoded,
  };
};
document.body.dataset.ready = "true";
