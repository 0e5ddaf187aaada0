// UI only: shows the engine's start-up stages and flags the page ready for automation.
import { EngineClient } from "./engine-client.js";

const status = document.getElementById("engine-status");
const engine = new EngineClient();

engine.addEventListener("stage", ({ detail }) => {
  const item = document.querySelector(`#stages [data-stage="${detail.stage}"]`);
  if (item) item.dataset.state = detail.state;
});

engine.ready.then(
  (detail) => {
    const { python, pillow } = detail.versions;
    status.textContent = `Ready in ${(detail.ms / 1000).toFixed(1)} s: Python ${python}, Pillow ${pillow}.`;
    document.body.dataset.engine = "ready";
  },
  (err) => {
    status.textContent = `The engine failed to start: ${err.message}`;
    document.body.dataset.engine = "error";
  },
);
