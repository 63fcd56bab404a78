"""Where the local stack keeps downloads and state: outside the repository, reused across runs."""

from __future__ import annotations

import socket
from pathlib import Path

from reloop_shared import local_stack_files


def cache_home() -> Path:
    root = local_stack_files.cache_home()
    root.mkdir(parents=True, exist_ok=True)
    return root


def stack_dir(name: str) -> Path:
    path = local_stack_files.stack_folder(name)
    path.mkdir(parents=True, exist_ok=True)
    return path


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
