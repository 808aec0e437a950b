"""`manage.py model list | get NAME`, against a stand-in Hub on loopback:
nothing is downloaded from anywhere else."""

import io

import pytest
from django.core.management import CommandError, call_command

from summarizer import catalogue
from tests.summarizer.hub import StandInHub

ENTRY = catalogue.find("qwen2.5-1.5b")
# 12 MiB standing in for the model: more than huggingface_hub's 10 MiB read
# chunk, so a line dropped after 11 MiB leaves a whole chunk to resume from.
CONTENT = b"GGUF" + bytes(range(256)) * 48 * 1024


@pytest.fixture
def hub(monkeypatch):
    hub = StandInHub({f"{ENTRY.repo}/{ENTRY.filename}": CONTENT}).start()
    monkeypatch.setenv("HF_ENDPOINT", hub.origin)
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    monkeypatch.setenv("HF_HUB_DISABLE_TELEMETRY", "1")
    yield hub
    hub.stop()


@pytest.fixture
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return tmp_path


def run(*args) -> str:
    out = io.StringIO()
    call_command("model", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_list_shows_each_model_with_size_licence_languages_and_memory():
    listing = run("list")
    for entry in catalogue.CATALOGUE:
        line = next(ln for ln in listing.splitlines() if ln[2:].startswith(entry.name + " "))
        assert f"{entry.size_gb:.1f}GB" in line and entry.licence in line
        assert entry.languages in line and f"{entry.context // 1024}k" in line
    assert "qwen2.5-7b" in listing and "llama-3.1-8b" in listing


def test_list_marks_the_model_in_use_with_its_context(settings, tmp_path):
    """GIVEN the bundled model (nothing configured) THEN its line is marked, says it is
    the demonstration model and the smaller context it is read with; GIVEN a catalogue
    GGUF THEN that entry is the one marked."""
    settings.LLM_BACKEND, settings.LLM_MODEL_PATH, settings.LLM_CATALOGUE_ENTRY = (
        "llama_cpp", "", "",
    )  # fmt: skip
    listing = run("list")
    demo = next(ln for ln in listing.splitlines() if ln[2:].startswith("smollm2-135m "))
    assert demo.startswith("* ") and "8k→2k" in demo and "demonstration" in demo
    assert "In use: SmolLM2-135M-Instruct Q4_1." in listing
    settings.LLM_MODEL_PATH = str(tmp_path / ENTRY.filename)
    marked = [ln for ln in run("list").splitlines() if ln.startswith("* ")]
    assert len(marked) == 1 and marked[0][2:].startswith("qwen2.5-1.5b ")


def test_get_downloads_into_the_data_dir_and_prints_the_setting(hub, data_dir):
    printed = run("get", "qwen2.5-1.5b")
    path = data_dir / "models" / ENTRY.filename
    assert path.read_bytes() == CONTENT
    assert f"LLM_MODEL_PATH={path}" in printed
    assert any(method == "GET" for method, _path, _range in hub.requests)


def test_a_dropped_download_resumes_where_it_stopped(hub, data_dir):
    hub.drop_after = hub_dropped_at = 11 * 1024 * 1024
    run("get", "qwen2.5-1.5b")
    assert (data_dir / "models" / ENTRY.filename).read_bytes() == CONTENT
    resumed = [r for method, _path, r in hub.requests if method == "GET" and r]
    assert resumed and 0 < int(resumed[0][6:].split("-")[0]) <= hub_dropped_at  # not from the start


def test_a_damaged_download_is_refused_and_removed(hub, data_dir):
    hub.corrupt = True
    with pytest.raises(CommandError, match="arrived damaged"):
        run("get", "qwen2.5-1.5b")
    assert not (data_dir / "models" / ENTRY.filename).exists()


def test_an_unknown_name_lists_the_choices():
    with pytest.raises(CommandError, match="qwen2.5-1.5b"):
        run("get", "gpt-5")
