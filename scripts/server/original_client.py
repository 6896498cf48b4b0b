#!/usr/bin/env python3
"""A client written only from the original Qwen3-ASR tutorial pipeline's shapes (issue 23), run
against `scriba serve` and a batch folder, so scripts written for that pipeline keep working:

- `POST /transcribe` with `audio`, `language=auto` → `{"text", "language"}`, language the model's
  English name ("English");
- `POST /align` with `audio`, `text`, `language=auto` → `{"words": [{"word", "start", "end"}]}`;
- `{stem}_result.json` → file, duration, language, transcription, alignment, formatted, success;
- `processing_report.json` → summary {total_files, successful, failed, success_rate},
  details [{file, success, output | error}];
- the JSON output → text, alignment {words, sentences}, metadata {file, language}, and the whole
  file valid against docs/transcript.schema.json;
- the minutes JSON → meeting_info {duration, language, total_sentences}, transcription, participants.

Pinned: requests==2.34.2, jsonschema==4.26.0.

    scriba subtitles clip.wav -o out/subs --format srt,json,result ...
    scriba minutes clip.wav -o out/minutes --participants "A,B" ...
    python3 scripts/server/original_client.py --asr-url http://127.0.0.1:7861 --align-url http://127.0.0.1:7862 \\
        --audio clip.wav --text "what it says" --batch out/subs --minutes out/minutes --schema docs/transcript.schema.json

Exits non-zero with a message at the first failed check.
"""
import argparse
import json
import os

import jsonschema
import requests

from common import wait_ready


def check(condition: bool, message: str) -> None:
    if not condition:
        raise SystemExit(f"FAIL: {message}")
    print(f"ok   {message}")


def spans(items: list, duration: float, what: str) -> None:
    check(len(items) > 0 and all(0 <= i["start"] <= i["end"] <= duration + 0.05 for i in items),
          f"{what}: {len(items)} spans inside 0..{duration:.2f} s")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--asr-url", required=True)
    parser.add_argument("--align-url", required=True)
    parser.add_argument("--audio", required=True)
    parser.add_argument("--text", required=True, help="what --audio says")
    parser.add_argument("--batch", required=True, help="folder of `scriba subtitles --format srt,json,result`")
    parser.add_argument("--minutes", required=True, help="folder of `scriba minutes --participants ...`")
    parser.add_argument("--participants", required=True, help="the names passed to --participants, comma-separated")
    parser.add_argument("--schema", required=True)
    parser.add_argument("--api-key")
    args = parser.parse_args()
    headers = {"Authorization": f"Bearer {args.api_key}"} if args.api_key else {}
    name = os.path.basename(args.audio)
    stem = os.path.splitext(name)[0]
    audio = open(args.audio, "rb").read()
    wait_ready(args.asr_url)
    wait_ready(args.align_url)

    # The original service: text, and the language as the model names it.
    r = requests.post(args.asr_url + "/transcribe", files={"audio": (name, audio)}, data={"language": "auto"},
                      headers=headers, timeout=300)
    check(r.status_code == 200, f"/transcribe language=auto: 200" + ("" if r.ok else f" (got {r.status_code} {r.text[:200]})"))
    result = r.json()
    check(result["text"].strip() != "", f"/transcribe text: {result['text'][:60]!r}")
    check(result["language"] == "English", f"/transcribe language is the model's name: {result['language']!r}")

    # The batch script sends its configured language, auto by default, to /align as well.
    r = requests.post(args.align_url + "/align", files={"audio": (name, audio)},
                      data={"text": args.text, "language": "auto"}, headers=headers, timeout=300)
    check(r.status_code == 200, f"/align language=auto: 200" + ("" if r.ok else f" (got {r.status_code} {r.text[:200]})"))
    aligned = r.json()
    check([w["word"] for w in aligned["words"]] == args.text.replace(".", "").replace(",", "").split(),
          f"/align words are the text's words ({len(aligned['words'])})")
    spans(aligned["words"], aligned["duration"], "/align words")

    # {stem}_result.json
    record = json.load(open(os.path.join(args.batch, f"{stem}_result.json"), encoding="utf-8"))
    check({"file", "duration", "language", "transcription", "alignment", "formatted", "success"} <= set(record),
          f"{stem}_result.json has the original's keys: {sorted(record)}")
    check(record["success"] is True and record["file"] == name, "result: success, file")
    check(record["language"] == "English" and record["transcription"].strip() != "", "result: language name, transcription")
    spans(record["alignment"]["words"], record["duration"], "result alignment words")
    spans(record["alignment"]["sentences"], record["duration"], "result alignment sentences")
    srt = open(os.path.join(args.batch, f"{stem}.srt"), encoding="utf-8").read()
    check(record["formatted"].get("srt") == srt, "result: formatted['srt'] is the SRT file")

    # processing_report.json
    report = json.load(open(os.path.join(args.batch, "processing_report.json"), encoding="utf-8"))
    summary = report["summary"]
    check(summary["total_files"] == 1 and summary["successful"] == 1 and summary["failed"] == 0
          and summary["success_rate"] == 1, f"report summary: {summary}")
    detail = report["details"][0]
    check(detail["success"] is True and os.path.basename(detail["file"]) == name and f"{stem}.srt" in detail["output"],
          f"report details: {detail}")

    # The JSON output, as the original's readers read it, and against the schema.
    transcript = json.load(open(os.path.join(args.batch, f"{stem}.json"), encoding="utf-8"))
    check(transcript["text"] == record["transcription"], "json: text")
    check(transcript["metadata"]["file"] == name and transcript["metadata"]["language"] == "English",
          f"json metadata: {transcript['metadata']}")
    check(all(set(w) == {"word", "start", "end"} for w in transcript["alignment"]["words"]),
          "json alignment words are {word, start, end}")
    check(all("word" in w for s in transcript["segments"] for w in s["words"]), "json segment words use the key word")
    jsonschema.validate(transcript, json.load(open(args.schema, encoding="utf-8")))
    check(True, f"json valid against {os.path.basename(args.schema)}")

    # The minutes.
    minutes = json.load(open(os.path.join(args.minutes, f"{stem}.minutes.json"), encoding="utf-8"))
    info = minutes["meeting_info"]
    check(abs(info["duration"] - record["duration"]) < 0.01 and info["language"] == "en" and info["total_sentences"] >= 1,
          f"minutes meeting_info: {info}")
    check(minutes["participants"] == args.participants.split(","), f"minutes participants: {minutes['participants']}")
    check(minutes["transcription"] == record["transcription"], "minutes transcription")
    print("original_client: every original shape read")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
