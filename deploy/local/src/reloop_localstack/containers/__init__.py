"""Kafka, PostgreSQL and a service's own image run by testcontainers (`make test-containers`).

`RELOOP_CONTAINER_ENGINE` picks the engine: `podman` (this machine: images built locally, host
network) or `docker` (a laptop: the official images, ordinary port mapping).
"""
