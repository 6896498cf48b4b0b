#!/usr/bin/env python3
"""Load check of a running `scriba serve` ASR port on loopback (issues 7 and 12 §2).

Sends N concurrent uploads of real speech (fixture clips in turn, repeated to --seconds) to
`/transcribe`, then N to `/v1/audio/transcriptions`:

    scriba serve asr --engine whisper --max-concurrency 2 [--max-queue 16] &
    python3 scripts/server/load_check.py --audio Tests/Fixtures/whisper/librivox-0870.wav \
        --audio Tests/Fixtures/whisper/librivox-0880.wav ... \
        --seconds 30 --requests 20 --expect dashwood [--pid PID] [--api-key KEY]

Every response must be 200 with the expected word, or 429/503 with Retry-After and the JSON
error shape; none may be lost (connection error) or hang (--timeout). Prints per endpoint the
statuses, p50/p99 latency of the 200s and of all answers, and the server's peak RSS (VmRSS of
--pid, or of the process listening on --port, sampled every 50 ms). requests==2.34.2.
"""
import argparse
import concurrent.futures
import math
import re
import subprocess
import sys
import threading
import time

import requests

from common import repeat_clip, wait_ready


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        match = re.search(r"VmRSS:\s+(\d+) kB", f.read())
    return int(match.group(1)) / 1024 if match else 0.0


def listening_pid(port: int) -> int | None:
    out = subprocess.run(["ss", "-ltnpH", f"sport = :{port}"], capture_output=True, text=True).stdout
    match = re.search(r"pid=(\d+)", out)
    return int(match.group(1)) if match else None


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


class RSSSampler(threading.Thread):
    def __init__(self, pid: int | None):
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = rss_mb(pid) if pid else 0.0
        self.stop = threading.Event()

    def run(self):
        while self.pid and not self.stop.is_set():
            try:
                self.peak = max(self.peak, rss_mb(self.pid))
            except OSError:
                return
            time.sleep(0.05)


def run_round(name: str, send, count: int, expect: str, failures: list[str]) -> None:
    def one(index: int):
        started = time.monotonic()
        try:
            response = send(index)
            return index, response.status_code, time.monotonic() - started, response
        except requests.RequestException as error:
            return index, None, time.monotonic() - started, error

    began = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=count) as pool:
        results = list(pool.map(one, range(count)))
    wall = time.monotonic() - began

    counts: dict = {}
    ok, answered = [], []
    for index, status, seconds, payload in results:
        counts[status] = counts.get(status, 0) + 1
        if status is None:
            failures.append(f"{name} request {index}: no answer ({payload})")
            continue
        answered.append(seconds)
        if status == 200:
            ok.append(seconds)
            text = payload.json().get("text", "")
            if expect.lower() not in text.lower():
                failures.append(f"{name} request {index}: 200 without '{expect}': {text[:80]!r}")
        elif status in (429, 503):
            error = payload.json().get("error", {})
            if not payload.headers.get("Retry-After", "").isdigit() or error.get("code") != "server_busy":
                failures.append(f"{name} request {index}: {status} without Retry-After/server_busy: {dict(payload.headers)} {error}")
        else:
            failures.append(f"{name} request {index}: {status} {payload.text[:200]}")
    statuses = ", ".join(f"{k}×{v}" for k, v in sorted(counts.items(), key=str))
    print(f"{name}: {count} concurrent requests in {wall:.1f} s → {statuses}")
    if ok:
        print(f"  200s: p50 {percentile(ok, 0.5):.2f} s, p99 {percentile(ok, 0.99):.2f} s, max {max(ok):.2f} s")
    if answered:
        print(f"  all answers: p50 {percentile(answered, 0.5):.2f} s, p99 {percentile(answered, 0.99):.2f} s")
    if len(results) != count:
        failures.append(f"{name}: only {len(results)} of {count} requests returned")
    if not ok:
        failures.append(f"{name}: no request succeeded")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=7861)
    parser.add_argument("--audio", required=True, action="append",
                        help="a speech WAV (repeatable: the clips are taken in turn) repeated to --seconds")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--expect", required=True, help="a word every transcript must contain")
    parser.add_argument("--requests", type=int, default=20, help="concurrent requests per endpoint")
    parser.add_argument("--pid", type=int, help="server pid (default: the process listening on --port)")
    parser.add_argument("--max-rss-mb", type=float, default=2048, help="fail when the server's peak RSS passes this")
    parser.add_argument("--timeout", type=float, default=900, help="per-request timeout, seconds (a hang fails)")
    parser.add_argument("--api-key")
    args = parser.parse_args()

    base = f"http://127.0.0.1:{args.port}"
    wait_ready(base)
    headers = {"Authorization": f"Bearer {args.api_key}"} if args.api_key else {}
    pid = args.pid or listening_pid(args.port)
    data = repeat_clip(args.audio, args.seconds)
    print(f"upload: {(len(data) - 44) / 32000:.1f} s of speech, {len(data)} bytes; server pid {pid}")

    sampler = RSSSampler(pid)
    start_rss = sampler.peak
    sampler.start()
    failures: list[str] = []

    def transcribe(index: int):
        return requests.post(base + "/transcribe", files={"audio": (f"load{index}.wav", data)},
                             data={"language": "en"}, headers=headers, timeout=args.timeout)

    def openai(index: int):
        return requests.post(base + "/v1/audio/transcriptions", files={"file": (f"load{index}.wav", data)},
                             data={"model": "whisper-1", "language": "en"}, headers=headers, timeout=args.timeout)

    run_round("POST /transcribe", transcribe, args.requests, args.expect, failures)
    run_round("POST /v1/audio/transcriptions", openai, args.requests, args.expect, failures)
    sampler.stop.set()
    sampler.join()

    if pid:
        print(f"server RSS: start {start_rss:.0f} MB, peak {sampler.peak:.0f} MB, end {rss_mb(pid):.0f} MB")
        if sampler.peak > args.max_rss_mb:
            failures.append(f"peak RSS {sampler.peak:.0f} MB > {args.max_rss_mb:.0f} MB")
    r = requests.get(base + "/ready", timeout=10)
    if r.status_code != 200 or r.json().get("running") != 0 or r.json().get("waiting") != 0:
        failures.append(f"after the load the server is not idle: {r.status_code} {r.text}")
    for failure in failures:
        print("FAIL:", failure)
    if not failures:
        print("load check passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
