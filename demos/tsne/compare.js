// Perplexity side by side: the same data embedded with perplexity 5, 30 and 100 at once, one
// worker per plot (the same worker.js as the main plot), so a reader sees what the one knob does.
// Same manners as the main plot: runs only while on screen, pauses when scrolled away, and with
// prefers-reduced-motion waits for Play. Opened on demand (three O(N²) runs are not free).
// Test hooks on the section: data-state (running|paused|done|empty), data-iterations "a,b,c".
import { Scatter } from "../_shared/scatter.js";
import { formatInt, formatNumber } from "../_shared/format.js";

export const PERPLEXITIES = Object.freeze([5, 30, 100]);
const HEIGHT = 220;

export class PerplexityCompare {
  /** @param {HTMLElement} section  emptied and filled with the three plots and a Play button */
  constructor(section, { reduceMotion = false, describe = (i) => `point ${i + 1}` } = {}) {
    const doc = section.ownerDocument;
    const view = doc.defaultView;
    this.section = section;
    this.playing = !reduceMotion; // the reader's intent; reduced motion waits for Play
    this.onScreen = typeof view.IntersectionObserver !== "function";
    this.runs = [];
    this.generation = 0;
    this.play = doc.createElement("button");
    this.play.type = "button";
    this.play.className = "tsne-compare-play";
    this.play.addEventListener("click", () => {
      if (this.state() === "running") this.setPlaying(false);
      else if (this.state() === "done") this.restart();
      else this.setPlaying(true);
    });
    const intro = doc.createElement("p");
    intro.className = "tsne-compare-intro";
    intro.textContent =
      "The same data, seed and learning rate at three perplexities (roughly, how many neighbours each point " +
      "tries to keep close): small values tend to break groups into small clumps, large ones let more distant " +
      "points pull on each other.";
    const grid = doc.createElement("div");
    grid.className = "tsne-compare-grid";
    for (const perplexity of PERPLEXITIES) {
      const figure = doc.createElement("figure");
      figure.className = "tsne-compare-item";
      const plot = doc.createElement("div");
      plot.className = "tsne-compare-plot";
      const caption = doc.createElement("figcaption");
      caption.textContent = `Perplexity ${perplexity}`;
      figure.append(plot, caption);
      grid.append(figure);
      const scatter = new Scatter(plot, { height: HEIGHT, radius: 2, label: `t-SNE with perplexity ${perplexity}`, describe });
      this.runs.push({ perplexity, scatter, caption, worker: null, iteration: 0, state: "paused", effective: perplexity });
    }
    section.replaceChildren(intro, this.play, grid);
    this.observer = this.onScreen
      ? null
      : new view.IntersectionObserver((entries) => {
        this.onScreen = entries[entries.length - 1].isIntersecting;
        this.sync();
      }, { threshold: 0.2 });
    this.observer?.observe(grid);
    this.updateHooks();
  }

  live() {
    return this.playing && this.onScreen;
  }

  state() {
    if (!this.runs[0].worker) return "empty";
    if (this.runs.some((r) => r.state === "running")) return "running";
    return this.runs.every((r) => r.state === "done") ? "done" : "paused";
  }

  /**
   * Embed a dataset at the three perplexities. `payload()` returns a fresh setup message body
   * ({data, n, d, kind}) each time, since its buffer is transferred to the worker.
   */
  load(payload, categories, colors, params) {
    this.stop();
    this.payload = payload;
    this.params = params;
    this.generation += 1;
    for (const run of this.runs) {
      run.scatter.setData(new Float32Array(0), categories, colors);
      run.scatter.resetView();
      run.worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
      run.worker.onmessage = (event) => this.receive(run, event.data);
      run.worker.onerror = (event) => {
        event.preventDefault();
        run.caption.textContent = `Perplexity ${run.perplexity}: the worker failed (${event.message || "unknown error"})`;
      };
      run.iteration = 0;
      run.state = this.live() ? "running" : "paused";
      const body = payload();
      const setup = { type: "setup", ...body, params: { ...params, perplexity: run.perplexity, autoplay: this.live(), generation: this.generation } };
      run.worker.postMessage(setup, [body.data.buffer]);
    }
    this.updateHooks();
  }

  /** Same data, new parameters (seed, learning rate, iterations): P is kept, layouts restart. */
  restart(params = this.params, play = true) {
    if (!this.runs[0].worker) return;
    this.params = params;
    if (play) this.playing = true;
    this.generation += 1;
    for (const run of this.runs) {
      run.state = this.live() ? "running" : "paused";
      run.worker.postMessage({ type: "restart", params: { ...this.params, perplexity: run.perplexity, autoplay: this.live(), generation: this.generation } });
    }
    this.updateHooks();
  }

  receive(run, msg) {
    if (msg.generation !== undefined && msg.generation !== this.generation) return;
    if (msg.type === "ready") {
      run.effective = msg.perplexity;
    } else if (msg.type === "frame") {
      run.iteration = msg.iteration;
      run.state = msg.state;
      if (msg.Y.every(Number.isFinite)) run.scatter.setPositions(msg.Y);
      const reduced = run.effective < run.perplexity ? ` (reduced to ${formatNumber(run.effective, 3)} for ${formatInt(msg.Y.length / 2)} points)` : "";
      run.caption.textContent = `Perplexity ${run.perplexity}${reduced} · iteration ${formatInt(msg.iteration)} · KL ${formatNumber(msg.kl)}`;
      this.updateHooks();
    } else if (msg.type === "error") {
      run.caption.textContent = `Perplexity ${run.perplexity}: t-SNE stopped: ${msg.message}`;
    }
  }

  setPlaying(on) {
    this.playing = on;
    this.sync();
  }

  /** Bring the workers in line with intent × visibility. */
  sync() {
    for (const run of this.runs) {
      if (!run.worker || run.state === "done") continue;
      if (this.live() && run.state !== "running") {
        run.state = "running";
        run.worker.postMessage({ type: "play" });
      } else if (!this.live() && run.state === "running") {
        // Its state turns "paused" with the worker's answer (the frame after its last step), so
        // the count a test or reader sees after "paused" is final.
        run.worker.postMessage({ type: "pause" });
      }
    }
    this.updateHooks();
  }

  setHidden(hidden) {
    for (const run of this.runs) run.scatter.setHidden(hidden);
  }

  updateHooks() {
    const state = this.state();
    this.section.dataset.state = state;
    this.section.dataset.iterations = this.runs.map((r) => r.iteration).join(",");
    this.play.textContent = state === "running" ? "Pause all three" : state === "done" ? "Run all three again" : "Play all three";
    this.play.setAttribute("aria-pressed", state === "running" ? "true" : "false");
    this.play.disabled = state === "empty";
  }

  /** Terminate the workers (closing the comparison frees the CPU). */
  stop() {
    for (const run of this.runs) {
      run.worker?.terminate();
      run.worker = null;
      run.state = "paused";
      run.iteration = 0;
      run.scatter.setData(new Float32Array(0), new Uint16Array(0), []);
      run.caption.textContent = `Perplexity ${run.perplexity}`;
    }
    this.updateHooks();
  }

  destroy() {
    this.stop();
    this.observer?.disconnect();
    for (const run of this.runs) run.scatter.destroy();
  }
}
