"""No Docker engine runs here, so the compose file and images are checked as text."""

from pathlib import Path

import yaml

DOCKER = Path(__file__).resolve().parent.parent / "docker"


def compose() -> dict:
    return yaml.safe_load((DOCKER / "compose.yaml").read_text())


def test_compose_has_every_service_and_volume():
    spec = compose()
    assert set(spec["services"]) == {"postgres", "redis", "web", "worker", "model-worker",
                                     "gpu-worker"}  # fmt: skip
    assert set(spec["volumes"]) == {"pgdata", "redisdata", "appdata"}


def test_every_service_runs_an_image_or_a_build_that_exists():
    for name, service in compose()["services"].items():
        assert "image" in service or "build" in service, name
        if build := service.get("build"):
            assert (DOCKER / build["context"] / build["dockerfile"]).is_file(), name


def test_the_gpu_worker_reserves_an_nvidia_gpu_and_offloads_every_layer():
    gpu = compose()["services"]["gpu-worker"]
    devices = gpu["deploy"]["resources"]["reservations"]["devices"]
    assert devices[0]["driver"] == "nvidia" and "gpu" in devices[0]["capabilities"]
    assert gpu["environment"]["LLM_N_GPU_LAYERS"] == "-1"


def test_the_app_services_use_postgres_and_redis():
    for name in ("web", "worker", "model-worker", "gpu-worker"):
        env = compose()["services"][name]["environment"]
        assert env["DATABASE_URL"].startswith("postgres://"), name
        assert env["CELERY_BROKER_URL"].startswith("redis://"), name


def test_redis_keeps_its_queue_across_restarts():
    assert "--appendonly" in compose()["services"]["redis"]["command"]


def test_the_gpu_image_builds_llama_cpp_with_cuda():
    text = (DOCKER / "Dockerfile.gpu").read_text()
    assert 'CMAKE_ARGS="-DGGML_CUDA=on"' in text
    assert text.startswith("#") and "FROM nvidia/cuda:" in text


def test_depends_on_names_only_real_services():
    services = compose()["services"]
    for name, service in services.items():
        for dependency in service.get("depends_on", {}):
            assert dependency in services, (name, dependency)


def test_both_images_copy_every_package_the_project_installs():
    """The image once left out api/, which INSTALLED_APPS needs: collectstatic failed."""
    import tomllib

    pyproject = tomllib.loads((DOCKER.parent / "pyproject.toml").read_text())
    found = pyproject["tool"]["setuptools"]["packages"]["find"]["include"]
    packages = {pattern.rstrip("*") for pattern in found}
    for dockerfile in ("Dockerfile", "Dockerfile.gpu"):
        text = (DOCKER / dockerfile).read_text()
        copied = {line.split()[1] for line in text.splitlines() if line.startswith("COPY ")}
        assert packages <= copied, (dockerfile, packages - copied)


def test_the_web_runs_the_asgi_server_of_make_run():
    """compose's web service and the image's default command are `manage.py serve`
    (uvicorn, as `make run`), never a sync server that holds a thread per stream."""
    web = compose()["services"]["web"]["command"]
    assert "manage.py serve 0.0.0.0:8000 --no-worker" in web and "gunicorn" not in web
    text = (DOCKER / "Dockerfile").read_text()
    assert 'CMD ["python", "manage.py", "serve", "0.0.0.0:8000", "--no-worker"]' in text
    assert "manage.py serve" in (DOCKER.parent / "Makefile").read_text()


def test_the_model_has_a_worker_of_its_own():
    """Archive saves never queue behind a model: the model's queue is served apart."""
    services = compose()["services"]
    assert "summarize" not in services["worker"]["command"]
    for name in ("model-worker", "gpu-worker"):
        command = services[name].get("command") or (DOCKER / "Dockerfile.gpu").read_text()
        assert "summarize" in command and "default" not in command, name
