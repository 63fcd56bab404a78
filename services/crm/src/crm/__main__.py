"""`python -m crm`: serve CRM's HTTP API, its outbox relay, consumers and the segment job."""

from __future__ import annotations

from crm.bootstrap import build
from reloop_shared.http.serve import serve


def main() -> None:
    runtime, app = build()
    serve(app, runtime.settings)


if __name__ == "__main__":
    main()
