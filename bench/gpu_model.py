"""A Llama-shaped GGUF with synthetic weights, for speed measurements (bench/gpu.py).

No weights can be downloaded on the GPU machine, and speed does not depend on
their values: the kernels read and multiply the same bytes whatever they say.
So the file has a real architecture (Llama-3-8B: 32 layers, 4096 wide, GQA 32/8,
a 14336 FFN and a 128,256-token vocabulary) and llama.cpp's Q4_K_M mix of tensor
types (Q6_K for the output and for half of attn_v and ffn_down, Q4_K elsewhere),
with random bytes in each block. Only the block scales are chosen: small finite
f16 values, zero-mean weights, so activations stay far from f16's range and no
kernel meets a NaN or an inf.

The tokenizer is a synthetic SentencePiece vocabulary of the same size: every
prefix of each word is a token, so each word is one token and a page of N
words is N tokens; the prompt template's own words are in it too.
"""

from __future__ import annotations

import itertools
import re
import string
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SPECIALS = ["<unk>", "<s>", "</s>", "<|im_start|>", "<|im_end|>"]
CHAT_TEMPLATE = (
    "{% for message in messages %}<|im_start|>{{ message['role'] }}\n{{ message['content'] }}"
    "<|im_end|>\n{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)
SPACE = "\u2581"  # SentencePiece's space


@dataclass(frozen=True)
class Shape:
    name: str
    n_layer: int
    n_embd: int
    n_head: int
    n_head_kv: int
    n_ff: int
    n_vocab: int
    n_ctx_train: int = 8192


LLAMA3_8B = Shape("llama3-8b", n_layer=32, n_embd=4096, n_head=32, n_head_kv=8, n_ff=14336,
                  n_vocab=128256)  # fmt: skip
TINY = Shape("tiny", n_layer=2, n_embd=256, n_head=4, n_head_kv=2, n_ff=512, n_vocab=8192,
             n_ctx_train=4096)  # fmt: skip


def _more_bits(i: int, n: int) -> bool:
    """llama.cpp's use_more_bits: which layers Q4_K_M gives Q6_K."""
    return i < n // 8 or i >= 7 * n // 8 or (i - n // 8) % 3 == 2


def vocabulary(n_vocab: int, prompt_words: list[str]) -> tuple[list[str], list[str]]:
    """Tokens (specials, bytes, characters, the prompt's words, synthetic words) and
    the page words: the longest synthetic words, each a single token."""
    tokens = SPECIALS + [f"<0x{b:02X}>" for b in range(256)]
    seen = set(tokens)

    def add(piece: str) -> None:
        if piece not in seen:
            seen.add(piece)
            tokens.append(piece)

    for ch in [SPACE, *string.ascii_letters, *string.digits, *string.punctuation]:
        add(ch)
    for word in prompt_words:
        for lead in (SPACE, ""):
            for end in range(2, len(word) + 2):
                add((lead + word)[:end])
    page_words: list[str] = []
    for length in itertools.count(1):
        fresh = [w for w in ("".join(p) for p in itertools.product(string.ascii_lowercase,
                                                                   repeat=length))]  # fmt: skip
        fresh = [w for w in fresh if SPACE + w not in seen]
        room = n_vocab - len(tokens)
        if room <= 0:
            break
        for word in fresh[:room]:
            add(SPACE + word)
        page_words = fresh[:room]
    if len(tokens) != n_vocab:
        raise ValueError(f"{n_vocab} tokens are too few for this prompt ({len(tokens)} needed)")
    return tokens, page_words


def prompt_words(texts: list[str]) -> list[str]:
    return sorted({w for text in texts for w in re.split(r"\s+", text) if w})


def page_text(words: list[str], n_tokens: int, seed: int) -> str:
    """A page of exactly ``n_tokens`` tokens: words, and a full stop now and then."""
    rng = np.random.default_rng(seed)
    out: list[str] = []
    count = 0
    while count < n_tokens:
        word = words[rng.integers(len(words))]
        if count + 2 <= n_tokens and rng.random() < 0.07:
            out.append(word + ".")
            count += 2
        else:
            out.append(word)
            count += 1
    return " ".join(out)


def _blocks(kind: str, n_blocks: int, rng: np.random.Generator) -> np.ndarray:
    """Random Q4_K (144 B) or Q6_K (210 B) blocks with small, finite scales."""
    if kind == "q4_k":  # d, dmin (f16), scales[12], qs[128]
        raw = rng.integers(0, 256, size=(n_blocks, 144), dtype=np.uint8)
        # w = d*sc*q - dmin*m with sc, m, q uniform: dmin = 7.5 d makes the mean 0.
        raw[:, 0:2] = np.frombuffer(np.float16(1e-4).tobytes(), np.uint8)
        raw[:, 2:4] = np.frombuffer(np.float16(7.5e-4).tobytes(), np.uint8)
        return raw
    # ql[128], qh[64], scales[16] (int8), d (f16); w = d*scale*(q-32) is zero-mean
    raw = rng.integers(0, 256, size=(n_blocks, 210), dtype=np.uint8)
    raw[:, 192:208] = rng.integers(-16, 17, size=(n_blocks, 16)).astype(np.int8).view(np.uint8)
    raw[:, 208:210] = np.frombuffer(np.float16(1e-4).tobytes(), np.uint8)
    return raw


def tensor_plan(shape: Shape) -> list[tuple[str, tuple[int, int], str]]:
    """(name, (rows, columns), type) in file order, the Q4_K_M mix."""
    e, kv = shape.n_embd, shape.n_embd // shape.n_head * shape.n_head_kv
    plan = [("token_embd.weight", (shape.n_vocab, e), "q4_k")]
    for i in range(shape.n_layer):
        more = "q6_k" if _more_bits(i, shape.n_layer) else "q4_k"
        plan += [
            (f"blk.{i}.attn_norm.weight", (1, e), "f32"),
            (f"blk.{i}.attn_q.weight", (e, e), "q4_k"),
            (f"blk.{i}.attn_k.weight", (kv, e), "q4_k"),
            (f"blk.{i}.attn_v.weight", (kv, e), more),
            (f"blk.{i}.attn_output.weight", (e, e), "q4_k"),
            (f"blk.{i}.ffn_norm.weight", (1, e), "f32"),
            (f"blk.{i}.ffn_gate.weight", (shape.n_ff, e), "q4_k"),
            (f"blk.{i}.ffn_up.weight", (shape.n_ff, e), "q4_k"),
            (f"blk.{i}.ffn_down.weight", (e, shape.n_ff), more),
        ]
    return plan + [("output_norm.weight", (1, e), "f32"),
                   ("output.weight", (shape.n_vocab, e), "q6_k")]  # fmt: skip


def write_gguf(path: Path, shape: Shape, texts: list[str], seed: int = 0) -> list[str]:
    """Write the model; returns the page words its vocabulary makes single tokens."""
    import gguf  # the test extra's; bench/gpu.py runs without it when there is no GPU

    quant = {"q4_k": gguf.GGMLQuantizationType.Q4_K, "q6_k": gguf.GGMLQuantizationType.Q6_K}
    tokens, page_words = vocabulary(shape.n_vocab, prompt_words(texts))
    w = gguf.GGUFWriter(str(path), "llama")
    w.add_name(f"synthetic {shape.name} Q4_K_M")
    w.add_file_type(gguf.LlamaFileType.MOSTLY_Q4_K_M)
    w.add_context_length(shape.n_ctx_train)
    w.add_embedding_length(shape.n_embd)
    w.add_block_count(shape.n_layer)
    w.add_feed_forward_length(shape.n_ff)
    w.add_head_count(shape.n_head)
    w.add_head_count_kv(shape.n_head_kv)
    w.add_rope_dimension_count(shape.n_embd // shape.n_head)
    w.add_rope_freq_base(500000.0)
    w.add_layer_norm_rms_eps(1e-5)
    w.add_vocab_size(shape.n_vocab)
    w.add_tokenizer_model("llama")
    w.add_token_list(tokens)
    w.add_token_scores([-float(len(t)) if i >= 261 else 0.0 for i, t in enumerate(tokens)])
    kinds = [gguf.TokenType.UNKNOWN] + [gguf.TokenType.CONTROL] * 4 + [gguf.TokenType.BYTE] * 256
    w.add_token_types(kinds + [gguf.TokenType.NORMAL] * (len(tokens) - len(kinds)))
    w.add_unk_token_id(0)
    w.add_bos_token_id(1)
    w.add_eos_token_id(SPECIALS.index("<|im_end|>"))
    w.add_add_bos_token(True)
    w.add_chat_template(CHAT_TEMPLATE)

    rng = np.random.default_rng(seed)
    pool = {k: _blocks(k, 4096, rng).reshape(-1) for k in quant}
    plan = tensor_plan(shape)
    for name, (rows, cols), kind in plan:
        if kind == "f32":
            w.add_tensor_info(name, (cols,), np.dtype(np.float32), cols * 4)
        else:
            row_bytes = cols // 256 * (144 if kind == "q4_k" else 210)
            w.add_tensor_info(name, (rows, row_bytes), np.dtype(np.uint8), rows * row_bytes,
                              raw_dtype=quant[kind])  # fmt: skip
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_ti_data_to_file()
    for _name, (rows, cols), kind in plan:
        if kind == "f32":
            w.write_tensor_data(np.ones(cols, dtype=np.float32))
        else:
            row_bytes = cols // 256 * (144 if kind == "q4_k" else 210)
            # The same random blocks over and over: values do not change the speed.
            w.write_tensor_data(np.resize(pool[kind], rows * row_bytes).reshape(rows, row_bytes))
    w.close()
    return page_words
