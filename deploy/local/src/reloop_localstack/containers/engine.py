"""The container engine testcontainers talks to, made ready once.

Docker: whatever `DOCKER_HOST` (or the default socket) names, pulling the official images.

Podman, on a machine where nothing can be pulled and nothing may touch the network setup: Debian's
podman with `runc` (crun fails on a host mixing cgroup hierarchies), ulimits no higher than the host
allows (podman's defaults are refused), every container on the host's network (no bridge, no
iptables), and `podman system service` on a socket of our own for testcontainers' Docker API. The
configuration is a file of ours (`CONTAINERS_CONF`): the machine's own is left as it is.
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from reloop_localstack.paths import cache_home
from reloop_localstack.processes import stop_groups

ENGINE_VARIABLE = "RELOOP_CONTAINER_ENGINE"
ENGINES = ("podman", "docker")
PODMAN_PACKAGES = ("podman", "runc", "debootstrap")


class EngineUnavailable(RuntimeError):
    """No engine to run containers with: said in one line, with what to do."""


@dataclass(frozen=True)
class Engine:
    name: str
    docker_host: str
    """What testcontainers (docker-py) connects to."""

    @property
    def builds_its_images(self) -> bool:
        """Podman here: no registry can be reached, so the images are built on this machine."""
        return self.name == "podman"

    @property
    def host_network(self) -> bool:
        return self.name == "podman"

    def env(self) -> dict[str, str]:
        """For testcontainers: where the engine listens; no Ryuk (it needs a pulled image and a
        published port); each test stops what it started, by id."""
        env = {"DOCKER_HOST": self.docker_host, "TESTCONTAINERS_RYUK_DISABLED": "true", ENGINE_VARIABLE: self.name}
        if self.name == "podman":
            env["CONTAINERS_CONF"] = str(containers_conf())
        return env


def chosen() -> str | None:
    name = os.environ.get(ENGINE_VARIABLE, "").strip().lower()
    if name and name not in ENGINES:
        raise EngineUnavailable(f"{ENGINE_VARIABLE}={name}: expected one of {', '.join(ENGINES)}")
    return name or None


def folder() -> Path:
    path = cache_home() / "containers"
    path.mkdir(parents=True, exist_ok=True)
    return path


def containers_conf() -> Path:
    return folder() / "containers.conf"


def socket_path() -> Path:
    return folder() / "podman.sock"


def _ulimit(kind: int, ceiling: int) -> int:
    soft, hard = resource.getrlimit(kind)
    allowed = [limit for limit in (soft, hard) if limit != resource.RLIM_INFINITY]
    return min([ceiling, *allowed])


def _write_containers_conf() -> None:
    nofile = _ulimit(resource.RLIMIT_NOFILE, 20000)
    nproc = _ulimit(resource.RLIMIT_NPROC, 32768)
    containers_conf().write_text(
        "\n".join(
            [
                "[containers]",
                f'default_ulimits = ["nofile={nofile}:{nofile}", "nproc={nproc}:{nproc}"]',
                'netns = "host"',
                "[engine]",
                'runtime = "runc"',
                'cgroup_manager = "cgroupfs"',
                'events_logger = "file"',
                # conmon waits this long after a container (or an exec) ends before it exits:
                # podman's default leaves them around for minutes.
                "exit_command_delay = 2",
                "",
            ]
        )
    )


def _install(packages: tuple[str, ...]) -> None:
    missing = [p for p in packages if shutil.which(p) is None]
    if not missing:
        return
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        raise EngineUnavailable(f"{', '.join(missing)} not installed: apt-get install {' '.join(packages)} (as root)")
    done = subprocess.run(
        ["apt-get", "install", "-y", "-q", "--no-install-recommends", *packages],
        capture_output=True,
        text=True,
        env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
    )
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise EngineUnavailable(f"apt-get install {' '.join(missing)} was refused: {last}")


def _answers(docker_host: str) -> bool:
    try:
        import docker

        return bool(docker.DockerClient(base_url=docker_host, timeout=3).ping())
    except Exception:
        return False


def prepare(name: str) -> Engine:
    """The engine `name`, answering; podman installed, configured and served when needed."""
    if name == "docker":
        host = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
        if not _answers(host):
            raise EngineUnavailable(f"no Docker engine answers at {host}: start Docker, or set DOCKER_HOST")
        return Engine("docker", host)
    _install(PODMAN_PACKAGES)
    _write_containers_conf()
    engine = Engine("podman", f"unix://{socket_path()}")
    if not _answers(engine.docker_host):
        _serve(engine)
    return engine


def _serve(engine: Engine) -> None:
    socket_path().unlink(missing_ok=True)
    log = open(folder() / "podman-service.log", "ab")  # noqa: SIM115 -- the service keeps it open
    process = subprocess.Popen(
        ["podman", "system", "service", "--time=0", engine.docker_host],
        env={**os.environ, **engine.env()},
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    (folder() / "podman-service.pid").write_text(str(process.pid))
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if _answers(engine.docker_host):
            return
        if process.poll() is not None:
            break
        time.sleep(0.3)
    raise EngineUnavailable(f"podman system service did not answer on {socket_path()}: see {log.name}")


def stop_service() -> None:
    """Stops the podman service `prepare` started (only that one, by its pid)."""
    pid_file = folder() / "podman-service.pid"
    if not pid_file.exists():
        return
    pid = int(pid_file.read_text())
    pid_file.unlink()
    stop_groups([pid], timeout=5)  # its own session: started with start_new_session
