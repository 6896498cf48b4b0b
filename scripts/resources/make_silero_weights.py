#!/usr/bin/env python3
"""Writes Sources/ScribaModels/SileroVAD/Resources/silero_vad_16k.safetensors: the 16 kHz weights of the
silero-vad 6.2.3 model (MIT) that its ONNX and TorchScript files hold, under the tensor names of the wheel's
`tinygrad_model.py` (stft_conv, conv1..4, lstm_cell, final_conv).

Why not the wheel's own `silero_vad/data/silero_vad_16k.safetensors`: in 6.2.3 that file holds other weights
than `silero_vad.onnx` / `silero_vad.jit` (conv1 differs by up to 4.0, conv4 by 18.2), and its probabilities
differ from the ONNX model's by up to 0.69 on speech. These weights, run through the same forward pass,
equal the ONNX model's probabilities within 1e-6.

Run by hand from the repository root (torch is needed here only, never at run time):
    pip install silero-vad==6.2.3 && python3 scripts/resources/make_silero_weights.py
It checks the wheel's TorchScript file and the output against the sha256 values below.
"""
import hashlib
import os

import numpy as np
import silero_vad
import torch
from safetensors.numpy import save_file

JIT_SHA256 = "e1122837f4154c511485fe0b9c64455f7b929c96fbb8d79fbdb336383ebd3720"  # silero_vad/data/silero_vad.jit, 6.2.3
OUT_SHA256 = "d7fb67a5b4de0414a0178270ee81439b9e3067c883c304aa758c247d50ffd79d"
OUT = "Sources/ScribaModels/SileroVAD/Resources/silero_vad_16k.safetensors"
NAMES = {
    "stft.forward_basis_buffer": "stft_conv.weight",
    **{f"encoder.{i}.reparam_conv.weight": f"conv{i + 1}.weight" for i in range(4)},
    **{f"encoder.{i}.reparam_conv.bias": f"conv{i + 1}.bias" for i in range(4)},
    "decoder.rnn.weight_ih": "lstm_cell.weight_ih", "decoder.rnn.weight_hh": "lstm_cell.weight_hh",
    "decoder.rnn.bias_ih": "lstm_cell.bias_ih", "decoder.rnn.bias_hh": "lstm_cell.bias_hh",
    "decoder.decoder.2.weight": "final_conv.weight", "decoder.decoder.2.bias": "final_conv.bias",
}


def sha256(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def main():
    jit = os.path.join(os.path.dirname(silero_vad.__file__), "data", "silero_vad.jit")
    if sha256(jit) != JIT_SHA256:
        raise SystemExit(f"{jit}: not silero-vad 6.2.3's TorchScript model (sha256 {sha256(jit)})")
    state = torch.jit.load(jit)._model.state_dict()
    tensors = {new: np.ascontiguousarray(state[old].numpy().astype(np.float32)) for old, new in NAMES.items()}
    assert len(tensors) == 15
    save_file(tensors, OUT)
    if sha256(OUT) != OUT_SHA256:
        raise SystemExit(f"{OUT}: sha256 {sha256(OUT)}, expected {OUT_SHA256}")
    print(f"{OUT}: {os.path.getsize(OUT)} bytes, sha256 {OUT_SHA256}")


if __name__ == "__main__":
    main()
