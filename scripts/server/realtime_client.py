#!/usr/bin/env python3
"""Live captions against a running `scriba serve --engine whisper`, as a client written to the
documentation would use them:

- /v1/realtime, vLLM's realtime transcription protocol (vllm/entrypoints/openai/realtime/): receive
  `session.created`, send `session.update` {model}, `input_audio_buffer.commit`, then
  `input_audio_buffer.append` {audio: base64 PCM16 16 kHz mono} at real time, and
  `input_audio_buffer.commit` {final: true}; read `transcription.delta` {delta} until
  `transcription.done` {text}. Then the abuse cases: garbage text (close 1007), an oversized
  message (close 1009); the server must still answer a new stream afterwards.
- `stream=true` on /v1/audio/transcriptions through the official OpenAI client (SSE:
  transcript.text.delta / transcript.text.done).

Pinned: websocket-client==1.9.2, openai==3.51.0.

    python3 scripts/server/realtime_client.py --port 7861 --audio clip.wav --expect dashwood [--api-key KEY]

Exits non-zero with a message at the first failed check.
"""
import argparse
import base64
import json
import threading
import time
import wave

import websocket

from common import wait_ready


def check(condition: bool, message: str) -> None:
    if not condition:
        raise SystemExit(f"FAIL: {message}")
    print(f"ok   {message}")


def connect(port: int, key: str | None) -> websocket.WebSocket:
    header = [f"Authorization: Bearer {key}"] if key else []
    return websocket.create_connection(f"ws://127.0.0.1:{port}/v1/realtime", header=header, timeout=60)


def read_until_done(ws: websocket.WebSocket, events: list, start: float) -> None:
    """Collects events (with their arrival time) until transcription.done or the close."""
    while True:
        try:
            opcode, data = ws.recv_data()
        except websocket.WebSocketConnectionClosedException:
            return
        if opcode == websocket.ABNF.OPCODE_CLOSE:
            events.append(("close", int.from_bytes(data[:2], "big") if len(data) >= 2 else None, time.time() - start))
            return
        event = json.loads(data)
        events.append((event["type"], event, time.time() - start))
        if event["type"] == "transcription.done":
            return


def stream(port: int, key: str | None, pcm: bytes, pace: bool) -> list:
    ws = connect(port, key)
    created = json.loads(ws.recv())
    check(created["type"] == "session.created" and created["id"].startswith("sess-"), f"session.created first: {created}")
    events: list = []
    start = time.time()
    reader = threading.Thread(target=read_until_done, args=(ws, events, start))
    reader.start()
    ws.send(json.dumps({"type": "session.update", "model": "any-name-the-client-likes"}))
    ws.send(json.dumps({"type": "input_audio_buffer.commit"}))
    chunk = 3200  # 100 ms of PCM16
    for offset in range(0, len(pcm), chunk):
        ws.send(json.dumps({"type": "input_audio_buffer.append", "audio": base64.b64encode(pcm[offset:offset + chunk]).decode()}))
        if pace:
            time.sleep(max(0.0, start + (offset + chunk) / 32000 - time.time()))
    ws.send(json.dumps({"type": "input_audio_buffer.commit", "final": True}))
    reader.join(timeout=120)
    ws.close()
    return events


def close_code_after(port: int, key: str | None, message: str) -> int | None:
    ws = connect(port, key)
    ws.recv()  # session.created
    ws.send(message)
    while True:
        # The raw frame: recv_data would answer the close itself, on a socket the server may
        # already have shut after refusing the message.
        try:
            frame = ws.recv_frame()
        except (websocket.WebSocketConnectionClosedException, ConnectionError):
            return None
        if frame.opcode == websocket.ABNF.OPCODE_CLOSE:
            return int.from_bytes(frame.data[:2], "big") if len(frame.data) >= 2 else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=7861)
    parser.add_argument("--api-key")
    parser.add_argument("--audio", required=True, help="16 kHz mono 16-bit WAV")
    parser.add_argument("--expect", required=True, help="a word the transcript must contain (lowercase)")
    parser.add_argument("--max-message-kb", type=int, default=1024)
    args = parser.parse_args()
    wait_ready(f"http://127.0.0.1:{args.port}")
    with wave.open(args.audio) as w:
        check(w.getframerate() == 16000 and w.getnchannels() == 1 and w.getsampwidth() == 2, "the clip is 16 kHz mono PCM16")
        pcm = w.readframes(w.getnframes())
    seconds = len(pcm) / 32000

    events = stream(args.port, args.api_key, pcm, pace=True)
    deltas = [e[1]["delta"] for e in events if e[0] == "transcription.delta"]
    done = [e[1] for e in events if e[0] == "transcription.done"]
    check(len(done) == 1, f"one transcription.done (events: {[e[0] for e in events]})")
    text = done[0]["text"]
    check(args.expect in text.lower(), f"the transcript has '{args.expect}': {text!r}")
    check("".join(deltas) == text, f"the {len(deltas)} deltas add up to the done text")
    first = next(e[2] for e in events if e[0] == "transcription.delta")
    ended = next(e[2] for e in events if e[0] == "transcription.done")
    print(f"     first delta {first:.2f} s after the start; done {ended - seconds:.2f} s after the audio ended ({seconds:.1f} s clip, paced)")

    check(close_code_after(args.port, args.api_key, "this is not JSON") == 1007, "garbage text is closed with 1007")
    big = json.dumps({"type": "input_audio_buffer.append", "audio": "A" * (args.max_message_kb * 1024 + 4)})
    check(close_code_after(args.port, args.api_key, big) == 1009, "an oversized message is closed with 1009")
    again = stream(args.port, args.api_key, pcm, pace=False)
    check(any(e[0] == "transcription.done" and args.expect in e[1]["text"].lower() for e in again),
          "after the abuse a new stream still gets its transcript")

    from openai import OpenAI
    client = OpenAI(base_url=f"http://127.0.0.1:{args.port}/v1", api_key=args.api_key or "none")
    with open(args.audio, "rb") as f:
        sse = list(client.audio.transcriptions.create(model="whisper-1", file=f, stream=True))
    types = [event.type for event in sse]
    check(types[-1] == "transcript.text.done" and "transcript.text.delta" in types, f"SSE events through the OpenAI client: {types}")
    check("".join(e.delta for e in sse if e.type == "transcript.text.delta") == sse[-1].text, "SSE deltas add up to the done text")
    check(args.expect in sse[-1].text.lower(), f"the SSE transcript has '{args.expect}'")
    print("realtime_client: all checks passed")


if __name__ == "__main__":
    main()
