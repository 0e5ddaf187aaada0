// The smoke scenario in Debian's Firefox ESR, driven by puppeteer-core over WebDriver BiDi; run
// by tests/e2e/test_firefox.py, which owns the server and checks what this prints.
//
// usage: node firefox_smoke.mjs FIREFOX URL PHOTO BROKEN
// Prints one JSON line {"step": "online", ...}, then waits for a line on stdin (the test has
// stopped the server), reloads, compresses PHOTO again and prints {"step": "offline", ...}.
import { createInterface } from "node:readline";
import puppeteer from "puppeteer-core";

const [firefox, url, photo, broken] = process.argv.slice(2);
const READY_MS = 180_000;
const WORK_MS = 180_000;

const input = createInterface({ input: process.stdin });
const lines = input[Symbol.asyncIterator]();
const say = (data) => process.stdout.write(`${JSON.stringify(data)}\n`);

/** What a person sees: the engine and offline states, the badge, and every row. */
const look = (page) =>
  page.evaluate(() => ({
    engine: document.body.dataset.engine,
    offline: document.body.dataset.offline ?? null,
    badge: !document.getElementById("offline-badge").hidden,
    status: document.getElementById("engine-status").textContent,
    workers: window.imgcompress.workers(),
    cores: navigator.hardwareConcurrency,
    rows: [...document.querySelectorAll("[data-file-row]")].map((row) => ({
      name: row.dataset.name,
      state: row.dataset.state,
      code: row.querySelector("[data-error-slot]").dataset.error ?? null,
      error: row.querySelector("[data-error-slot]").textContent,
    })),
  }));

async function settle(page, count) {
  await page.waitForFunction(
    (n) =>
      document.querySelectorAll("[data-file-row]").length === n &&
      !document.querySelector("[data-file-row][data-state=queued], [data-file-row][data-state=working]"),
    { timeout: WORK_MS },
    count,
  );
}

async function compress(page, files) {
  const started = Date.now();
  const input = await page.$("#file-input");
  await input.uploadFile(...files);
  await settle(page, files.length);
  return Date.now() - started;
}

const browser = await puppeteer.launch({
  browser: "firefox",
  executablePath: firefox,
  headless: true,
  // Nothing but the page's own origin: no update checks, telemetry or safe-browsing lists.
  extraPrefsFirefox: {
    "app.update.enabled": false,
    "browser.safebrowsing.malware.enabled": false,
    "browser.safebrowsing.phishing.enabled": false,
    "datareporting.policy.dataSubmissionEnabled": false,
    "toolkit.telemetry.enabled": false,
    "network.captive-portal-service.enabled": false,
    "network.connectivity-service.enabled": false,
  },
});
try {
  const page = await browser.newPage();
  page.on("console", (msg) => process.stderr.write(`[console.${msg.type()}] ${msg.text()}\n`));
  page.on("pageerror", (err) => process.stderr.write(`[pageerror] ${err}\n`));
  const loaded = Date.now();
  await page.goto(url);
  await page.waitForSelector("body[data-engine=ready][data-offline=ready]", { timeout: READY_MS });
  const readyMs = Date.now() - loaded;
  const workMs = await compress(page, [photo, broken]);
  say({ step: "online", readyMs, workMs, ...(await look(page)) });

  await lines.next(); // the server is stopped now
  input.close();
  await page.reload();
  await page.waitForSelector("body[data-engine=ready][data-offline=ready]", { timeout: READY_MS });
  const offlineWorkMs = await compress(page, [photo]);
  say({ step: "offline", workMs: offlineWorkMs, ...(await look(page)) });
} finally {
  await browser.close();
}
