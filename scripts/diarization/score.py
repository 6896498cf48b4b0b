#!/usr/bin/env python3
"""Diarization error rate of hypothesis RTTMs against references, with pyannote.metrics 4.2.0
(`DiarizationErrorRate(collar=0.25, skip_overlap=False)`: a 0.25 s collar around each reference boundary is
not scored, overlapped speech is). Speaker labels are mapped optimally per file, as DER defines.

    pip install pyannote.metrics==4.2.0
    python3 scripts/diarization/score.py REF_DIR HYP_DIR [NAME ...]
Prints one line per file (DER, miss, false alarm, confusion, in %) and the total over all files.
"""
import glob
import os
import sys

from pyannote.core import Annotation, Segment
from pyannote.metrics.diarization import DiarizationErrorRate


def load(path):
    annotation = Annotation()
    for i, line in enumerate(open(path)):
        fields = line.split()
        if fields and fields[0] == "SPEAKER":
            start, duration = float(fields[3]), float(fields[4])
            annotation[Segment(start, start + duration), i] = fields[7]
    return annotation


def main():
    ref_dir, hyp_dir = sys.argv[1], sys.argv[2]
    names = sys.argv[3:] or sorted(os.path.basename(p)[:-5] for p in glob.glob(os.path.join(ref_dir, "*.rttm")))
    metric = DiarizationErrorRate(collar=0.25, skip_overlap=False)
    for name in names:
        detail = metric(load(os.path.join(ref_dir, name + ".rttm")), load(os.path.join(hyp_dir, name + ".rttm")), detailed=True)
        total = detail["total"]
        print(f"{name}: DER {100 * detail['diarization error rate']:.2f}%  miss {100 * detail['missed detection'] / total:.2f}%"
              f"  FA {100 * detail['false alarm'] / total:.2f}%  confusion {100 * detail['confusion'] / total:.2f}%"
              f"  speakers ref {len(load(os.path.join(ref_dir, name + '.rttm')).labels())} hyp {len(load(os.path.join(hyp_dir, name + '.rttm')).labels())}")
    print(f"total: DER {100 * abs(metric):.2f}% over {len(names)} files")


if __name__ == "__main__":
    main()
