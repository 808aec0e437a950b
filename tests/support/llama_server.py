"""llama.cpp's own server on the bundled model, for the openai backend's tests and benches."""

from __future__ import annotations

import socket
import subprocess

import httpx

from summarizer.backends import bundled_model_path
from tests.support.waiting import ROOT, wait_until


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_llama_server(tmp_path, *, parallel: int = 2) -> tuple[subprocess.Popen, str]:
    """llama-server on the bundled model, on a free loopback port; returns it and
    its OpenAI base URL. ``scripts/build-llama-server.sh`` builds it once."""
    build = ROOT / "scripts/build-llama-server.sh"
    binary = subprocess.run(
        [str(build)], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout.strip()
    port = _free_port()
    log = (tmp_path / "llama-server.log").open("wb")
    server = subprocess.Popen(
        [binary, "-m", bundled_model_path(), "--host", "127.0.0.1", "--port", str(port),
         "--parallel", str(parallel), "-c", str(2048 * parallel), "--threads", "2",
         "--alias", "smollm2"],
        stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"

    def healthy() -> bool:
        try:
            return httpx.get(f"{base}/health", timeout=1).status_code == 200
        except httpx.HTTPError:
            return server.poll() is not None  # stop waiting; the assert below reports it

    wait_until(healthy, timeout=60)
    assert server.poll() is None, (tmp_path / "llama-server.log").read_text()[-2000:]
    return server, f"{base}/v1"


def stop_llama_server(server: subprocess.Popen) -> None:
    """SIGTERM, and SIGKILL if it is still there after 20 s: llama-server waits
    for a slot's task to end, and a test's last request may have left one."""
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=20)
