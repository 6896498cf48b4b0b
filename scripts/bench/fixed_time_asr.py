#!/usr/bin/env python3
"""A test double of `scriba serve asr` for scale-out benchmarks: every POST /transcribe takes a fixed
time (one at a time per server, as a busy CPU server would) and answers Scriba's JSON with the
audio's length in the text. GET /v1/models says owned_by "scriba" so detection picks the scriba API.

    python3 scripts/bench/fixed_time_asr.py --port 9001 --seconds 0.5
Standard library only (Python 3.11).
"""
import argparse
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--seconds", type=float, default=0.5, help="time per request")
    args = parser.parse_args()
    busy = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_):
            pass

        def answer(self, body: dict) -> None:
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            if self.path == "/v1/models":
                self.answer({"object": "list", "data": [{"id": "fixed-time", "object": "model", "created": 0, "owned_by": "scriba"}]})
            else:
                self.answer({"status": "ok"})

        def do_POST(self):
            length = int(self.headers.get("Content-Length", 0))
            body = self.rfile.read(length)
            with busy:
                time.sleep(args.seconds)
            # 16-bit mono 16 kHz WAV: the upload's size gives the chunk's length.
            seconds = max(0, (len(body) - 44)) / 32000
            self.answer({"text": f"chunk of {seconds:.1f} seconds", "language": "English", "language_code": "en",
                         "duration": seconds, "chunks": [{"start": 0, "end": seconds, "status": "ok"}]})

    ThreadingHTTPServer(("127.0.0.1", args.port), Handler).serve_forever()


if __name__ == "__main__":
    main()
