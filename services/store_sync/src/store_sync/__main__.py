"""`python -m store_sync`: serve the store-sync HTTP API, its outbox relay and consumers."""

from __future__ import annotations

from reloop_shared.http.serve import serve
from store_sync.bootstrap import build


def main() -> None:
    runtime, app = build()
    serve(app, runtime.settings)


if __name__ == "__main__":
    main()
