"""The images the container tests run, and where they come from.

With Docker: the official `apache/kafka` (the version the local stack and docker-compose.yml run),
`postgres` and `python` images, pulled. With podman here, where no registry answers: the same
roles built on this machine, once, then reused (an image present is not built again):

- `localhost/reloop-debian:bookworm`: `debootstrap --variant=minbase` from the Debian mirror this
  machine's apt sources name (read there, never written into the repository);
- `localhost/reloop-kafka:<version>`: a JRE and the very jars the local stack fetches from Maven
  Central, configured by `KAFKA_*` variables as the official image is;
- `localhost/reloop-postgres:15`: Debian's PostgreSQL, configured like the official image;
- `localhost/reloop-python:3.11`: the base the project's Dockerfile is built on instead of
  `python:3.11-slim`.

Names start with `localhost/`: without it testcontainers tries to pull them. Each carries the digest
of its recipe (a label): a changed Containerfile or script is built again, an unchanged one never.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from reloop_localstack import kafka
from reloop_localstack.containers.engine import Engine, folder

ROOT = Path(__file__).resolve().parents[5]
"""The repository: deploy/local/src/reloop_localstack/containers/images.py is five levels down."""
RECIPES = ROOT / "deploy" / "containers"
DEBIAN_SUITE = "bookworm"
BASE = f"localhost/reloop-debian:{DEBIAN_SUITE}"
OFFICIAL_KAFKA = f"apache/kafka:{kafka.KAFKA_VERSION}"
OFFICIAL_POSTGRES = "postgres:16"
OFFICIAL_PYTHON = "python:3.11-slim"


@dataclass(frozen=True)
class Images:
    kafka: str
    postgres: str
    python: str
    """The base of the project's Dockerfile (its BASE_IMAGE build argument)."""

    def described(self) -> str:
        return f"kafka {self.kafka}, postgres {self.postgres}, service base {self.python}"


def images_for(engine: Engine) -> Images:
    if not engine.builds_its_images:
        return Images(OFFICIAL_KAFKA, OFFICIAL_POSTGRES, OFFICIAL_PYTHON)
    return Images(
        f"localhost/reloop-kafka:{kafka.KAFKA_VERSION}", "localhost/reloop-postgres:15", "localhost/reloop-python:3.11"
    )


def ensure(engine: Engine) -> Images:
    """The engine's images, built here when the engine builds its own (each once)."""
    images = images_for(engine)
    if not engine.builds_its_images:
        return images
    env = engine.env()
    if not _exists(BASE, env):
        _import_debian_base(env)
    if not _current(images.kafka, "kafka", env):
        with tempfile.TemporaryDirectory() as context:
            shutil.copytree(RECIPES / "kafka", context, dirs_exist_ok=True)
            shutil.copytree(kafka.ensure_jars(), Path(context) / "lib")
            _build(images.kafka, "kafka", Path(context), env)
    if not _current(images.postgres, "postgres", env):
        _build(images.postgres, "postgres", RECIPES / "postgres", env)
    if not _current(images.python, "python", env):
        with tempfile.TemporaryDirectory() as context:
            shutil.copytree(RECIPES / "python", context, dirs_exist_ok=True)
            shutil.copy(_ca_bundle(), Path(context) / "trusted.pem")
            _build(images.python, "python", Path(context), env)
    return images


def build_service(engine: Engine, images: Images, directory: str, module: str) -> str:
    """The project's Dockerfile built for one service, on the engine's Python base."""
    tag = f"localhost/reloop-{directory.replace('_', '-')}:test"
    command = [
        engine.name,  # podman and docker take the same build arguments
        "build",
        "--network",
        "host",
        "-q",
        "-t",
        tag,
        "--build-arg",
        f"BASE_IMAGE={images.python}",
        "--build-arg",
        f"SERVICE={directory}",
        "--build-arg",
        f"MODULE={module}",
        "-f",
        str(ROOT / "Dockerfile"),
        str(ROOT),
    ]
    _run(command, engine.env(), what=f"building {tag} from the Dockerfile")
    return tag


def _exists(image: str, env: dict[str, str]) -> bool:
    return subprocess.run(["podman", "image", "exists", image], env=_with(env), check=False).returncode == 0


def recipe_digest(recipe: str) -> str:
    """What an image is built from: its recipe's files (and, for Kafka, the version of its jars)."""
    digest = hashlib.sha256(kafka.KAFKA_VERSION.encode() if recipe == "kafka" else b"")
    for path in sorted((RECIPES / recipe).rglob("*")):
        if path.is_file():
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def _current(image: str, recipe: str, env: dict[str, str]) -> bool:
    inspect = ["podman", "image", "inspect", "--format", '{{ index .Labels "reloop.recipe" }}', image]
    found = subprocess.run(inspect, env=_with(env), capture_output=True, text=True, check=False)
    return found.returncode == 0 and found.stdout.strip() == recipe_digest(recipe)


def _build(tag: str, recipe: str, context: Path, env: dict[str, str]) -> None:
    command = ["podman", "build", "--network", "host", "-q", "-t", tag, "--build-arg", f"BASE={BASE}"]
    command += ["--label", f"reloop.recipe={recipe_digest(recipe)}", str(context)]
    _run(command, env, what=f"building {tag}")
    # The build it replaces is left untagged: ours (by label) and unused, so removed.
    prune = ["podman", "image", "prune", "-f", "--filter", "label=reloop.recipe"]
    subprocess.run(prune, env=_with(env), capture_output=True, check=False)


def _import_debian_base(env: dict[str, str]) -> None:
    mirror = debian_mirror()
    with tempfile.TemporaryDirectory(dir=folder()) as work:
        rootfs = Path(work) / "rootfs"
        _run(
            ["debootstrap", "--variant=minbase", DEBIAN_SUITE, str(rootfs), mirror],
            env,
            what=f"debootstrap {DEBIAN_SUITE} from {mirror}",
        )
        for cached in (rootfs / "var" / "cache" / "apt" / "archives").glob("*.deb"):
            cached.unlink()
        tar = subprocess.Popen(["tar", "-C", str(rootfs), "-c", "."], stdout=subprocess.PIPE)
        try:
            _run(["podman", "import", "-", BASE], env, what=f"importing {BASE}", stdin=tar.stdout)
        finally:
            tar.wait()


def debian_mirror() -> str:
    """The first Debian mirror of this machine's apt sources (deb822 or one-line format)."""
    sources = [Path("/etc/apt/sources.list.d/debian.sources"), Path("/etc/apt/sources.list")]
    sources += sorted(Path("/etc/apt/sources.list.d").glob("*.sources"))
    sources += sorted(Path("/etc/apt/sources.list.d").glob("*.list"))
    for source in sources:
        if not source.is_file():
            continue
        for line in source.read_text().splitlines():
            found = re.match(r"^\s*(?:URIs:\s*|deb\s+(?:\[[^]]*\]\s+)?)(\S+/debian)/?\s*", line)
            if found:
                return found.group(1)
    raise RuntimeError("no Debian mirror in /etc/apt/sources.list(.d): the base image cannot be built here")


def _ca_bundle() -> Path:
    for candidate in (Path("/etc/ssl/certs/ca-certificates.crt"), Path("/etc/pki/tls/certs/ca-bundle.crt")):
        if candidate.exists():
            return candidate
    raise RuntimeError("no CA bundle on this machine to give the local Python image")


def _with(env: dict[str, str]) -> dict[str, str]:
    return {**os.environ, **env}


def _run(command: list[str], env: dict[str, str], *, what: str, stdin: IO[bytes] | None = None) -> None:
    done = subprocess.run(command, env=_with(env), capture_output=True, stdin=stdin, check=False)
    if done.returncode != 0:
        said = (done.stderr or done.stdout).decode(errors="replace")
        tail = "\n".join(said.strip().splitlines()[-15:])
        raise RuntimeError(f"{what} failed:\n{tail}")
