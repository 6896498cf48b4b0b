#!/usr/bin/env python3
"""Writes Sources/ScribaModels/Qwen3ForcedAligner/Resources/korean-words.txt: the first column of the
Korean dictionary qwen-asr 0.0.6 gives soynlp's LTokenizer (`qwen_asr/inference/assets/korean_dict_jieba.dict`),
one word per line, in order. Checks the dictionary's sha256 and prints the output's, which
NOTICE-korean-words.txt and KoreanWordListTests record. Run by hand from the repository root:
    pip install qwen-asr==0.0.6 && python3 scripts/resources/make_korean_word_list.py
"""
import hashlib
import os

import qwen_asr

DICT_SHA256 = "cc157a9ab78f92bf11ed98a69b285768d6627cf5cd57a581e6c06693effce37d"
OUT = "Sources/ScribaModels/Qwen3ForcedAligner/Resources/korean-words.txt"


def main() -> None:
    path = os.path.join(os.path.dirname(qwen_asr.__file__), "inference", "assets", "korean_dict_jieba.dict")
    raw = open(path, "rb").read()
    if hashlib.sha256(raw).hexdigest() != DICT_SHA256:
        raise SystemExit(f"{path}: not the qwen-asr 0.0.6 dictionary (sha256 differs)")
    words = [line.split()[0] for line in raw.decode("utf-8").splitlines() if line.strip()]
    data = ("\n".join(words) + "\n").encode("utf-8")
    with open(OUT, "wb") as f:
        f.write(data)
    print(f"{OUT}: {len(words)} words, sha256 {hashlib.sha256(data).hexdigest()}")


if __name__ == "__main__":
    main()
