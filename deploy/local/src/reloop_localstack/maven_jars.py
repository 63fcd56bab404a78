"""A runtime classpath fetched once from Maven Central with `mvn`, cached under the stack's home.

Used for the broker's jars and for Kafka's perf tools, each in a folder of its own: the broker's
classpath stays exactly what the broker needs.
"""

from __future__ import annotations

import fcntl
import shutil
import subprocess
import tempfile
from importlib import resources
from pathlib import Path


def fetch_jars(target: Path, pom_resource: str, replacements: dict[str, str]) -> Path:
    """`target` filled with the runtime dependencies of the packaged pom `pom_resource` (its
    `@NAME@` placeholders replaced), once; later calls return the cache at once."""
    done = target / ".complete"
    if done.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target.parent / ".lock", "w") as lock:
        # Two runs starting at once (a test and a bench) must not download into the same folder.
        fcntl.flock(lock, fcntl.LOCK_EX)
        if done.exists():
            return target
        pom = resources.files("reloop_localstack").joinpath(pom_resource).read_text()
        for name, value in replacements.items():
            pom = pom.replace(f"@{name}@", value)
        staging = target.parent / f"{target.name}.partial"
        shutil.rmtree(staging, ignore_errors=True)
        with tempfile.TemporaryDirectory() as work:
            Path(work, "pom.xml").write_text(pom)
            subprocess.run(
                [
                    shutil.which("mvn") or "mvn",
                    "-q",
                    "-B",
                    "dependency:copy-dependencies",
                    f"-DoutputDirectory={staging}",
                    "-DincludeScope=runtime",
                ],
                cwd=work,
                check=True,
            )
        # Renamed into place only once complete: an interrupted fetch leaves no half classpath.
        shutil.rmtree(target, ignore_errors=True)
        staging.rename(target)
        done.write_text(" ".join(replacements.values()))
    return target
