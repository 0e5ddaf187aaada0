// web/netwatch.js: one blocked request counts once, though two policies report it.
import { test } from "node:test";
import assert from "node:assert/strict";

import { violationFilter } from "../../web/netwatch.js";

const META = "default-src 'self'";
const HEADER = "default-src 'self'; frame-ancestors 'none'";

function violation(policy, url = "https://example.org/x", line = 3) {
  return { blockedURI: url, sourceFile: "https://app.test/app.js", lineNumber: line, columnNumber: 7, originalPolicy: policy };
}

test("the second policy's report of the same request is not counted, however late it comes", () => {
  const first = violationFilter();
  assert.equal(first(violation(META)), true);
  assert.equal(first(violation(HEADER)), false);
});

test("the same request made again counts again", () => {
  const first = violationFilter();
  const counted = [META, HEADER, META, HEADER].map((policy) => first(violation(policy)));
  assert.deepEqual(counted, [true, false, true, false]);
});

test("a lone policy (a worker's header) counts every attempt", () => {
  const first = violationFilter();
  assert.deepEqual([first(violation(HEADER)), first(violation(HEADER))], [true, true]);
});

test("other requests are never taken for a second report", () => {
  const first = violationFilter();
  assert.equal(first(violation(META, "https://a.example/")), true);
  assert.equal(first(violation(HEADER, "https://b.example/")), true);
  assert.equal(first(violation(HEADER, "https://b.example/", 9)), true);
});
