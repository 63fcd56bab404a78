# One image definition for every service. Build one service with, e.g.:
#   docker build --build-arg SERVICE=catalog --build-arg MODULE=catalog -t reloop-catalog .
# SERVICE is the directory under services/, MODULE the package started with `python -m`.
# docker-compose.yml passes both per service and adds the healthcheck (each service has its own port).
# BASE_IMAGE is the official Python image unless told otherwise: `make test-containers` on a machine
# that cannot pull passes one built locally (deploy/containers/python).
ARG BASE_IMAGE=python:3.11-slim
FROM ${BASE_IMAGE}

ARG SERVICE
ARG MODULE

# RELOOP_MODULE carries the build arg MODULE into the running container, where CMD reads it.
ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    RELOOP_MODULE=${MODULE}

RUN test -n "${SERVICE}" && test -n "${MODULE}" \
    || { echo "build args SERVICE and MODULE are both required" >&2; exit 1; }

# /keys and /signing are owned by the service user, so the named volumes compose mounts there
# (the key job's) start with that owner.
RUN groupadd --system --gid 10001 reloop \
    && useradd --system --uid 10001 --gid reloop --home-dir /app --shell /usr/sbin/nologin reloop \
    && mkdir -p /app /keys /signing \
    && chown reloop:reloop /app /keys /signing

WORKDIR /src
COPY constraints.txt ./constraints.txt
COPY contracts/ ./contracts/
COPY shared/ ./shared/
COPY services/${SERVICE}/ ./services/${SERVICE}/

# Non-editable install of exactly this service and what it needs, pinned by constraints.txt.
RUN pip install --no-cache-dir -c constraints.txt ./contracts ./shared ./services/${SERVICE}

# Fail the build, not the container, when MODULE cannot be run with `python -m`.
RUN cd / && python -c "import importlib.util, sys; sys.exit(importlib.util.find_spec('${MODULE}.__main__') is None)" \
    || { echo "python -m ${MODULE} is not runnable after installing services/${SERVICE}" >&2; exit 1; }

WORKDIR /app
USER 10001:10001

# Shell form so the module comes from the environment; `exec` makes python PID 1, so SIGTERM from
# `docker stop` reaches uvicorn, which lets in-flight work finish before exiting.
CMD exec python -m "${RELOOP_MODULE}"
