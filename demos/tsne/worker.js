// Module worker that owns the t-SNE optimiser, so the page keeps drawing and answering input
// while the O(N^2) iterations run.
//
// Messages in:  {type: "setup", data: Float64Array, n, d, params}  (new data: recompute P;
//                with kind: "distances", data is an n x n matrix of squared distances)
//               {type: "restart", params}  (same data; P recomputed only if perplexity changed)
//               {type: "play"} {type: "pause"} {type: "step"} {type: "iterations", value}
// Messages out: {type: "ready", n, perplexity, ms}   P is ready
//               {type: "frame", iteration, kl, state, Y: Float32Array, msPerIteration}
//               {type: "error", message}
import { TSNE } from "./tsne.js";

const CHUNK_MS = 25; // compute this long between frames: smooth animation, little overhead
const KL_EVERY = 20; // the KL costs a log per pair (~3x a gradient pass), so refresh it every 20 steps

let tsne = null;
let data = null;
let params = null;
let running = false;
let busyMs = 0; // time spent in step() since the last (re)start, for the benchmark
let kl = NaN;
let klIteration = -1;

// Yielding through a MessageChannel lets pause/step messages in between chunks without the
// 4 ms clamp that nested setTimeout calls get.
const channel = new MessageChannel();
channel.port1.onmessage = () => guarded(pump);

function post(type, extra = {}) {
  // The generation lets the page drop frames of a run it has already replaced.
  self.postMessage({ type, generation: params ? params.generation : undefined, ...extra });
}

function state() {
  if (running) return "running";
  return tsne && tsne.iteration >= params.iterations ? "done" : "paused";
}

function frame() {
  const Y = new Float32Array(tsne.Y);
  post("frame", {
    iteration: tsne.iteration,
    kl,
    klIteration,
    state: state(),
    Y,
    msPerIteration: tsne.iteration ? busyMs / tsne.iteration : 0,
  });
}

function exactKL() {
  kl = tsne.kl();
  klIteration = tsne.iteration;
}

function build(newParams, newData) {
  const perplexityChanged = !params || newParams.perplexity !== params.perplexity;
  params = newParams;
  const t0 = performance.now();
  if (newData || perplexityChanged || !tsne) {
    if (newData) data = newData;
    tsne = new TSNE({ perplexity: params.perplexity, learningRate: params.learningRate });
    if (data.kind === "distances") tsne.setDistances(data.data, data.n);
    else tsne.setData(data.data, data.n, data.d);
  } else {
    tsne.opts.learningRate = params.learningRate;
  }
  tsne.init(params.seed);
  busyMs = 0;
  exactKL();
  post("ready", { n: data.n, perplexity: tsne.perplexity, ms: performance.now() - t0 });
  running = Boolean(params.autoplay);
  frame();
  if (running) channel.port2.postMessage(0);
}

function pump() {
  if (!running) return;
  const t0 = performance.now();
  while (tsne.iteration < params.iterations && performance.now() - t0 < CHUNK_MS) {
    const withKL = (tsne.iteration + 1) % KL_EVERY === 0;
    const value = tsne.step(withKL);
    if (withKL) {
      kl = value;
      klIteration = tsne.iteration - 1;
    }
  }
  busyMs += performance.now() - t0;
  if (tsne.iteration >= params.iterations) {
    running = false;
    exactKL();
  }
  frame();
  if (running) channel.port2.postMessage(0);
}

function handle(msg) {
  switch (msg.type) {
    case "setup":
      build(msg.params, { data: msg.data, n: msg.n, d: msg.d, kind: msg.kind });
      break;
    case "restart":
      build(msg.params, null);
      break;
    case "play":
      if (!tsne || running) break;
      if (tsne.iteration >= params.iterations) break;
      running = true;
      channel.port2.postMessage(0);
      break;
    case "pause":
      if (!tsne) break;
      running = false;
      exactKL();
      frame();
      break;
    case "step": {
      if (!tsne) break;
      running = false;
      const t0 = performance.now();
      tsne.step(false);
      busyMs += performance.now() - t0;
      exactKL();
      frame();
      break;
    }
    case "iterations":
      if (!params) break;
      params.iterations = msg.value;
      if (running && tsne.iteration >= params.iterations) running = false;
      frame();
      break;
    default:
      throw new Error(`unknown message ${msg.type}`);
  }
}

function guarded(fn, arg) {
  try {
    fn(arg);
  } catch (err) {
    running = false;
    post("error", { message: err && err.message ? err.message : String(err) });
  }
}

self.onmessage = (event) => guarded(handle, event.data);
