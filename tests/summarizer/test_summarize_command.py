"""`manage.py summarize` prints the summary, or a clear error and a non-zero exit."""

import json
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import call_command

from tests.conftest import ROOT
from tests.summarizer.test_extract import ARTICLE
from tests.support.http import Reply

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def allow_loopback(settings):
    settings.FETCH_ALLOW_PRIVATE = True


def test_it_prints_the_summary(site):
    url = site.route("/a", Reply(200, ARTICLE.encode(), {"Content-Type": "text/html"}))
    out, err = StringIO(), StringIO()
    call_command("summarize", url, stdout=out, stderr=err)
    assert out.getvalue().strip()
    assert "SmolLM2-135M-Instruct" in err.getvalue()


def test_json_output_has_every_documented_field(site):
    url = site.route("/a", Reply(200, ARTICLE.encode(), {"Content-Type": "text/html"}))
    out = StringIO()
    call_command("summarize", url, "--mode", "takeaway", "--lang", "EN", "--json", stdout=out,
                 stderr=StringIO())  # fmt: skip
    data = json.loads(out.getvalue())
    for key in ("url", "final_url", "title", "language", "mode", "output", "model", "tokens",
                "parts", "timings"):  # fmt: skip
        assert key in data, key
    assert (data["mode"], data["language"], data["title"]) == (
        "takeaway", "EN", "The Closing of Xuite")  # fmt: skip
    assert data["output"].startswith("- ")


@pytest.mark.parametrize(
    ("args", "message"),
    [(["not a url"], "spaces, backslashes"), (["http://127.0.0.1:9/"], "public addresses"),
     (["https://example.org/", "--lang", "XX"], "Unknown target language")],
)  # fmt: skip
def test_errors_go_to_stderr_with_a_non_zero_exit(args, message, worker_env, tmp_path):
    env = {**worker_env, "WAYBRIEF_DATA_DIR": str(tmp_path)}
    env.pop("FETCH_ALLOW_PRIVATE")
    result = subprocess.run([sys.executable, "manage.py", "summarize", *args], cwd=ROOT,
                            env=env, capture_output=True, text=True, timeout=60)  # fmt: skip
    assert result.returncode != 0
    assert message in result.stderr
    assert result.stdout == ""
