"""A private PostgreSQL server for the tests: Debian's binaries, a fresh cluster in a temporary folder, listening on
a free loopback port with trust auth, stopped and deleted on exit. PostgreSQL refuses to run as root, so as root the
cluster belongs to `nobody`."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

START_SECONDS = 30
DATABASE = "alp"


def binaries() -> Path | None:
    """The folder of pg_ctl and initdb: Debian keeps them per major version, off the PATH."""
    found = shutil.which("pg_ctl")
    if found:
        return Path(os.path.realpath(found)).parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return Path(versions[-1]).parent if versions else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def local_postgres() -> Iterator[str]:
    """Yields the SQLAlchemy URL of a new, empty database."""
    bin_dir = binaries()
    if bin_dir is None:
        raise RuntimeError("PostgreSQL not found: install Debian's 'postgresql' package (make test does)")
    root = Path(tempfile.mkdtemp(prefix="alp-postgres-"))
    data, sockets = root / "data", root / "sockets"
    sockets.mkdir()
    as_user: list[str] = []
    user = "postgres-test"
    if os.geteuid() == 0:
        import pwd

        nobody = pwd.getpwnam("nobody")
        os.chmod(root, 0o755)
        for path in (root, sockets):
            os.chown(path, nobody.pw_uid, nobody.pw_gid)
        as_user = ["setpriv", f"--reuid={nobody.pw_uid}", f"--regid={nobody.pw_gid}", "--clear-groups"]
    port = _free_port()
    env = {**os.environ, "LC_ALL": "C"}
    try:  # a start that times out may still come up later: stopped in `finally` all the same
        subprocess.run([*as_user, str(bin_dir / "initdb"), "-D", str(data), "-U", user, "--auth=trust", "-E",
                        "UTF8"], check=True, capture_output=True, env=env)
        subprocess.run([*as_user, str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(root / "server.log"), "-w",
                        "-t", str(START_SECONDS), "-o", f"-p {port} -h 127.0.0.1 -k {sockets} -F", "start"],
                       check=True, capture_output=True, env=env)
        _create_database(port, user)
        yield f"postgresql+psycopg://{user}@127.0.0.1:{port}/{DATABASE}"
    finally:
        subprocess.run([*as_user, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
                       capture_output=True, env=env)
        shutil.rmtree(root, ignore_errors=True)


def _create_database(port: int, user: str) -> None:
    import psycopg

    deadline = time.monotonic() + START_SECONDS
    while True:
        try:
            with psycopg.connect(host="127.0.0.1", port=port, user=user, dbname="postgres", autocommit=True) as conn:
                conn.execute(f"CREATE DATABASE {DATABASE}")
                return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
