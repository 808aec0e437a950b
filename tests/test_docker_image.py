"""The production image's file set, assembled for real (no Docker engine runs here).

Exactly what docker/Dockerfile copies goes into a folder of its own; Django
then starts from that folder alone (``python -S``: the checkout's editable
install is not on the path, only the installed libraries), runs the image's
own build step (collectstatic, with the same environment) and ``check --deploy``.
A package the Dockerfile forgets (api/ once) fails here as it would in the build.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

from tests.support.waiting import ROOT
from tests.waybrief.test_deploy_check import PRODUCTION

DOCKERFILE = ROOT / "docker" / "Dockerfile"


def assemble(into: Path) -> Path:
    """Copy what the Dockerfile's COPY lines name, where they put it."""
    app = into / "app"
    app.mkdir()
    for line in DOCKERFILE.read_text().splitlines():
        if not line.startswith("COPY "):
            continue
        *sources, dest = line.split()[1:]
        for source in sources:
            target = app / dest / source if dest.endswith("/") else app / dest
            if (ROOT / source).is_dir():
                shutil.copytree(ROOT / source, target, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(ROOT / source, target)
    return app


def manage(app: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    libraries = sysconfig.get_paths()["purelib"]
    return subprocess.run(
        [sys.executable, "-S", "manage.py", *args],
        cwd=app, env={**env, "PYTHONPATH": os.pathsep.join([str(app), libraries])},
        capture_output=True, text=True, timeout=180,
    )


def test_the_image_builds_its_static_files_and_passes_the_deploy_check(tmp_path):
    app = assemble(tmp_path)
    data = tmp_path / "data"
    base = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL"}}
    base.update(WAYBRIEF_DATA_DIR=str(data), STATIC_ROOT=str(app / "static"))

    # The build step, as the Dockerfile's RUN line gives it.
    build = manage(app, "collectstatic", "--noinput",
                   env={**base, "SECRET_KEY": "build-only-not-used"})  # fmt: skip
    assert build.returncode == 0, build.stdout + build.stderr
    assert (app / "static" / "waybrief" / "site.css").is_file()
    assert not (data / "secret_key").exists(), "a secret key was baked into the image"

    deploy = manage(app, "check", "--deploy", "--fail-level", "WARNING", env={**base, **PRODUCTION})
    assert deploy.returncode == 0, deploy.stdout + deploy.stderr


def test_an_image_missing_a_package_fails_here_as_its_build_would(tmp_path):
    """The check itself: without api/ the assembled image cannot even start Django."""
    app = assemble(tmp_path)
    shutil.rmtree(app / "api")
    env = {**os.environ, "WAYBRIEF_DATA_DIR": str(tmp_path / "data"), "SECRET_KEY": "x"}
    result = manage(app, "collectstatic", "--noinput", env=env)
    assert result.returncode != 0 and "No module named 'api'" in result.stderr
