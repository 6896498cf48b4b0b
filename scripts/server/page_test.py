#!/usr/bin/env python3
"""Drives the web page of a running `scriba serve` (UI port :7860) in headless Chromium.

Chromium comes from Debian (apt-get install chromium); it is driven over the DevTools protocol
with websocket-client==1.9.2 (pip install websocket-client==1.9.2). Speech is made with espeak-ng.

    scriba serve ... &
    python3 scripts/server/page_test.py [--url http://127.0.0.1:7860] [--screenshot page.png] [--expect hello]

Sets the file input to a WAV, clicks Transcribe, waits for the result, asserts the transcript
text and at least one timeline row, and saves a screenshot. Then feeds the page's renderer a
transcript full of markup (<script>, <img onerror>) and checks none of it runs or becomes an
element. Exits non-zero on failure.
"""
import argparse
import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

import websocket

from common import make_speech, wait_ready


class DevTools:
    """A minimal DevTools client: one page target, synchronous commands."""

    def __init__(self, ws_url: str):
        self.ws = websocket.create_connection(ws_url, timeout=60)
        self.next_id = 0

    def call(self, method: str, **params):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def evaluate(self, expression: str):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# A transcript as a hostile recording could make an engine print it.
HOSTILE = {
    "text": "<script>window.__xss = 'script'</script><img src=x onerror=\"window.__xss = 'img'\">",
    "language": "<b>en</b>",
    "duration": 1,
    "sentences": [{"start": 0, "end": 1, "text": "<svg onload=\"window.__xss = 'svg'\"></svg>"}],
    "srt": "1\n00:00:00,000 --> 00:00:01,000\n<script>x</script>\n",
    "vtt": "WEBVTT\n",
}


# How the status line starts when the transcript is in, per page language.
DONE = {"en": "Done", "zh": "完成"}


def check_escaping(tools: DevTools) -> None:
    """The page's renderer (`show`, what a response goes through) must print markup as text."""
    tools.evaluate("window.__xss = undefined")
    tools.evaluate(f"show({json.dumps(HOSTILE)})")
    time.sleep(1)  # an <img onerror> would have fired by now
    state = tools.evaluate("""({
        xss: window.__xss === undefined ? null : String(window.__xss),
        text: document.getElementById('text').textContent,
        language: document.getElementById('detected').textContent,
        row: document.querySelector('#timeline tbody tr').textContent,
        elements: document.querySelectorAll('#result script, #result img, #result svg, #result b').length
    })""")
    assert state["xss"] is None, f"transcript markup ran: window.__xss = {state['xss']!r}"
    assert state["elements"] == 0, f"transcript markup became {state['elements']} elements"
    assert state["text"] == HOSTILE["text"], f"transcript not shown verbatim: {state['text']!r}"
    assert state["language"] == "<b>en</b>" and "<svg" in state["row"], f"markup not shown as text: {state}"
    print("ok   transcript markup (<script>, <img onerror>, <svg onload>) shown as text, never run")


def save_screenshot(tools: DevTools, path: str) -> None:
    shot = tools.call("Page.captureScreenshot", format="png")
    with open(path, "wb") as f:
        f.write(base64.b64decode(shot["data"]))


def poll(tools: DevTools, expression: str, finished, what: str, timeout: float) -> dict:
    """Evaluates `expression` (an object with `error` and `status`) every 0.5 s until `finished(state)`;
    fails on the page's error or after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    state = {}
    while time.monotonic() < deadline:
        state = tools.evaluate(expression)
        if state["error"]:
            raise SystemExit(f"FAIL: {what} shows an error: {state['status']}")
        if finished(state):
            return state
        time.sleep(0.5)
    raise SystemExit(f"FAIL: no {what} result after {timeout} s: {state}")


def check_player(tools: DevTools) -> None:
    """The player under the result plays the uploaded file; clicking the last timeline row seeks
    there and highlights that row (and only it)."""
    for _ in range(100):
        if tools.evaluate("document.getElementById('player').readyState") >= 1:
            break
        time.sleep(0.1)
    else:
        raise SystemExit("FAIL: the player did not load the uploaded file")
    assert tools.evaluate("document.getElementById('player').src").startswith("blob:"), "player has no source"
    tools.evaluate("(() => { const rows = document.querySelectorAll('#timeline tbody tr'); rows[rows.length - 1].click(); })()")
    for _ in range(100):
        state = tools.evaluate("""(() => {
            const rows = Array.from(document.querySelectorAll('#timeline tbody tr'));
            return { time: document.getElementById('player').currentTime, start: Number(rows[rows.length - 1].dataset.start),
                     playing: rows.map(r => r.classList.contains('playing')) };
        })()""")
        if state["playing"][-1]:
            break
        time.sleep(0.1)
    assert state["time"] >= state["start"] - 0.05, f"the row click did not seek: {state}"
    assert state["playing"][-1] and sum(state["playing"]) == 1, f"the row being heard is not the one highlighted: {state}"
    print(f"ok   player: the last row's click seeks to {state['time']:.2f} s and highlights it")
    # Before the first row starts, no row is highlighted (the highlight follows the playhead).
    first = tools.evaluate("Number(document.querySelector('#timeline tbody tr').dataset.start)")
    if first > 0.1:
        tools.evaluate("(() => { const p = document.getElementById('player'); p.pause(); p.currentTime = 0.05; })()")
        for _ in range(50):
            lit = tools.evaluate("document.querySelectorAll('#timeline tbody tr.playing').length")
            if lit == 0:
                break
            time.sleep(0.1)
        assert lit == 0, "a row stays highlighted before any speech"
        print("ok   player: before the first row nothing is highlighted")


def check_live(tools: DevTools, args) -> int:
    """Start, let the fake microphone play the clip once (plus a margin), Stop; the committed text
    must hold the expected word and the SRT link must be set."""
    import wave
    with wave.open(args.audio) as w:
        seconds = w.getnframes() / w.getframerate()
    tools.evaluate("document.getElementById('language').value = 'en'")
    if args.api_key:
        tools.evaluate(f"document.getElementById('apikey').value = {json.dumps(args.api_key)}")
    tools.evaluate("document.getElementById('live-start').click()")
    for _ in range(100):
        if not tools.evaluate("document.getElementById('live-stop').disabled"):
            break
        time.sleep(0.1)
    else:
        status = tools.evaluate("document.getElementById('live-status').textContent")
        raise SystemExit(f"FAIL: live mode did not start: {status}")
    time.sleep(seconds + 2)
    partial_seen = tools.evaluate("document.getElementById('live-committed').textContent + document.getElementById('live-partial').textContent")
    tools.evaluate("document.getElementById('live-stop').click()")
    state = poll(tools, """({
            done: !document.getElementById('live-downloads').hidden,
            text: document.getElementById('live-committed').textContent,
            status: document.getElementById('live-status').textContent,
            error: document.getElementById('live-status').className === 'error',
            srt: document.getElementById('dl-live-srt').href
        })""", lambda state: state["done"], "live mode", args.timeout)
    save_screenshot(tools, args.screenshot)
    print(f"live text while speaking: {partial_seen!r}")
    print(f"live final text: {state['text']!r}")
    assert args.expect.lower() in state["text"].lower(), f"live transcript lacks '{args.expect}': {state['text']!r}"
    assert state["srt"].startswith("blob:"), f"live SRT link not set: {state['srt']!r}"
    srt = tools.evaluate("liveSRT")  # the download's text (the page's CSP keeps fetch off blob: URLs)
    assert srt.startswith("1\n00:00:") and " --> " in srt, f"live SRT is not SRT: {srt[:200]!r}"
    print(f"live SRT:\n{srt}")
    print("live page test passed")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="http://127.0.0.1:7860")
    parser.add_argument("--screenshot", default="page_test.png")
    parser.add_argument("--expect", default="hello", help="a word the transcript must contain")
    parser.add_argument("--timeout", type=float, default=300, help="seconds to wait for the transcript")
    parser.add_argument("--audio", help="speech WAV to upload instead of the espeak-ng sentence")
    parser.add_argument("--api-key", help="typed into the page's API key field")
    parser.add_argument("--lang", choices=["en", "zh"], default="en", help="the page's language, chosen with its switch (?lang=)")
    parser.add_argument("--live", action="store_true",
                        help="test the Live mode instead: Chromium's fake microphone plays --audio into the page")
    args = parser.parse_args()

    wait_ready(args.url)
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        raise SystemExit("chromium not found: apt-get install chromium")
    audio = args.audio or make_speech("Hello world. This page test uploads a short recording.")
    profile = tempfile.mkdtemp(prefix="scriba-chromium-")
    port = free_port()
    browser = subprocess.Popen(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         f"--user-data-dir={profile}", f"--remote-debugging-port={port}", "--window-size=1100,1000",
         "--autoplay-policy=no-user-gesture-required",
         # The live mode's microphone: the clip, looped, with the permission prompt answered yes.
         "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
         f"--use-file-for-fake-audio-capture={os.path.abspath(audio)}", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        targets = []
        for _ in range(100):
            try:
                targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json"))
                if any(t["type"] == "page" for t in targets):
                    break
            except OSError:
                pass
            time.sleep(0.2)
        page = next(t for t in targets if t["type"] == "page")
        tools = DevTools(page["webSocketDebuggerUrl"])
        tools.call("Page.enable")
        tools.call("DOM.enable")
        tools.call("Page.navigate", url=f"{args.url}/?lang={args.lang}")
        for _ in range(100):
            if tools.evaluate("document.readyState") == "complete" and tools.evaluate("!!document.getElementById('go')"):
                break
            time.sleep(0.1)

        if args.live:
            return check_live(tools, args)

        # Choose the file as a user would (fires the input's change event), pick English, click.
        document = tools.call("DOM.getDocument")
        node = tools.call("DOM.querySelector", nodeId=document["root"]["nodeId"], selector="#file")
        tools.call("DOM.setFileInputFiles", nodeId=node["nodeId"], files=[os.path.abspath(audio)])
        chosen = tools.evaluate("document.getElementById('chosen').textContent")
        assert chosen.endswith("MB)"), f"file not picked up by the page: {chosen!r}"
        tools.evaluate("document.getElementById('language').value = 'en'")
        if args.api_key:
            tools.evaluate(f"document.getElementById('apikey').value = {json.dumps(args.api_key)}")
        tools.evaluate("document.getElementById('go').click()")

        state = poll(tools, """({
                hidden: document.getElementById('result').hidden,
                status: document.getElementById('status').textContent,
                error: document.getElementById('status').className === 'error',
                text: document.getElementById('text').textContent,
                language: document.getElementById('detected').textContent,
                rows: Array.from(document.querySelectorAll('#timeline tbody tr')).map(r => r.textContent),
                srt: document.getElementById('dl-srt').href
            })""", lambda state: not state["hidden"] and state["status"].startswith(DONE[args.lang]),
                     "page", args.timeout)
        save_screenshot(tools, args.screenshot)
        print(f"screenshot: {args.screenshot}")
        print(f"status: {state['status']}; language: {state['language']}; text: {state['text']!r}")
        for row in state["rows"]:
            print(f"  row: {row}")
        assert args.expect.lower() in state["text"].lower(), f"transcript lacks '{args.expect}': {state['text']!r}"
        # The model's English name, as the original page shows it ("识别语言: English").
        assert state["language"] == "English", f"detected language {state['language']!r}"
        page_lang = tools.evaluate("document.documentElement.lang")
        assert page_lang == args.lang, f"page language {page_lang!r}, asked for {args.lang!r}"
        assert len(state["rows"]) >= 1, "no timeline rows"
        assert state["srt"].startswith("blob:"), f"SRT download link not set: {state['srt']!r}"
        check_player(tools)
        check_escaping(tools)
        print("page test passed")
        return 0
    finally:
        browser.terminate()
        try:
            browser.wait(timeout=10)
        except subprocess.TimeoutExpired:
            browser.kill()
        shutil.rmtree(profile, ignore_errors=True)
        if not args.audio:
            os.remove(audio)


if __name__ == "__main__":
    sys.exit(main())
