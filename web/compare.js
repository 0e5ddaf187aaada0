// Before/after compare in a modal <dialog>: the "after" image is clipped at the divider.
// The divider is a slider (role="slider"): arrow keys move it by 1 % (Shift: 10 %), Home/End
// jump to the ends, and the mouse or a finger drags it anywhere on the picture.
// "Fit" shows the whole image; "100 %" shows real pixels and scrolls.

export class CompareView {
  constructor(dialog) {
    this.dialog = dialog;
    this.stage = dialog.querySelector("[data-compare-stage]");
    this.frame = dialog.querySelector("[data-compare-frame]");
    this.before = dialog.querySelector("[data-compare-before]");
    this.after = dialog.querySelector("[data-compare-after]");
    this.divider = dialog.querySelector("[data-compare-divider]");
    this.title = dialog.querySelector("[data-compare-title]");
    this.caption = dialog.querySelector("[data-compare-caption]");
    this.zoomButtons = [...dialog.querySelectorAll("[data-zoom]")];
    this.position = 50;

    this.divider.addEventListener("keydown", (e) => this.#onKey(e));
    this.frame.addEventListener("pointerdown", (e) => this.#onPointerDown(e));
    for (const button of this.zoomButtons) {
      button.addEventListener("click", () => this.setZoom(button.dataset.zoom));
    }
    dialog.querySelector("[data-compare-close]").addEventListener("click", () => dialog.close());
    dialog.addEventListener("close", () => {
      this.before.removeAttribute("src");
      this.after.removeAttribute("src");
      this.onClose?.();
      this.onClose = null;
      this.returnFocus?.focus();
    });
  }

  /** `onClose` lets the caller revoke URLs made only for this view. */
  open({ name, beforeUrl, afterUrl, caption, width, height, onClose }, returnFocus) {
    this.returnFocus = returnFocus;
    this.onClose = onClose;
    this.title.textContent = name;
    this.caption.textContent = caption;
    this.before.src = beforeUrl;
    this.after.src = afterUrl;
    this.before.alt = `${name}, original`;
    this.after.alt = `${name}, compressed`;
    this.frame.style.aspectRatio = width && height ? `${width} / ${height}` : "";
    this.frame.style.setProperty("--ar", width && height ? String(width / height) : "1.5");
    this.naturalWidth = width;
    this.setZoom("fit");
    this.setPosition(50);
    this.dialog.showModal();
    this.divider.focus();
  }

  setZoom(zoom) {
    this.zoom = zoom;
    this.stage.dataset.view = zoom;
    this.frame.style.width = zoom === "actual" && this.naturalWidth ? `${this.naturalWidth}px` : "";
    for (const button of this.zoomButtons) {
      button.setAttribute("aria-pressed", String(button.dataset.zoom === zoom));
    }
  }

  setPosition(percent) {
    this.position = Math.max(0, Math.min(100, Math.round(percent * 10) / 10));
    this.after.style.clipPath = `inset(0 0 0 ${this.position}%)`;
    this.divider.style.left = `${this.position}%`;
    this.divider.setAttribute("aria-valuenow", String(Math.round(this.position)));
    this.divider.setAttribute("aria-valuetext", `${Math.round(this.position)} % original on the left`);
  }

  #onKey(e) {
    const step = e.shiftKey ? 10 : 1;
    const moves = {
      ArrowLeft: -step,
      ArrowDown: -step,
      ArrowRight: step,
      ArrowUp: step,
      PageDown: -10,
      PageUp: 10,
    };
    if (e.key in moves) this.setPosition(this.position + moves[e.key]);
    else if (e.key === "Home") this.setPosition(0);
    else if (e.key === "End") this.setPosition(100);
    else return;
    e.preventDefault();
  }

  #onPointerDown(e) {
    if (e.button !== 0) return;
    const move = (ev) => {
      const rect = this.frame.getBoundingClientRect();
      this.setPosition(((ev.clientX - rect.left) / rect.width) * 100);
    };
    move(e);
    this.frame.setPointerCapture(e.pointerId);
    const up = () => {
      this.frame.removeEventListener("pointermove", move);
      this.frame.removeEventListener("pointerup", up);
      this.frame.removeEventListener("pointercancel", up);
    };
    this.frame.addEventListener("pointermove", move);
    this.frame.addEventListener("pointerup", up);
    this.frame.addEventListener("pointercancel", up);
    this.divider.focus({ preventScroll: true });
    e.preventDefault();
  }
}
