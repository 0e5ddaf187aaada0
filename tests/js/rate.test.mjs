// web/rate.js: the batch header's throughput and time left.
import { test } from "node:test";
import assert from "node:assert/strict";

import { BatchClock, formatEta, formatRate } from "../../web/rate.js";

test("the clock starts at the first file sent to a worker and counts files finished since", () => {
  const clock = new BatchClock();
  assert.equal(clock.text(10, 0), null);
  clock.finished(); // before the start: not counted
  clock.started(1000);
  clock.started(5000); // later files do not move the start
  assert.equal(clock.text(10, 2000), "Measuring the speed…");
  clock.finished();
  clock.finished();
  // 2 files in 4 s: 0.5/s, 30 per minute; 10 left take 20 s.
  assert.equal(clock.rate(5000), 0.5);
  assert.equal(clock.text(10, 5000), "30 images/min · about 20 s left");
  clock.reset();
  assert.equal(clock.running, false);
  assert.equal(clock.rate(9000), null);
});

test("rates of one a second and more are per second, slower ones per minute", () => {
  assert.equal(formatRate(2.04), "2.0 images/s");
  assert.equal(formatRate(1), "1.0 images/s");
  assert.equal(formatRate(0.05), "3.0 images/min");
  assert.equal(formatRate(0.5), "30 images/min");
});

test("time left reads in seconds, minutes, then hours and minutes", () => {
  assert.equal(formatEta(0), "almost done");
  assert.equal(formatEta(0.2), "about 1 s left");
  assert.equal(formatEta(42), "about 42 s left");
  assert.equal(formatEta(12 * 60 + 10), "about 12 min left");
  assert.equal(formatEta(65 * 60), "about 1 h 5 min left");
});
