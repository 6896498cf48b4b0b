#!/usr/bin/env python3
"""End-to-end client test of a running `scriba serve` (ASR :7861, aligner :7862).

Uses plain requests and the official OpenAI client against the OpenAI-compatible endpoint.
Pinned: openai==3.51.0, requests==2.34.2 (pip install openai==3.51.0 requests==2.34.2); without
--audio, espeak-ng and ffmpeg (Debian) make the test speech.

    scriba serve --engine whisper --model ... --max-upload-mb 5 [--api-key KEY] &
    python3 scripts/server/client_test.py --max-upload-mb 5 [--api-key KEY] [--expect hello]
    python3 scripts/server/client_test.py --audio clip.wav --align-text "what the clip says" --expect word

Exits non-zero with a message at the first failed check.
"""
import argparse
import os
import sys

import requests

from common import make_speech, wait_ready, wav_seconds

SPEECH = "Hello world. This is a test of the speech server."


def check(condition: bool, message: str) -> None:
    if not condition:
        raise SystemExit(f"FAIL: {message}")
    print(f"ok   {message}")


def error_of(response: requests.Response) -> dict:
    body = response.json()
    check(set(body) == {"error"} and {"message", "type", "code"} <= set(body["error"]),
          f"error body has OpenAI's shape: {body}")
    return body["error"]


def times_are_sane(items: list, duration: float, what: str) -> None:
    check(len(items) > 0, f"{what}: at least one entry")
    starts = [item["start"] for item in items]
    inside = all(0 <= item["start"] <= item["end"] <= duration + 0.05 for item in items)
    check(inside, f"{what}: all {len(items)} spans within 0..{duration:.2f} s")
    check(all(b >= a - 0.05 for a, b in zip(starts, starts[1:])), f"{what}: starts in order")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--asr-port", type=int, default=7861)
    parser.add_argument("--align-port", type=int, default=7862)
    parser.add_argument("--max-upload-mb", type=int, default=50, help="the server's --max-upload-mb")
    parser.add_argument("--no-aligner", action="store_true", help="server runs without an aligner: /align must be 501")
    parser.add_argument("--expect", default="hello", help="a word the transcript must contain (case-insensitive)")
    parser.add_argument("--audio", help="speech WAV to use instead of the espeak-ng sentence")
    parser.add_argument("--align-text", help="what --audio says (for /align); default: the espeak-ng sentence")
    parser.add_argument("--api-key", help="the server's --api-key: sent on every request, and 401 without it is checked")
    args = parser.parse_args()
    align_text = args.align_text or SPEECH
    session = requests.Session()
    if args.api_key:
        session.headers["Authorization"] = f"Bearer {args.api_key}"

    asr = f"http://{args.host}:{args.asr_port}"
    align = f"http://{args.host}:{args.align_port}"
    ready = wait_ready(asr)
    print(f"ready: {ready}")

    audio = args.audio or make_speech(SPEECH)
    duration = wav_seconds(audio)
    data = open(audio, "rb").read()
    try:
        # --- /transcribe ---
        r = session.post(asr + "/transcribe", files={"audio": ("speech.wav", data)}, data={"language": "auto"})
        check(r.status_code == 200, f"/transcribe 200 (got {r.status_code} {r.text[:200]})")
        body = r.json()
        check(args.expect.lower() in body["text"].lower(), f"/transcribe text contains '{args.expect}': {body['text']!r}")
        check(body["language"] == "English" and body["language_code"] == "en", f"/transcribe detects English (en): {body['language']!r}")
        check(abs(body["duration"] - duration) < 0.01, f"/transcribe duration {body['duration']} ≈ {duration:.3f}")

        r = session.post(asr + "/transcribe", files={"audio": ("speech.wav", data)},
                          data={"language": "en", "timestamps": "true"})
        check(r.status_code == 200, "/transcribe timestamps=true 200")
        body = r.json()
        times_are_sane(body["words"], duration, "/transcribe words")
        times_are_sane(body["sentences"], duration, "/transcribe sentences")

        # --- API key ---
        if args.api_key:
            r = requests.post(asr + "/transcribe", files={"audio": ("speech.wav", data)})
            check(r.status_code == 401 and error_of(r)["code"] == "invalid_api_key", "no key → 401 invalid_api_key")
            r = requests.post(asr + "/transcribe", files={"audio": ("speech.wav", data)},
                              headers={"Authorization": "Bearer " + args.api_key[:-1] + "x"})
            check(r.status_code == 401 and r.headers.get("WWW-Authenticate") == "Bearer", "wrong key → 401 with WWW-Authenticate")
            check(requests.get(asr + "/health").status_code == 200, "/health needs no key")

        # --- errors through requests ---
        r = session.post(asr + "/transcribe", data={"language": "en"}, files={"other": ("x", b"1")})
        check(r.status_code == 400 and error_of(r)["code"] == "missing_field", "no audio field → 400 missing_field")
        r = session.post(asr + "/transcribe", files={"audio": ("speech.wav", data)}, data={"language": "klingon"})
        check(r.status_code == 400 and "zh" in error_of(r)["message"], "unknown language → 400 listing codes")
        r = session.post(asr + "/transcribe", files={"audio": ("notes.txt", b"this is not sound at all")})
        check(r.status_code in (415, 422) and error_of(r)["code"] == "unsupported_audio", f"text file → 415 ({r.status_code})")
        r = session.post(asr + "/transcribe", json={"audio": "x"})
        check(r.status_code == 415 and error_of(r)["code"] == "not_multipart", "JSON body → 415 not_multipart")
        big = b"\0" * (args.max_upload_mb * 1024 * 1024 + 1024)
        try:
            r = session.post(asr + "/transcribe", files={"audio": ("big.wav", big)})
            check(r.status_code == 413 and error_of(r)["code"] == "upload_too_large", "upload over the limit → 413")
        except requests.ConnectionError:
            # The server answers 413 before reading the body; some clients see the close first.
            print("ok   upload over the limit → connection closed before the body was read")
        r = session.get(asr + "/nope")
        check(r.status_code == 404 and error_of(r)["code"] == "not_found", "unknown path → 404 JSON")

        # --- OpenAI client ---
        from openai import OpenAI, BadRequestError

        client = OpenAI(base_url=asr + "/v1", api_key=args.api_key or "unused", max_retries=0)
        if args.api_key:
            from openai import AuthenticationError
            try:
                OpenAI(base_url=asr + "/v1", api_key="wrong-key-123", max_retries=0).models.list()
                check(False, "openai with a wrong key raises")
            except AuthenticationError as error:
                check(error.status_code == 401, f"openai AuthenticationError: {error}")
        models = [m.id for m in client.models.list()]
        check(len(models) >= 1, f"models.list: {models}")

        with open(audio, "rb") as f:
            result = client.audio.transcriptions.create(model="whisper-1", file=f)
        check(args.expect.lower() in result.text.lower(), f"openai json: {result.text!r}")
        with open(audio, "rb") as f:
            text = client.audio.transcriptions.create(model="whisper-1", file=f, response_format="text")
        check(isinstance(text, str) and args.expect.lower() in text.lower(), f"openai text: {text!r}")
        with open(audio, "rb") as f:
            srt = client.audio.transcriptions.create(model="whisper-1", file=f, response_format="srt")
        check(srt.startswith("1\n") and " --> " in srt, f"openai srt: {srt[:60]!r}")
        with open(audio, "rb") as f:
            vtt = client.audio.transcriptions.create(model="whisper-1", file=f, response_format="vtt")
        check(vtt.startswith("WEBVTT"), f"openai vtt: {vtt[:40]!r}")
        with open(audio, "rb") as f:
            verbose = client.audio.transcriptions.create(
                model="whisper-1", file=f, response_format="verbose_json", language="en",
                timestamp_granularities=["word", "segment"])
        check(verbose.language == "english", f"verbose_json language: {verbose.language}")
        check(abs(verbose.duration - duration) < 0.01, "verbose_json duration")
        times_are_sane([w.model_dump() for w in verbose.words], duration, "verbose_json words")
        times_are_sane([s.model_dump() for s in verbose.segments], duration, "verbose_json segments")
        try:
            with open(audio, "rb") as f:
                client.audio.transcriptions.create(model="whisper-1", file=f, language="xx")
            check(False, "openai unknown language raises")
        except BadRequestError as error:
            check(error.status_code == 400 and "unknown language" in str(error), f"openai BadRequestError: {error}")

        # --- /align ---
        r = session.post(align + "/align", files={"audio": ("speech.wav", data)},
                          data={"text": align_text, "language": "en"})
        if args.no_aligner:
            check(r.status_code == 501 and error_of(r)["code"] == "aligner_not_loaded", "/align without aligner → 501")
        else:
            check(r.status_code == 200, f"/align 200 ({r.status_code} {r.text[:200]})")
            body = r.json()
            times_are_sane(body["words"], duration, "/align words")
            check(len(body["words"]) == len(align_text.split()), f"/align gives one entry per word: {len(body['words'])}")
            if not args.align_text:
                check([s["text"] for s in body["sentences"]] == ["Hello world.", "This is a test of the speech server."],
                      f"/align sentences: {body['sentences']}")
            else:
                check(" ".join(s["text"] for s in body["sentences"]) == align_text.strip(), "/align sentences cover the text")
        r = session.post(align + "/align", files={"audio": ("speech.wav", data)}, data={"language": "en"})
        check(r.status_code == 400 and error_of(r)["param"] == "text", "/align without text → 400")
    finally:
        if not args.audio:
            os.remove(audio)
    print("all client checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
