"""A tiny legacy GGML GPT-2 file, written by the test that needs it.

The format is the unversioned ``ggml`` one of ggml's GPT-2 example (which
ctransformers reads and llama.cpp no longer does): a magic number, six int32
hyperparameters, the vocabulary as length-prefixed byte strings, then every
tensor as (dims, name length, type, shape, name, float32 data).

The weights are random but arranged so that generation never meets the
end-of-text token (token 0, when the vocabulary names none): the final
layer norm has zero gain and a constant bias, so every logit is a fixed
dot product, and token 0's embedding row makes its logit very low.
"""

from __future__ import annotations

import random
import string
import struct
from array import array
from pathlib import Path

MAGIC = 0x67676D6C  # "ggml"
F32 = 0


def _vocab() -> list[bytes]:
    words = ["<unused>", " ", "\n", *string.ascii_letters, *string.digits, *".,;:!?'-()#"]
    words += [f" {w}" for w in ("the", "page", "blog", "post", "summary", "archive")]
    return [w.encode() for w in words]


def write_gpt2(path: Path, *, n_ctx: int = 1024, n_embd: int = 32, n_head: int = 2,
               n_layer: int = 1, seed: int = 7) -> Path:  # fmt: skip
    """Write the model to ``path`` (about 200 kB) and return it."""
    rng = random.Random(seed)
    vocab = _vocab()
    n_vocab = len(vocab)

    def noise(count: int, scale: float = 0.1) -> list[float]:
        return [rng.uniform(-scale, scale) for _ in range(count)]

    wte = noise(n_vocab * n_embd, 1.0)
    wte[:n_embd] = [-10.0] * n_embd  # token 0 (end of text) is never chosen
    tensors: list[tuple[str, tuple[int, ...], list[float]]] = [
        ("model/ln_f/g", (n_embd,), [0.0] * n_embd),
        ("model/ln_f/b", (n_embd,), [1.0] * n_embd),
        ("model/wte", (n_embd, n_vocab), wte),
        ("model/wpe", (n_embd, n_ctx), noise(n_embd * n_ctx)),
    ]
    for i in range(n_layer):
        h = f"model/h{i}"
        tensors += [
            (f"{h}/ln_1/g", (n_embd,), [1.0] * n_embd),
            (f"{h}/ln_1/b", (n_embd,), [0.0] * n_embd),
            (f"{h}/ln_2/g", (n_embd,), [1.0] * n_embd),
            (f"{h}/ln_2/b", (n_embd,), [0.0] * n_embd),
            (f"{h}/attn/c_attn/w", (n_embd, 3 * n_embd), noise(3 * n_embd * n_embd)),
            (f"{h}/attn/c_attn/b", (3 * n_embd,), [0.0] * (3 * n_embd)),
            (f"{h}/attn/c_proj/w", (n_embd, n_embd), noise(n_embd * n_embd)),
            (f"{h}/attn/c_proj/b", (n_embd,), [0.0] * n_embd),
            (f"{h}/mlp/c_fc/w", (n_embd, 4 * n_embd), noise(4 * n_embd * n_embd)),
            (f"{h}/mlp/c_fc/b", (4 * n_embd,), [0.0] * (4 * n_embd)),
            (f"{h}/mlp/c_proj/w", (4 * n_embd, n_embd), noise(4 * n_embd * n_embd)),
            (f"{h}/mlp/c_proj/b", (n_embd,), [0.0] * n_embd),
        ]
    with path.open("wb") as out:
        out.write(struct.pack("<I6i", MAGIC, n_vocab, n_ctx, n_embd, n_head, n_layer, F32))
        out.write(struct.pack("<i", n_vocab))
        for word in vocab:
            out.write(struct.pack("<I", len(word)) + word)
        for name, shape, values in tensors:
            encoded = name.encode()
            out.write(struct.pack(f"<3i{len(shape)}i", len(shape), len(encoded), F32, *shape))
            out.write(encoded)
            out.write(array("f", values).tobytes())
    return path
