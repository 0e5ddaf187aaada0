// A timed loop of integer arithmetic, so the pool can count the cores that really run at once
// (engine-client.js measureCores): `navigator.hardwareConcurrency` may be rounded up for privacy.
// Asked with `ms`, it counts how many rounds fit in that time; asked with `rounds`, it times them.
const CHUNK = 100_000; // rounds between two looks at the clock
const WARM_UP_CHUNKS = 20; // enough for the JIT to compile the loop before anything is timed

function spin(rounds) {
  let x = 1;
  for (let i = 0; i < rounds; i++) x = (Math.imul(x, 1103515245) + 12345) | 0;
  return x;
}

addEventListener("message", ({ data }) => {
  let sink = 0;
  if (data.type === "hello") {
    sink = spin(CHUNK * WARM_UP_CHUNKS);
    postMessage({ sink });
    return;
  }
  const started = performance.now();
  let rounds = 0;
  if (data.ms) {
    while (performance.now() - started < data.ms) {
      sink ^= spin(CHUNK);
      rounds += CHUNK;
    }
  } else {
    sink = spin(data.rounds);
    rounds = data.rounds;
  }
  // The result is sent back so that no engine can leave the loop out.
  postMessage({ rounds, ms: performance.now() - started, sink });
});
