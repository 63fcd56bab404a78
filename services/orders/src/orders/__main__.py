"""`python -m orders`: serve the orders HTTP API, its outbox relay and consumers."""

from __future__ import annotations

from orders.bootstrap import build
from reloop_shared.http.serve import serve


def main() -> None:
    runtime, app = build()
    serve(app, runtime.settings)


if __name__ == "__main__":
    main()
