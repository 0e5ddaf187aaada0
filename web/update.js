// New versions. A new build's service worker installs beside the running one and waits (sw.js);
// this module says so with a button, and on request lets it take over and reloads. The page
// never runs with another version's files: its engine is stopped before the new worker takes
// over, because the old version's files leave the cache then (a worker restarted after a cancel
// would load the new worker.js under the old page).

const ACTIVATE = { type: "imgcompress:activate" }; // sw.js's message handler
// Browsers look for a new service worker only when a page is loaded, so a tab left open for days
// would never hear of one. It looks again when it is shown again or back online, and at most
// this often while it stays open (one small same-origin request for sw.js).
const RECHECK_MS = 60 * 60 * 1000;

/**
 * `button`: the hidden "A new version is ready — reload" control. `stopEngine()`: called before
 * the switch (here, or in another tab of the same site). `announce(text)`: the live region.
 */
export function watchUpdates(button, { stopEngine, announce }) {
  const sw = navigator.serviceWorker;
  if (!sw) return;
  // A page that started without a controller gets its first one from its own version.
  let controlled = Boolean(sw.controller);
  let switching = false;
  let registration = null;

  const show = (text) => {
    if (!button.hidden) return;
    button.hidden = false;
    announce(text);
  };

  sw.addEventListener("controllerchange", () => {
    if (!controlled) {
      controlled = true;
    } else if (switching) {
      location.reload();
    } else {
      // Another tab let the new version take over: this page's files are gone from the cache.
      stopEngine("A new version took over in another tab: reload to go on.");
      show("A new version took over in another tab. Reload to go on.");
    }
  });

  button.addEventListener("click", () => {
    switching = true;
    stopEngine("Reloading into the new version…");
    const waiting = registration?.waiting;
    if (waiting && sw.controller) waiting.postMessage(ACTIVATE);
    else location.reload();
  });

  const offer = (worker) => {
    // Installed while a controller runs this page: an update, waiting to be let in.
    if (worker.state === "installed" && sw.controller) show("A new version is ready. Reload to use it.");
  };
  const follow = (worker) => worker?.addEventListener("statechange", () => offer(worker));
  sw.ready.then((reg) => {
    registration = reg;
    if (reg.waiting) offer(reg.waiting);
    follow(reg.installing); // an update found before this listener was there
    reg.addEventListener("updatefound", () => follow(reg.installing));
    watchLongOpen(reg);
  });
}

// Asks the server for sw.js again: an update found this way installs and is offered as above.
function watchLongOpen(registration) {
  // Offline, or the server is gone: the running version goes on, nothing to say.
  const recheck = () => registration.update().catch(() => {});
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") recheck();
  });
  addEventListener("online", recheck);
  setInterval(recheck, RECHECK_MS);
}
