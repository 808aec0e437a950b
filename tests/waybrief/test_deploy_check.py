"""`check --deploy` is clean once the documented production settings are set."""

import os
import subprocess
import sys

from tests.support.waiting import ROOT

PRODUCTION = {
    "SECRET_KEY": "x" * 64 + "-a-long-random-production-key-with-variety-0123456789",
    "ALLOWED_HOSTS": "waybrief.example.org",
    "WAYBRIEF_HTTPS": "1",
    "DEBUG": "0",
}


def test_check_deploy_raises_no_warning_with_production_settings(tmp_path):
    env = {**os.environ, **PRODUCTION, "WAYBRIEF_DATA_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
