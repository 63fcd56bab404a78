"""`python -m repair`: serve the repair HTTP API, its outbox relay, consumers and renewals."""

from __future__ import annotations

from reloop_shared.http.serve import serve
from repair.bootstrap import build


def main() -> None:
    runtime, app = build()
    serve(app, runtime.settings)


if __name__ == "__main__":
    main()
