"""A short, curated list of instruct GGUFs that do the job far better than
the bundled 135M demonstration model, and how to fetch one.

Each is an instruct model with a chat template in its GGUF (the backend
refuses those without), at Q4_K_M: about 0.6 bytes per parameter, and RAM
(or VRAM with LLM_N_GPU_LAYERS=-1) of the file's size plus about 1 GB for
an 8k context. Sizes are the files' on the Hub, rounded.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

QWEN_LANGUAGES = "29+, incl. en, zh, ja, ko, de, fr, es, pt, it, ru, vi, th"
LLAMA_LANGUAGES = "en, de, fr, it, pt, hi, es, th"


@dataclass(frozen=True)
class Entry:
    name: str
    repo: str
    filename: str
    size_gb: float
    memory_gb: float
    languages: str
    licence: str


CATALOGUE = (
    Entry("qwen2.5-1.5b", "Qwen/Qwen2.5-1.5B-Instruct-GGUF", "qwen2.5-1.5b-instruct-q4_k_m.gguf",
          1.1, 2.5, QWEN_LANGUAGES, "Apache-2.0"),
    Entry("qwen2.5-3b", "Qwen/Qwen2.5-3B-Instruct-GGUF", "qwen2.5-3b-instruct-q4_k_m.gguf",
          2.1, 3.5, QWEN_LANGUAGES, "Qwen Research License (non-commercial)"),
    Entry("qwen2.5-7b", "bartowski/Qwen2.5-7B-Instruct-GGUF", "Qwen2.5-7B-Instruct-Q4_K_M.gguf",
          4.7, 6.0, QWEN_LANGUAGES, "Apache-2.0"),
    Entry("llama-3.2-1b", "bartowski/Llama-3.2-1B-Instruct-GGUF",
          "Llama-3.2-1B-Instruct-Q4_K_M.gguf", 0.8, 2.0, LLAMA_LANGUAGES,
          "Llama 3.2 Community License"),
    Entry("llama-3.2-3b", "bartowski/Llama-3.2-3B-Instruct-GGUF",
          "Llama-3.2-3B-Instruct-Q4_K_M.gguf", 2.0, 3.5, LLAMA_LANGUAGES,
          "Llama 3.2 Community License"),
    Entry("llama-3.1-8b", "bartowski/Meta-Llama-3.1-8B-Instruct-GGUF",
          "Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf", 4.9, 6.5, LLAMA_LANGUAGES,
          "Llama 3.1 Community License"),
)  # fmt: skip


class CatalogueError(Exception):
    pass


def find(name: str) -> Entry:
    for entry in CATALOGUE:
        if entry.name == name.lower():
            return entry
    names = ", ".join(e.name for e in CATALOGUE)
    raise CatalogueError(f"No model {name!r} in the catalogue; choose one of: {names}.")


def download(entry: Entry, models_dir: Path, *, endpoint: str | None = None) -> Path:
    """The GGUF in ``models_dir``: fetched through huggingface_hub (which
    resumes an interrupted download), then checked against the Hub's SHA-256."""
    from huggingface_hub import get_hf_file_metadata, hf_hub_download, hf_hub_url

    endpoint = endpoint or os.environ.get("HF_ENDPOINT") or None
    models_dir.mkdir(parents=True, exist_ok=True)
    url = hf_hub_url(entry.repo, entry.filename, endpoint=endpoint)
    expected = (get_hf_file_metadata(url, endpoint=endpoint).etag or "").lower()
    path = Path(hf_hub_download(entry.repo, entry.filename, local_dir=models_dir,
                                endpoint=endpoint))  # fmt: skip
    if len(expected) == 64:  # an LFS file's ETag is its SHA-256
        actual = sha256(path)
        if actual != expected:
            path.unlink()
            raise CatalogueError(
                f"{entry.filename} arrived damaged (SHA-256 {actual}, the Hub says {expected}); "
                "it was removed, run the command again."
            )
    return path


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()
