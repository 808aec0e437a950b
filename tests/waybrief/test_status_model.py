"""The status page names the model that writes summaries, and warns when it is
the small bundled demonstration model (issue 20)."""

import pytest

pytestmark = pytest.mark.django_db


def test_it_names_the_bundled_model_and_warns_that_it_is_a_demonstration(client, settings):
    settings.LLM_BACKEND, settings.LLM_MODEL_PATH = "llama_cpp", ""
    page = client.get("/status").content.decode()
    assert "SmolLM2-135M-Instruct" in page
    assert "A small demonstration model writes these summaries" in page
    assert "manage.py model get NAME" in page


def test_a_model_of_ones_own_is_named_without_the_warning(client, settings, tmp_path):
    settings.LLM_BACKEND = "llama_cpp"
    settings.LLM_MODEL_PATH = str(tmp_path / "Qwen2.5-7B-Instruct-Q4_K_M.gguf")
    page = client.get("/status").content.decode()
    assert "Qwen2.5-7B-Instruct" in page
    assert "demonstration model" not in page
