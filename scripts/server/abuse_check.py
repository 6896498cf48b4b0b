#!/usr/bin/env python3
"""Abuse checks of a running `scriba serve` ASR port, loopback only.

    scriba serve asr --idle-timeout 5 --max-upload-mb 5 [--api-key KEY] &
    python3 scripts/server/abuse_check.py --port 7861 --idle-timeout 5 --max-upload-mb 5 \
        --audio Tests/Fixtures/whisper/librivox-0870.wav --expect dashwood [--api-key KEY]

1. slow-loris: request headers trickled one byte a second → the server closes the connection
   within --idle-timeout (+2 s slack), long before the head is complete;
2. a declared Content-Length over the limit → 413 while almost none of the body was sent;
3. a truncated multipart body → 400 malformed_multipart; garbage → 400;
4. no `audio` field → 400 naming it; unknown language → 400 listing the supported codes;
and after each, a normal request (the real clip) still gets 200 with the expected word.
Uses only the standard library and requests==2.34.2. Exits non-zero at the first failure.
"""
import argparse
import socket
import sys
import time

import requests


def check(condition: bool, message: str) -> None:
    if not condition:
        raise SystemExit(f"FAIL: {message}")
    print(f"ok   {message}")


def status_line(sock: socket.socket, timeout: float) -> str:
    """The first line the server sends, or '' if it closed without answering."""
    sock.settimeout(timeout)
    data = b""
    try:
        while b"\r\n" not in data:
            chunk = sock.recv(4096)
            if not chunk:
                break
            data += chunk
    except (ConnectionResetError, socket.timeout):
        pass
    return data.split(b"\r\n", 1)[0].decode("latin-1")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=7861)
    parser.add_argument("--idle-timeout", type=float, default=30, help="the server's --idle-timeout")
    parser.add_argument("--max-upload-mb", type=int, default=50, help="the server's --max-upload-mb")
    parser.add_argument("--audio", required=True, help="a speech WAV for the normal requests")
    parser.add_argument("--expect", required=True, help="a word the normal transcript contains")
    parser.add_argument("--api-key")
    args = parser.parse_args()

    base = f"http://127.0.0.1:{args.port}"
    headers = {"Authorization": f"Bearer {args.api_key}"} if args.api_key else {}
    audio = open(args.audio, "rb").read()

    def still_answers(after: str) -> None:
        started = time.monotonic()
        r = requests.post(base + "/transcribe", files={"audio": ("clip.wav", audio)}, data={"language": "en"},
                          headers=headers, timeout=300)
        ok = r.status_code == 200 and args.expect.lower() in r.json().get("text", "").lower()
        check(ok, f"after {after}: a normal request still gets 200 with '{args.expect}' "
                  f"({time.monotonic() - started:.1f} s)")

    # 1. Slow-loris.
    head = b"POST /transcribe HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=x\r\n"
    sock = socket.create_connection(("127.0.0.1", args.port))
    started = time.monotonic()
    closed_after = None
    sent = 0
    limit = args.idle_timeout + 2
    try:
        while time.monotonic() - started < limit + 5:
            try:
                sock.sendall(head[sent % len(head):sent % len(head) + 1])
                sent += 1
            except (BrokenPipeError, ConnectionResetError):
                closed_after = time.monotonic() - started
                break
            # A closed socket reads as EOF at once; an open one times out after a second.
            sock.settimeout(1.0)
            try:
                if sock.recv(4096) == b"":
                    closed_after = time.monotonic() - started
                    break
            except socket.timeout:
                pass
            except ConnectionResetError:
                closed_after = time.monotonic() - started
                break
    finally:
        sock.close()
    check(closed_after is not None and closed_after <= limit,
          f"slow-loris: headers trickled 1 byte/s → closed after {closed_after and round(closed_after, 1)} s "
          f"({sent} bytes sent; idle timeout {args.idle_timeout:g} s)")
    still_answers("slow-loris")

    # 2. Declared body over the limit: the answer comes before the body is sent.
    declared = args.max_upload_mb * 1024 * 1024 + 1
    sock = socket.create_connection(("127.0.0.1", args.port))
    request = (f"POST /transcribe HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=x\r\n"
               f"Content-Length: {declared}\r\n")
    for name, value in headers.items():
        request += f"{name}: {value}\r\n"
    sock.sendall((request + "\r\n").encode() + b"--x\r\n" + b"\0" * 1024)
    line = status_line(sock, timeout=10)
    sock.close()
    check(line.startswith("HTTP/1.1 413"), f"Content-Length {declared} > limit → '{line}' after 1 KiB of body")
    still_answers("the oversized upload")

    # 3. Malformed multipart.
    boundary = "scriba-abuse"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"audio\"; filename=\"a.wav\"\r\n\r\n").encode() + audio[:5000]
    r = requests.post(base + "/transcribe", data=body, headers={**headers, "Content-Type": f"multipart/form-data; boundary={boundary}"})
    check(r.status_code == 400 and r.json()["error"]["code"] == "malformed_multipart",
          f"truncated multipart → {r.status_code} {r.json()['error']['code']}")
    r = requests.post(base + "/transcribe", data=b"\x00\xff" * 1000,
                      headers={**headers, "Content-Type": f"multipart/form-data; boundary={boundary}"})
    check(r.status_code == 400, f"binary garbage as multipart → {r.status_code}")
    still_answers("malformed multipart")

    # 4. Missing field, unknown language.
    r = requests.post(base + "/transcribe", files={"file": ("clip.wav", audio)}, headers=headers)
    error = r.json()["error"]
    check(r.status_code == 400 and error["param"] == "audio" and "'audio'" in error["message"],
          f"no audio field → 400 naming it: {error['message']!r}")
    r = requests.post(base + "/transcribe", files={"audio": ("clip.wav", audio)}, data={"language": "klingon"}, headers=headers)
    error = r.json()["error"]
    check(r.status_code == 400 and all(code in error["message"] for code in ("en", "zh", "ja")),
          f"unknown language → 400 listing codes: {error['message'][:100]!r}…")
    still_answers("bad fields")
    print("all abuse checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
