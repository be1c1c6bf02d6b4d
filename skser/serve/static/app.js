// The skser web page: upload or record audio, show the class probabilities and, for
// longer audio, the emotion timeline. Plain DOM and SVG: no library, no CDN.
"use strict";

const SVG = "http://www.w3.org/2000/svg";
// matplotlib's tab10, the colours of skser.plotting.plot_timeline.
const PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                 "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];
const MAX_RECORD_S = 60;

const $ = (id) => document.getElementById(id);
let info = { classes: [], clip_seconds: 3 };

function colour(cls) {
  const i = info.classes.map(String).indexOf(String(cls));
  return PALETTE[(i < 0 ? 0 : i) % PALETTE.length];
}

function el(name, attrs, text) {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

function setStatus(text, isError) {
  const status = $("status");
  status.textContent = text;
  status.className = isError ? "error" : "";
}

async function loadInfo() {
  try {
    const reply = await fetch("/info");
    info = await reply.json();
    const classes = (info.classes || []).join(", ");
    const sn = info.speaker_normalised ? "speaker-normalised, " : "";
    $("model").textContent =
      `Model: ${info.estimator || "pipeline"} (${sn}${info.clip_seconds?.toFixed(1)} s clips at ` +
      `${info.sample_rate} Hz) · classes: ${classes}`;
  } catch (err) {
    $("model").textContent = `cannot read the model's description: ${err}`;
  }
}

async function post(path, blob, name) {
  const form = new FormData();
  form.append("file", blob, name);
  const reply = await fetch(path, { method: "POST", body: form });
  let body;
  try {
    body = await reply.json();
  } catch (err) {
    body = { detail: `${reply.status} ${reply.statusText}` };
  }
  if (!reply.ok) {
    const detail = typeof body.detail === "string" ? body.detail : JSON.stringify(body.detail);
    throw new Error(`${reply.status}: ${detail}`);
  }
  return body;
}

async function analyse(blob, name) {
  setStatus(`predicting ${name}…`);
  $("upload").disabled = true;
  try {
    const result = await post("/predict", blob, name);
    showPrediction(result);
    if (result.duration_s > 2 * (info.clip_seconds || 3)) {
      setStatus("computing the timeline…");
      showTimeline(await post("/timeline", blob, name));
    } else {
      $("timeline-card").hidden = true;
    }
    setStatus("done");
    document.body.dataset.state = "done";
  } catch (err) {
    $("result").hidden = true;
    $("timeline-card").hidden = true;
    setStatus(String(err.message || err), true);
    document.body.dataset.state = "error";
  } finally {
    $("upload").disabled = false;
  }
}

function showPrediction(result) {
  $("result").hidden = false;
  $("label").textContent = result.label;
  $("filename").textContent = result.filename;
  $("duration").textContent = result.duration_s.toFixed(2);
  const warnings = $("warnings");
  warnings.replaceChildren(...result.warnings.map((w) => {
    const li = document.createElement("li");
    li.textContent = w;
    return li;
  }));
  const entries = Object.entries(result.probabilities);
  const svg = $("bars");
  const row = 28, left = 110, width = 600;
  svg.setAttribute("viewBox", `0 0 ${left + width + 60} ${row * entries.length}`);
  svg.setAttribute("height", row * entries.length);
  svg.replaceChildren();
  entries.forEach(([cls, p], i) => {
    const g = el("g", { class: "bar", "data-label": cls, "data-p": p.toFixed(6) });
    const y = i * row;
    g.append(el("text", { x: left - 8, y: y + 18, "text-anchor": "end" }, cls));
    g.append(el("rect", { x: left, y: y + 5, width: width, height: row - 10, fill: "#eef0f4" }));
    g.append(el("rect", {
      x: left, y: y + 5, width: Math.max(p * width, 1), height: row - 10,
      fill: cls === result.label ? colour(cls) : "#9aa3b5",
    }));
    g.append(el("text", { x: left + width + 6, y: y + 18 }, `${(100 * p).toFixed(1)} %`));
    svg.append(g);
  });
}

function showTimeline(tl) {
  $("timeline-card").hidden = false;
  const svg = $("timeline");
  const W = 760, H = 240, left = 40, top = 34, plotH = H - top - 30, plotW = W - left - 10;
  svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
  svg.setAttribute("height", H);
  svg.replaceChildren();
  const x = (t) => left + (plotW * t) / Math.max(tl.duration_s, 1e-9);
  const y = (p) => top + plotH * (1 - p);
  const centres = tl.windows.map((w) => (w.start_s + w.end_s) / 2);
  // Stacked areas, one per class, over the window centres, held flat from the start of
  // the recording to the first centre and from the last centre to its end.
  const xs = [0, ...centres, tl.duration_s];
  const padded = [tl.windows[0], ...tl.windows, tl.windows[tl.windows.length - 1]];
  let below = padded.map(() => 0);
  tl.classes.forEach((cls) => {
    const above = below.map((b, i) => b + padded[i].probabilities[cls]);
    const upper = xs.map((t, i) => `${x(t)},${y(above[i])}`);
    const lower = xs.map((t, i) => `${x(t)},${y(below[i])}`).reverse();
    svg.append(el("polygon", {
      class: "area", "data-label": cls, points: upper.concat(lower).join(" "),
      fill: colour(cls), "fill-opacity": 0.85,
    }));
    below = above;
  });
  // The top label of each window: a strip above the plot, one segment per window.
  tl.windows.forEach((w, i) => {
    const a = i === 0 ? 0 : (centres[i - 1] + centres[i]) / 2;
    const b = i === tl.windows.length - 1 ? tl.duration_s : (centres[i] + centres[i + 1]) / 2;
    svg.append(el("rect", {
      class: "top-label", "data-label": w.label, "data-start": w.start_s,
      x: x(a), y: 8, width: Math.max(x(b) - x(a), 0.5), height: 16, fill: colour(w.label),
    }));
  });
  // Axes: time ticks below, 0 and 1 on the left.
  svg.append(el("line", { x1: left, x2: left + plotW, y1: y(0), y2: y(0), stroke: "#333" }));
  const step = Math.max(1, Math.ceil(tl.duration_s / 10));
  for (let t = 0; t <= tl.duration_s + 1e-9; t += step) {
    svg.append(el("line", { x1: x(t), x2: x(t), y1: y(0), y2: y(0) + 5, stroke: "#333" }));
    svg.append(el("text", { x: x(t), y: y(0) + 19, "text-anchor": "middle" }, `${t}`));
  }
  svg.append(el("text", { x: left + plotW, y: H - 1, "text-anchor": "end" }, "time (s)"));
  svg.append(el("text", { x: left - 6, y: y(1) + 4, "text-anchor": "end" }, "1"));
  svg.append(el("text", { x: left - 6, y: y(0) + 4, "text-anchor": "end" }, "0"));
  $("legend").replaceChildren(...tl.classes.map((cls) => {
    const span = document.createElement("span");
    span.style.setProperty("--swatch", colour(cls));
    span.textContent = cls;
    return span;
  }));
}

// Recording: MediaRecorder's compressed audio (WebM/Opus in Chromium) is decoded by the
// browser and sent as 16-bit mono WAV, which the server's decoder reads.
function encodeWav(buffer) {
  const n = buffer.length, sr = buffer.sampleRate, channels = buffer.numberOfChannels;
  const mono = new Float32Array(n);
  for (let c = 0; c < channels; c++) {
    const data = buffer.getChannelData(c);
    for (let i = 0; i < n; i++) mono[i] += data[i] / channels;
  }
  const view = new DataView(new ArrayBuffer(44 + 2 * n));
  const text = (offset, s) => { for (let i = 0; i < s.length; i++) view.setUint8(offset + i, s.charCodeAt(i)); };
  text(0, "RIFF"); view.setUint32(4, 36 + 2 * n, true); text(8, "WAVE");
  text(12, "fmt "); view.setUint32(16, 16, true); view.setUint16(20, 1, true);
  view.setUint16(22, 1, true); view.setUint32(24, sr, true); view.setUint32(28, 2 * sr, true);
  view.setUint16(32, 2, true); view.setUint16(34, 16, true);
  text(36, "data"); view.setUint32(40, 2 * n, true);
  for (let i = 0; i < n; i++) {
    const s = Math.max(-1, Math.min(1, mono[i]));
    view.setInt16(44 + 2 * i, s < 0 ? s * 0x8000 : s * 0x7fff, true);
  }
  return new Blob([view], { type: "audio/wav" });
}

let recorder = null, recordTimer = null;

async function startRecording() {
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ audio: true });
  } catch (err) {
    setStatus(`no microphone: ${err.message || err}`, true);
    return;
  }
  const chunks = [];
  recorder = new MediaRecorder(stream);
  recorder.ondataavailable = (e) => { if (e.data.size) chunks.push(e.data); };
  recorder.onstop = async () => {
    stream.getTracks().forEach((t) => t.stop());
    clearInterval(recordTimer);
    $("record").disabled = false;
    $("stop").disabled = true;
    const blob = new Blob(chunks, { type: recorder.mimeType });
    try {
      const ctx = new AudioContext();
      const wav = encodeWav(await ctx.decodeAudioData(await blob.arrayBuffer()));
      ctx.close();
      $("playback").src = URL.createObjectURL(wav);
      $("playback").hidden = false;
      await analyse(wav, "recording.wav");
    } catch (err) {
      setStatus(`cannot decode the recording: ${err.message || err}`, true);
      document.body.dataset.state = "error";
    }
  };
  const t0 = Date.now();
  recorder.start();
  document.body.dataset.state = "recording";
  $("record").disabled = true;
  $("stop").disabled = false;
  setStatus("recording…");
  recordTimer = setInterval(() => {
    const s = (Date.now() - t0) / 1000;
    $("rec-time").textContent = `${s.toFixed(1)} s`;
    if (s >= MAX_RECORD_S) stopRecording();
  }, 100);
}

function stopRecording() {
  if (recorder && recorder.state === "recording") recorder.stop();
}

window.addEventListener("DOMContentLoaded", () => {
  loadInfo();
  $("upload-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const file = $("file").files[0];
    if (!file) {
      setStatus("choose an audio file first", true);
      return;
    }
    analyse(file, file.name);
  });
  $("record").addEventListener("click", startRecording);
  $("stop").addEventListener("click", stopRecording);
  document.body.dataset.state = "ready";
});
