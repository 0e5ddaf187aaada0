// How fast a batch goes and when it will be done, for the batch header. The clock starts when
// the batch's first file reaches a worker (not when files are added: the engine may still be
// loading) and the rate is the files finished since then over the time since then, which is
// steady enough over a batch of photos and needs no tuning.

// Below one image a second, a rate per minute reads better than "0.3 images/s".
const PER_MINUTE_BELOW = 1;

export class BatchClock {
  #started = null;
  #finished = 0;

  /** A file went to a worker; the first one starts the clock. */
  started(now) {
    this.#started ??= now;
  }

  /** A file finished (done or failed). */
  finished() {
    if (this.#started !== null) this.#finished++;
  }

  /** Forget the batch: nothing is pending any more, or every file is run again. */
  reset() {
    this.#started = null;
    this.#finished = 0;
  }

  get running() {
    return this.#started !== null;
  }

  /** Files per second so far, or null before the first file finished. */
  rate(now) {
    const seconds = (now - (this.#started ?? now)) / 1000;
    return this.#finished && seconds > 0 ? this.#finished / seconds : null;
  }

  /** "2.1 images/s · about 4 min left", or null when there is nothing to say yet. */
  text(pending, now) {
    const rate = this.rate(now);
    if (rate === null) return this.running ? "Measuring the speed…" : null;
    return `${formatRate(rate)} · ${formatEta(pending / rate)}`;
  }
}

export function formatRate(perSecond) {
  if (perSecond >= PER_MINUTE_BELOW) return `${perSecond.toFixed(1)} images/s`;
  const perMinute = perSecond * 60;
  return `${perMinute < 10 ? perMinute.toFixed(1) : Math.round(perMinute)} images/min`;
}

/** Seconds left as a person says it: "about 40 s", "about 12 min", "about 1 h 5 min". */
export function formatEta(seconds) {
  if (!(seconds > 0)) return "almost done";
  if (seconds < 60) return `about ${Math.max(1, Math.round(seconds))} s left`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `about ${minutes} min left`;
  return `about ${Math.floor(minutes / 60)} h ${minutes % 60} min left`;
}
