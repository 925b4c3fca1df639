"""A throwaway PostgreSQL cluster for tests: Debian's server binaries, a free local port, a
temporary data folder, trust auth on 127.0.0.1 only. Installs Debian's `postgresql` package
first when the machine has none and we may (root with apt-get)."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class PostgresUnavailable(Exception):
    pass


def _bin_dir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def ensure_installed() -> Path:
    bindir = _bin_dir()
    if bindir:
        return bindir
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise PostgresUnavailable("no PostgreSQL server binaries, and no root apt-get to "
                                  "install Debian's postgresql package")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "postgresql"]):
        r = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600)
        if r.returncode:
            raise PostgresUnavailable(f"{' '.join(cmd)} failed: {r.stderr[-500:]}")
    bindir = _bin_dir()
    if not bindir:
        raise PostgresUnavailable("postgresql installed but no initdb under /usr/lib/postgresql")
    return bindir


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def throwaway_cluster() -> Iterator[str]:
    """Yield a SQLAlchemy URL of a fresh cluster; stop and delete it afterwards."""
    bindir = ensure_installed()
    root = Path(tempfile.mkdtemp(prefix="aie-pg-", dir="/tmp"))
    data, sock = root / "data", root / "sock"
    sock.mkdir()
    as_root = os.geteuid() == 0
    prefix: list[str] = []
    if as_root:  # the server refuses to run as root
        shutil.chown(root, "postgres")
        shutil.chown(sock, "postgres")
        root.chmod(0o755)
        prefix = ["runuser", "-u", "postgres", "--"]
    port = _free_port()

    def run(*args: str) -> None:
        r = subprocess.run([*prefix, *args], capture_output=True, text=True, timeout=120)
        if r.returncode:
            raise PostgresUnavailable(f"{Path(args[0]).name} failed: {r.stderr[-800:]}")

    try:
        run(str(bindir / "initdb"), "-D", str(data), "-U", "aie", "--auth=trust", "-E", "UTF8")
        run(str(bindir / "pg_ctl"), "-D", str(data), "-l", str(root / "log"), "-w", "-t", "60",
            "-o", f"-p {port} -k {sock} -c listen_addresses=127.0.0.1 -c max_connections=120",
            "start")
        try:
            yield f"postgresql+psycopg://aie@127.0.0.1:{port}/postgres"
        finally:
            subprocess.run([*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast",
                            "-w", "stop"], capture_output=True, timeout=60)
    finally:
        shutil.rmtree(root, ignore_errors=True)
