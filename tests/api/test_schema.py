"""The OpenAPI schema is valid, and schemathesis finds no server error against it."""

import io
import os
import signal
import socket
import subprocess
import sys

import pytest
import yaml
from openapi_spec_validator import validate

from tests.support.waiting import ROOT, wait_until


def test_the_schema_is_valid_openapi(api):
    response = api.get("/api/v1/schema/")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    validate(schema)
    assert "/api/v1/jobs/" in schema["paths"] and "/api/v0/summarize" in schema["paths"]


def test_the_schema_generates_without_warnings():
    """A warning means a client generator would see odd names (FooF89Enum) or a guessed type."""
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", stdout=io.StringIO())


def test_the_docs_page_loads_without_outside_scripts(api):
    page = api.get("/api/v1/docs/").content.decode()
    assert "cdn" not in page.lower() and "swagger-ui" in page


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_schemathesis_finds_no_server_errors(worker_env, tmp_path):
    """A live server on the test database, probed through its own schema."""
    from django.contrib.auth import get_user_model
    from knox.models import AuthToken

    user = get_user_model().objects.create_user(username=f"fuzz-{os.getpid()}")
    token = AuthToken.objects.create(user=user, expiry=None)[1]
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**worker_env, "API_RATE": "100000/min", "API_V0_WAIT_SECONDS": "0",
           "WAYBRIEF_DATA_DIR": str(tmp_path)}  # fmt: skip
    server = subprocess.Popen([sys.executable, "manage.py", "serve", "--no-worker",
                               f"127.0.0.1:{port}"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        wait_until(lambda: _listening(port), timeout=30)
        result = subprocess.run(
            [sys.executable, "-m", "schemathesis.cli", "run",
             f"http://127.0.0.1:{port}/api/v1/schema/", "--checks", "not_a_server_error",
             "--header", f"Authorization: Token {token}", "--max-examples", "15",
             # v0 waits for a summary by default; no worker runs here, so ask for a 202.
             "--header", "Prefer: respond-async",
             "--phases", "examples,fuzzing", "--request-timeout", "10"],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=400,
        )  # fmt: skip
        assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=20)


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0
