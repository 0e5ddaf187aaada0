// Squoosh's own codecs (the @jsquash packages, repackaged from the Squoosh app) under Node's
// WebAssembly, for src/imgcompress/bench.py: the yardsticks measured in the same run as our
// engine. Benchmark-only; nothing here is part of the site.
//
//   node bench/squoosh.mjs < job.json > results.json
//
// job.json: {"codecs": ["jpeg", "webp", "avif"], "out": "/dir",
//            "images": [{"name": "kodim01.png", "rgba": "/dir/kodim01.rgba",
//                        "width": 768, "height": 512}]}
// Each image is raw RGBA (width*height*4 bytes, decoded natively). Every codec runs with its
// package's default options, which are the Squoosh app's defaults (MozJPEG q75, WebP q75,
// AVIF quality 50 speed 6). Encoded files go to out/<name>.<codec>; the answer lists bytes and
// the milliseconds of each encode call (the wasm is compiled and warmed up before timing).

import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { performance } from "node:perf_hooks";

const require = createRequire(import.meta.url);

function packageDir(name) {
  return path.dirname(require.resolve(`${name}/package.json`));
}

// The Emscripten glue in these packages looks for its .wasm with fetch(), which Node cannot
// do for file: URLs, so each codec gets its compiled module handed to init() instead.
async function wasm(pkg, file) {
  return WebAssembly.compile(readFileSync(path.join(packageDir(pkg), "codec", "enc", file)));
}

const CODECS = {
  async jpeg() {
    const mod = await import("@jsquash/jpeg/encode.js");
    await mod.init(await wasm("@jsquash/jpeg", "mozjpeg_enc.wasm"));
    return mod.default;
  },
  async webp() {
    // The package picks its SIMD build when the engine has SIMD; hand it the matching file.
    const { simd } = await import("wasm-feature-detect");
    const file = (await simd()) ? "webp_enc_simd.wasm" : "webp_enc.wasm";
    const mod = await import("@jsquash/webp/encode.js");
    await mod.init(await wasm("@jsquash/webp", file));
    return mod.default;
  },
  async avif() {
    // Under Node the package always uses its single-threaded build.
    const mod = await import("@jsquash/avif/encode.js");
    await mod.init(await wasm("@jsquash/avif", "avif_enc.wasm"));
    return mod.default;
  },
};

function readStdin() {
  return readFileSync(0, "utf8");
}

function pixels(image) {
  const raw = readFileSync(image.rgba);
  if (raw.length !== image.width * image.height * 4) {
    throw new Error(`${image.name}: ${raw.length} bytes is not ${image.width}x${image.height} RGBA`);
  }
  const data = new Uint8ClampedArray(raw.buffer, raw.byteOffset, raw.length);
  return { data, width: image.width, height: image.height };
}

async function main() {
  const job = JSON.parse(readStdin());
  const unknown = job.codecs.filter((c) => !(c in CODECS));
  if (unknown.length) throw new Error(`unknown codecs: ${unknown.join(", ")}`);
  const images = job.images.map((image) => ({ ...image, pixels: pixels(image) }));
  const results = [];
  for (const codec of job.codecs) {
    const encode = await CODECS[codec]();
    // One untimed encode of a small crop: compilation tiers and first-call costs out of the way.
    const first = images[0].pixels;
    const side = Math.min(256, first.width, first.height);
    const crop = new Uint8ClampedArray(side * side * 4);
    for (let y = 0; y < side; y++) {
      crop.set(first.data.subarray(y * first.width * 4, (y * first.width + side) * 4), y * side * 4);
    }
    await encode({ data: crop, width: side, height: side });
    for (const image of images) {
      const started = performance.now();
      const buffer = await encode(image.pixels);
      const ms = performance.now() - started;
      const file = path.join(job.out, `${image.name}.${codec}`);
      writeFileSync(file, new Uint8Array(buffer));
      results.push({ codec, name: image.name, bytes: buffer.byteLength, ms, file });
    }
  }
  const versions = Object.fromEntries(
    ["@jsquash/jpeg", "@jsquash/webp", "@jsquash/avif"].map((name) => [
      name,
      JSON.parse(readFileSync(path.join(packageDir(name), "package.json"), "utf8")).version,
    ]),
  );
  process.stdout.write(`${JSON.stringify({ node: process.version, versions, results })}\n`);
}

main().catch((error) => {
  process.stderr.write(`${error.stack || error}\n`);
  process.exit(1);
});
