"""A GGUF without a chat template is refused, or run with a named one.

llama-cpp-python silently prompts such a model in llama-2's format, and a
base model then echoes ``<<SYS>>`` into every summary."""

import shutil

import pytest

from summarizer.backends import BackendError, bundled_model_path
from summarizer.backends.llama_cpp import LlamaCppBackend

KEY = b"tokenizer.chat_template"


@pytest.fixture(scope="module")
def untemplated(tmp_path_factory) -> str:
    """The bundled model with its template key renamed (same length: the GGUF stays valid)."""
    path = tmp_path_factory.mktemp("gguf") / "no-template.gguf"
    shutil.copyfile(bundled_model_path(), path)
    with open(path, "r+b") as f:
        head = f.read(4_000_000)
        assert head.count(KEY) == 1
        f.seek(head.index(KEY))
        f.write(b"tokenizer.chat_templatX")
    return str(path)


def test_a_model_without_a_chat_template_is_refused_with_a_clear_message(untemplated):
    with pytest.raises(BackendError) as refused:
        LlamaCppBackend(untemplated, n_ctx=512)
    message = str(refused.value)
    assert "no chat template" in message and "LLM_CHAT_FORMAT" in message


def test_a_named_chat_format_runs_it(untemplated):
    backend = LlamaCppBackend(untemplated, n_ctx=512, chat_format="chatml")
    try:
        assert backend.llm.chat_format == "chatml"
    finally:
        backend.llm.close()
