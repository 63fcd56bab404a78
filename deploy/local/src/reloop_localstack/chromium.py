"""Headless Chromium for the tests that look at a page as a reader sees it, with the network cut.

`python -m reloop_localstack.chromium` installs Debian's `chromium` when it is missing (as root,
through apt-get: the only source of a browser this project may use; nothing downloads a browser
build of its own), so `make test` can require it. `rendered_dom(url)` is the page's DOM after its
scripts ran, loaded with nothing reachable but this machine's loopback.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile

NAMES = ("chromium", "chromium-browser", "google-chrome")

CUT_OFF_FLAGS = (
    # Every request goes to a proxy on the discard port, which nothing answers; Chromium never
    # proxies loopback (its implicit bypass), so the page's own service is still reached.
    "--proxy-server=http://127.0.0.1:9",
    # And no name resolves but loopback's, in case a request were ever let past the proxy.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
)
"""Nothing leaves the machine: a page that works with these flags works with no internet."""


class ChromiumMissing(RuntimeError):
    """No Chromium here, and it could not be installed."""


def find() -> str | None:
    """The path of an installed Chromium, None when there is none."""
    return next((path for name in NAMES if (path := shutil.which(name)) is not None), None)


def ensure() -> str:
    """The path of Chromium, installed with apt-get first when missing and this process may."""
    if (path := find()) is not None:
        return path
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        raise ChromiumMissing("chromium is not installed: as root, `apt-get install -y chromium`")
    environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-q"], check=True, env=environment)
    subprocess.run(
        ["apt-get", "install", "-y", "-q", "--no-install-recommends", "chromium"], check=True, env=environment
    )
    if (path := find()) is None:
        raise ChromiumMissing("apt-get installed chromium, yet no chromium is on PATH")
    return path


def rendered_dom(url: str, *, browser: str, cut_off: bool = True, budget_ms: int = 10_000, timeout: float = 90) -> str:
    """The DOM of `url` once its scripts ran (`--virtual-time-budget` lets the page's fetches and
    timers finish first), serialized as HTML. `cut_off=False` only for a test proving the cut works."""
    with tempfile.TemporaryDirectory(prefix="reloop-chromium-") as profile:
        command = [
            browser,
            "--headless",
            # The sandbox needs an unprivileged user namespace, which a root process in a container lacks.
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            f"--user-data-dir={profile}",
            *(CUT_OFF_FLAGS if cut_off else ()),
            f"--virtual-time-budget={budget_ms}",
            "--dump-dom",
            url,
        ]
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"chromium exited {done.returncode}: {done.stderr[-2000:]}")
    return done.stdout


def main() -> int:
    try:
        print(ensure())
    except (ChromiumMissing, subprocess.CalledProcessError) as error:
        print(error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
