"""Helpers shared by the server scripts: speech made with espeak-ng, waiting for /ready."""
import os
import subprocess
import tempfile
import time
import wave

import requests


def make_speech(text: str, seconds: float | None = None) -> str:
    """A 16 kHz mono WAV of `text` spoken by espeak-ng (Debian package), padded with silence
    to `seconds` when given. Returns its path (a temp file the caller may delete)."""
    handle, raw = tempfile.mkstemp(suffix=".wav", prefix="scriba-speech-")
    os.close(handle)
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "150", "-w", raw, text], check=True)
    out = raw.replace(".wav", "-16k.wav")
    pad = []
    if seconds is not None:
        pad = ["-af", f"apad=whole_dur={seconds}"]
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", raw, "-ac", "1", "-ar", "16000", *pad, out], check=True)
    os.remove(raw)
    return out


def repeat_clip(paths, seconds: float, gap: float = 0.4) -> bytes:
    """A 16-bit mono WAV of the speech clip(s) at `paths` (one path or a list, all of one format),
    taken in turn with `gap` s of silence between until it lasts at least `seconds`: long real speech
    from short fixtures. Several distinct clips keep the text from repeating (one clip repeated makes
    Whisper's compression-ratio rule fall back to sampling, a worst case of its own)."""
    import io
    import itertools
    if isinstance(paths, str):
        paths = [paths]
    clips = []
    for path in paths:
        with wave.open(path) as w:
            rate, width, channels = w.getframerate(), w.getsampwidth(), w.getnchannels()
            clips.append(w.readframes(w.getnframes()))
    silence = b"\0" * (int(gap * rate) * width * channels)
    pieces = []
    total = 0.0
    for frames in itertools.cycle(clips):
        if total >= seconds:
            break
        pieces += [frames, silence]
        total += len(frames) / (rate * width * channels) + gap
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(width)
        w.setframerate(rate)
        w.writeframes(b"".join(pieces))
    return out.getvalue()


def wav_seconds(path: str) -> float:
    with wave.open(path) as w:
        return w.getnframes() / w.getframerate()


def wait_ready(base: str, timeout: float = 300) -> dict:
    """Polls GET /ready until 200 (models loaded) or the timeout."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            response = requests.get(base + "/ready", timeout=5)
            if response.status_code == 200:
                return response.json()
            last = response.text
        except requests.ConnectionError as error:
            last = str(error)
        time.sleep(1)
    raise SystemExit(f"{base}/ready not 200 after {timeout} s: {last}")
