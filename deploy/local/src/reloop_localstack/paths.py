"""Where the local stack keeps downloads and state: outside the repository, reused across runs."""

from __future__ import annotations

import os
import socket
from pathlib import Path


def cache_home() -> Path:
    root = Path(os.environ.get("RELOOP_HOME", Path.home() / ".cache" / "reloop"))
    root.mkdir(parents=True, exist_ok=True)
    return root


def stack_dir(name: str) -> Path:
    path = cache_home() / "stacks" / name
    path.mkdir(parents=True, exist_ok=True)
    return path


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
