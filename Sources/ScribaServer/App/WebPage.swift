// The web page served on the UI port: plain HTML, CSS and a little JS, no CDN, so it works
// offline. Transcript text is only ever put into the page through `textContent`. Its words are
// `{{key}}` slots filled from `PageLanguage`'s labels (Chinese or English).

enum WebPage {
    /// The page in `language`, filled once per language (not on every request).
    static func html(_ language: PageLanguage) -> String { pages[language] ?? filled(language) }

    private static let pages = Dictionary(uniqueKeysWithValues: PageLanguage.allCases.map { ($0, filled($0)) })

    private static func filled(_ language: PageLanguage) -> String {
        var page = template.replacingOccurrences(of: "{{options}}", with: language.languageOptions)
        for (key, text) in language.labels { page = page.replacingOccurrences(of: "{{\(key)}}", with: text) }
        return page
    }

    static let template = #"""
<!doctype html>
<html lang="{{lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{title}}</title>
<style>
  body { font: 16px/1.45 system-ui, sans-serif; max-width: 52rem; margin: 2rem auto; padding: 0 1rem; color: #1d1d1f; }
  h1 { font-size: 1.6rem; margin-bottom: .2rem; }
  #drop { border: 2px dashed #8a8a8e; border-radius: 10px; padding: 1.6rem; text-align: center; cursor: pointer; }
  #drop.over { background: #eef4ff; border-color: #2f6fdf; }
  .row { display: flex; gap: 1rem; align-items: center; margin: 1rem 0; flex-wrap: wrap; }
  button { font-size: 1rem; padding: .5rem 1.2rem; border-radius: 6px; border: 1px solid #2f6fdf; background: #2f6fdf; color: #fff; cursor: pointer; }
  button:disabled { opacity: .5; cursor: default; }
  #status.error { color: #b00020; }
  #text { white-space: pre-wrap; background: #f5f5f7; padding: 1rem; border-radius: 8px; }
  table { border-collapse: collapse; width: 100%; }
  td { padding: .3rem .5rem; border-bottom: 1px solid #e0e0e3; vertical-align: top; }
  td.time { white-space: nowrap; font-variant-numeric: tabular-nums; color: #555; }
  #timeline tr { cursor: pointer; }
  #timeline tr.playing td { background: #fff3c4; }
  #player { width: 100%; margin: .8rem 0; }
  #downloads a { margin-right: 1rem; }
  [hidden] { display: none !important; }
  #switch { float: right; font-size: .9rem; }
  #live-text .partial { color: #8a8a8e; }
  #live-text { white-space: pre-wrap; background: #f5f5f7; padding: 1rem; border-radius: 8px; min-height: 2.5rem; }
</style>
</head>
<body>
<nav id="switch"><a href="?lang=zh" lang="zh">中文</a> · <a href="?lang=en" lang="en">English</a></nav>
<h1>Scriba</h1>
<p>{{intro}}</p>

<div id="drop" tabindex="0">{{drop}}
  <div id="chosen"></div>
</div>
<input id="file" type="file" accept="audio/*,video/*" hidden>

<div class="row">
  <label>{{language}}
    <select id="language">
{{options}}
    </select>
  </label>
  <label>{{context}} <input id="context" type="text" placeholder="{{contextHint}}" size="28"></label>
  <label>{{apiKey}} <input id="apikey" type="password" placeholder="{{apiKeyHint}}" size="20" autocomplete="off"></label>
  <button id="go" disabled>{{transcribe}}</button>
</div>

<p id="status" role="status"></p>

<section id="result" hidden>
  <p>{{detected}}: <strong id="detected"></strong> · {{duration}} <span id="duration"></span> {{seconds}}</p>
  <div id="text"></div>
  <audio id="player" controls preload="auto"></audio>
  <h2>{{timeline}}</h2>
  <table id="timeline"><tbody></tbody></table>
  <p id="downloads">{{download}}:
    <a id="dl-srt" download="transcript.srt" href="#">SRT</a>
    <a id="dl-vtt" download="transcript.vtt" href="#">VTT</a>
    <a id="dl-json" download="transcript.json" href="#">JSON</a>
  </p>
</section>

<section id="live">
  <h2>{{live}}</h2>
  <p>{{liveIntro}}</p>
  <div class="row">
    <button id="live-start">{{start}}</button>
    <button id="live-stop" disabled>{{stop}}</button>
    <span id="live-status" role="status"></span>
  </div>
  <div id="live-text"><span id="live-committed"></span> <span id="live-partial" class="partial"></span></div>
  <p id="live-downloads" hidden>{{download}}: <a id="dl-live-srt" download="live.srt" href="#">SRT</a></p>
</section>

<script>
"use strict";
const $ = (id) => document.getElementById(id);
let chosen = null;
const urls = [];

function choose(file) {
  chosen = file || null;
  $("chosen").textContent = chosen ? chosen.name + " (" + (chosen.size / 1048576).toFixed(1) + " MB)" : "";
  $("go").disabled = !chosen;
}

function clock(seconds) {
  const ms = Math.round(seconds * 1000);
  const h = Math.floor(ms / 3600000), m = Math.floor(ms / 60000) % 60, s = Math.floor(ms / 1000) % 60;
  const pad = (n, w) => String(n).padStart(w, "0");
  return (h > 0 ? h + ":" : "") + pad(m, 2) + ":" + pad(s, 2) + "." + pad(ms % 1000, 3);
}

function setStatus(message, isError) {
  $("status").textContent = message;
  $("status").className = isError ? "error" : "";
}

function link(id, text, type) {
  const url = URL.createObjectURL(new Blob([text], { type: type }));
  urls.push(url);
  $(id).href = url;
}

// The player plays the chosen file; a timeline row starts it there, and the row being heard is
// highlighted, so subtitles can be checked by listening.
function play(file) {
  const player = $("player");
  if (player.src) URL.revokeObjectURL(player.src);
  player.src = file ? URL.createObjectURL(file) : "";
}

function highlight() {
  const t = $("player").currentTime;
  for (const row of $("timeline").tBodies[0].rows) {
    row.classList.toggle("playing", t >= Number(row.dataset.start) && t < Number(row.dataset.end));
  }
}

function show(result) {
  while (urls.length) URL.revokeObjectURL(urls.pop());
  $("detected").textContent = result.language || "{{unknown}}";
  $("duration").textContent = Number(result.duration).toFixed(1);
  $("text").textContent = result.text;
  const body = $("timeline").tBodies[0];
  body.replaceChildren();
  for (const sentence of result.sentences || []) {
    const row = body.insertRow();
    row.dataset.start = sentence.start;
    row.dataset.end = sentence.end;
    row.addEventListener("click", () => {
      $("player").currentTime = sentence.start;
      $("player").play().catch(() => {});
    });
    const time = row.insertCell();
    time.className = "time";
    time.textContent = clock(sentence.start) + " – " + clock(sentence.end);
    row.insertCell().textContent = sentence.text;
  }
  link("dl-srt", result.srt || "", "application/x-subrip");
  link("dl-vtt", result.vtt || "", "text/vtt");
  const { srt, vtt, ...json } = result;
  link("dl-json", JSON.stringify(json, null, 2), "application/json");
  $("result").hidden = false;
}

async function transcribe() {
  if (!chosen) return;
  const form = new FormData();
  form.append("audio", chosen, chosen.name);
  form.append("language", $("language").value);
  if ($("context").value.trim()) form.append("context", $("context").value.trim());
  form.append("timestamps", "true");
  $("go").disabled = true;
  setStatus("{{transcribing}} " + chosen.name + " …", false);
  const started = performance.now();
  try {
    const headers = {};
    if ($("apikey").value.trim()) headers["Authorization"] = "Bearer " + $("apikey").value.trim();
    const response = await fetch("api/transcribe", { method: "POST", body: form, headers: headers });
    const body = await response.json().catch(() => null);
    if (!response.ok) {
      const message = body && body.error ? body.error.message : "HTTP " + response.status;
      throw new Error(message);
    }
    show(body);
    play(chosen);
    setStatus("{{doneIn}} " + ((performance.now() - started) / 1000).toFixed(1) + " {{seconds}}{{period}}", false);
  } catch (error) {
    setStatus("{{failed}} " + error.message, true);
  } finally {
    $("go").disabled = !chosen;
  }
}

$("drop").addEventListener("click", () => $("file").click());
$("drop").addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") $("file").click(); });
$("file").addEventListener("change", () => choose($("file").files[0]));
$("drop").addEventListener("dragover", (e) => { e.preventDefault(); $("drop").classList.add("over"); });
$("drop").addEventListener("dragleave", () => $("drop").classList.remove("over"));
$("drop").addEventListener("drop", (e) => {
  e.preventDefault();
  $("drop").classList.remove("over");
  choose(e.dataTransfer.files[0]);
});
$("go").addEventListener("click", transcribe);

// Live mode: microphone → AudioWorklet (downmix, resample to 16 kHz, PCM16 in 100 ms pieces) →
// the server's /v1/realtime WebSocket (vLLM's realtime protocol) → committed words in black, the
// partial tail in grey; an SRT of the committed words when the stream ends.
const WORKLET = `
class Pcm16k extends AudioWorkletProcessor {
  constructor() { super(); this.step = sampleRate / 16000; this.at = 0; this.out = []; }
  process(inputs) {
    const channels = inputs[0];
    if (channels.length) {
      const n = channels[0].length;
      const mono = new Float32Array(n);
      for (const c of channels) for (let i = 0; i < n; i++) mono[i] += c[i] / channels.length;
      for (; this.at < n; this.at += this.step) {
        const i = Math.floor(this.at), f = this.at - i;
        const v = i + 1 < n ? mono[i] * (1 - f) + mono[i + 1] * f : mono[i];
        this.out.push(Math.max(-32768, Math.min(32767, Math.round(v * 32768))));
      }
      this.at -= n;
      if (this.out.length >= 1600) { this.port.postMessage(Int16Array.from(this.out).buffer); this.out = []; }
    }
    return true;
  }
}
registerProcessor("pcm16k", Pcm16k);`;
let live = null;
let liveSRT = "";

function liveStatus(message, isError) {
  $("live-status").textContent = message;
  $("live-status").className = isError ? "error" : "";
}

function base64(buffer) {
  let binary = "";
  const bytes = new Uint8Array(buffer);
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

function srtOf(words) {
  const cues = [];
  let cue = [];
  for (const word of words) {
    cue.push(word);
    const ends = /[.!?。！？]["')\]]*$/.test(word.word) && !/^(Mr|Mrs|Ms|Dr|St|Jr|Sr|vs|etc)\.$/i.test(word.word);
    if (ends || cue.length >= 12) { cues.push(cue); cue = []; }
  }
  if (cue.length) cues.push(cue);
  const stamp = (s) => clock(s).padStart(12, "00:").replace(".", ",");
  return cues.map((c, i) => (i + 1) + "\n" + stamp(c[0].start) + " --> " + stamp(c[c.length - 1].end) + "\n"
    + c.map((w) => w.word).join(" ").replace(/ -/g, "-") + "\n").join("\n");
}

async function liveStart() {
  $("live-start").disabled = true;
  $("live-committed").textContent = "";
  $("live-partial").textContent = "";
  $("live-downloads").hidden = true;
  try {
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    const context = new AudioContext();
    await context.audioWorklet.addModule(URL.createObjectURL(new Blob([WORKLET], { type: "text/javascript" })));
    const key = $("apikey").value.trim();
    const url = location.origin.replace(/^http/, "ws") + "/v1/realtime" + (key ? "?api_key=" + encodeURIComponent(key) : "");
    const socket = new WebSocket(url);
    const words = [];
    live = { stream, context, socket, words };
    socket.onmessage = (message) => {
      const event = JSON.parse(message.data);
      if (event.type === "transcription.delta") {
        $("live-committed").textContent += event.delta;
        words.push(...(event.words || []));
      } else if (event.type === "transcription.partial") {
        $("live-partial").textContent = event.text;
      } else if (event.type === "transcription.done") {
        $("live-committed").textContent = event.text;
        $("live-partial").textContent = "";
        liveSRT = srtOf(words);
        link("dl-live-srt", liveSRT, "application/x-subrip");
        $("live-downloads").hidden = false;
        liveStatus("", false);
        socket.close();
      } else if (event.type === "error") {
        liveStatus("{{failed}} " + event.error, true);
      }
    };
    socket.onclose = () => { liveStop(true); $("live-start").disabled = false; };
    await new Promise((resolve, reject) => { socket.onopen = resolve; socket.onerror = () => reject(new Error("WebSocket")); });
    const language = $("language").value;
    socket.send(JSON.stringify({ type: "session.update", model: "scriba", partials: true, ...(language !== "auto" ? { language } : {}) }));
    socket.send(JSON.stringify({ type: "input_audio_buffer.commit" }));
    const node = new AudioWorkletNode(context, "pcm16k");
    node.port.onmessage = (message) => {
      if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type: "input_audio_buffer.append", audio: base64(message.data) }));
    };
    context.createMediaStreamSource(stream).connect(node);
    live.node = node;
    $("live-stop").disabled = false;
    liveStatus("{{listening}}", false);
  } catch (error) {
    liveStatus("{{failed}} " + error.message, true);
    liveStop(true);
    $("live-start").disabled = false;
  }
}

// Stops the microphone; unless the socket is gone, asks for the final text (transcription.done).
function liveStop(socketGone) {
  if (!live) return;
  $("live-stop").disabled = true;
  live.stream.getTracks().forEach((track) => track.stop());
  if (live.node) live.node.port.onmessage = null;
  live.context.close();
  if (!socketGone && live.socket.readyState === WebSocket.OPEN) {
    live.socket.send(JSON.stringify({ type: "input_audio_buffer.commit", final: true }));
    liveStatus("{{finishing}}", false);
  }
  live = null;
}

$("live-start").addEventListener("click", liveStart);
$("live-stop").addEventListener("click", () => liveStop(false));
$("player").addEventListener("timeupdate", highlight);
$("player").addEventListener("seeked", highlight);
</script>
</body>
</html>
"""#
}
