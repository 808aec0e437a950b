"""`manage.py summarize` prints the summary, or a clear error and a non-zero exit."""

import json
import os
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import call_command

from tests.support.documents import ARTICLE
from tests.support.http import Reply
from tests.support.waiting import ROOT

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


@pytest.fixture(scope="module")
def embedded_env(tmp_path_factory) -> dict[str, str]:
    """A separate SQLite database, so rows the command writes leave the suite's alone."""
    env = {k: v for k, v in os.environ.items()
           if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "FETCH_ALLOW_PRIVATE"}}  # fmt: skip
    env["WAYBRIEF_DATA_DIR"] = str(tmp_path_factory.mktemp("cli"))
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    return env


@pytest.mark.parametrize(
    ("args", "message"),
    [(["not a url"], "spaces, backslashes"), (["http://127.0.0.1:9/"], "public addresses"),
     (["https://example.org/", "--lang", "XX"], "Unknown target language")],
)  # fmt: skip
def test_errors_go_to_stderr_with_a_non_zero_exit(args, message, embedded_env):
    env = embedded_env
    result = subprocess.run([sys.executable, "manage.py", "summarize", *args], cwd=ROOT,
                            env=env, capture_output=True, text=True, timeout=60)  # fmt: skip
    assert result.returncode != 0
    assert message in result.stderr
    assert result.stdout == ""
