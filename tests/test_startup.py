"""The home page stays light, and `streamlit run` serves a healthy app."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.conftest import APP, ROOT

HEAVY = ("torch", "sentence_transformers", "faiss", "transformers")


def test_home_page_does_not_import_heavy_libraries(tmp_path):
    code = f"""
import json, sys
from streamlit.testing.v1 import AppTest
at = AppTest.from_file({APP!r}, default_timeout=60).run()
assert not at.exception, [e.value for e in at.exception]
print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, check=True, timeout=120,
                         env={**_env(), "AIE_BRIDGE_DATA_DIR": str(tmp_path)})
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []


def _env() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items()}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, data_dir) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", APP, "--server.headless=true",
         f"--server.port={port}", "--server.address=127.0.0.1",
         "--browser.gatherUsageStats=false"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        env={**_env(), "AIE_BRIDGE_DATA_DIR": str(data_dir)})


def wait_healthy(port: int, proc: subprocess.Popen, timeout: float = 60) -> float:
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited: {proc.stderr.read().decode()[-2000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return time.monotonic() - start
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"no healthy server on port {port} after {timeout}s")


@pytest.mark.slow
def test_streamlit_run_serves_a_healthy_app(tmp_path):
    port = free_port()
    proc = start_server(port, tmp_path)
    try:
        wait_healthy(port, proc)
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_the_entry_script_imports_pandas_before_it_runs_a_page():
    # plotly reads pandas from sys.modules without importing it: a page importing pandas for
    # the first time while another session drew a chart crashed that chart (bench_room.py)
    import ast

    body = ast.parse((ROOT / "app" / "streamlit_app.py").read_text()).body
    imports = [i for i, n in enumerate(body) if isinstance(n, ast.Import)
               and any(a.name == "pandas" for a in n.names)]
    runs = [i for i, n in enumerate(body) if "page.run()" in ast.unparse(n)]
    assert imports and runs and imports[0] < runs[0]
