#!/usr/bin/env python3
"""Load check of a running `scriba serve` on loopback: N concurrent uploads of a 10 s file.

Start the server with a small concurrency and queue, e.g.
    scriba serve asr --max-concurrency 2 --max-queue 8 ... &
    python3 scripts/server/load_check.py --requests 20 [--pid PID]

Every response must be 200 or 503 (503 with Retry-After and the JSON error shape), none may be
lost (no connection errors, no timeouts), and the server's resident memory (VmRSS of --pid, or
of the process listening on the port) must not grow by more than --max-rss-growth-mb.
Prints p50/p95 latency of the 200s. Requests go to 127.0.0.1 only; requests: requests 2.x.
"""
import argparse
import concurrent.futures
import os
import re
import statistics
import subprocess
import sys
import threading
import time

import requests

from common import make_speech, wait_ready


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        match = re.search(r"VmRSS:\s+(\d+) kB", f.read())
    return int(match.group(1)) / 1024 if match else 0.0


def listening_pid(port: int) -> int | None:
    out = subprocess.run(["ss", "-ltnpH", f"sport = :{port}"], capture_output=True, text=True).stdout
    match = re.search(r"pid=(\d+)", out)
    return int(match.group(1)) if match else None


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=7861)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=10.0, help="length of the uploaded file")
    parser.add_argument("--pid", type=int, help="server pid (default: the process listening on --port)")
    parser.add_argument("--max-rss-growth-mb", type=float, default=600)
    parser.add_argument("--timeout", type=float, default=900, help="per-request timeout, seconds")
    args = parser.parse_args()

    base = f"http://127.0.0.1:{args.port}"
    wait_ready(base)
    pid = args.pid or listening_pid(args.port)
    audio = make_speech("Hello world. " * 3 + "This file is padded with silence to ten seconds.", seconds=args.seconds)
    data = open(audio, "rb").read()
    os.remove(audio)
    print(f"file: {wav_seconds_from(data):.1f} s, {len(data)} bytes; server pid {pid}")

    start_rss = rss_mb(pid) if pid else None
    peak = [start_rss or 0.0]
    done = threading.Event()

    def sample():
        while not done.is_set() and pid:
            try:
                peak[0] = max(peak[0], rss_mb(pid))
            except OSError:
                return
            time.sleep(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()

    def one(index: int):
        started = time.monotonic()
        try:
            r = requests.post(base + "/transcribe", files={"audio": (f"load{index}.wav", data)},
                              data={"language": "en"}, timeout=args.timeout)
            return index, r.status_code, time.monotonic() - started, r
        except requests.RequestException as error:
            return index, None, time.monotonic() - started, error

    began = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.requests) as pool:
        results = list(pool.map(one, range(args.requests)))
    wall = time.monotonic() - began
    done.set()
    sampler.join()

    failures = []
    ok_latencies = []
    counts = {}
    for index, status, seconds, payload in results:
        counts[status] = counts.get(status, 0) + 1
        if status == 200:
            ok_latencies.append(seconds)
            if not payload.json().get("text"):
                failures.append(f"request {index}: 200 with empty text")
        elif status == 503:
            body = payload.json()
            if "Retry-After" not in payload.headers or body.get("error", {}).get("code") != "server_busy":
                failures.append(f"request {index}: 503 without Retry-After/server_busy: {payload.headers} {body}")
        else:
            failures.append(f"request {index}: {status} {payload}")

    print(f"{args.requests} requests in {wall:.1f} s: " + ", ".join(f"{k}: {v}" for k, v in sorted(counts.items(), key=str)))
    if ok_latencies:
        ok_latencies.sort()
        p95 = ok_latencies[min(len(ok_latencies) - 1, int(round(0.95 * (len(ok_latencies) - 1))))]
        print(f"latency of 200s: p50 {statistics.median(ok_latencies):.2f} s, p95 {p95:.2f} s, max {ok_latencies[-1]:.2f} s")
    if start_rss is not None:
        growth = peak[0] - start_rss
        print(f"server RSS: start {start_rss:.0f} MB, peak {peak[0]:.0f} MB (+{growth:.0f} MB), end {rss_mb(pid):.0f} MB")
        if growth > args.max_rss_growth_mb:
            failures.append(f"RSS grew {growth:.0f} MB > {args.max_rss_growth_mb:.0f} MB")
    if len(results) != args.requests:
        failures.append(f"only {len(results)} of {args.requests} requests returned")
    if not ok_latencies:
        failures.append("no request succeeded")
    for failure in failures:
        print("FAIL:", failure)
    return 1 if failures else 0


def wav_seconds_from(data: bytes) -> float:
    import io
    import wave
    with wave.open(io.BytesIO(data)) as w:
        return w.getnframes() / w.getframerate()


if __name__ == "__main__":
    sys.exit(main())
