"""docker-compose.yml and the Dockerfile stay in step with services/: static checks, no Docker needed.

A service directory `services/<dir>/` (one with a pyproject.toml) runs as the compose service
`<dir>` with `_` written `-`, built from the root Dockerfile with SERVICE=<dir> and MODULE=<module>.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
SERVICES_DIR = ROOT / "services"

ENV_PREFIX = re.compile(r"""env_prefix\s*=\s*["']([^"']+)["']""")
READYZ_URL = re.compile(r"https?://(?:localhost|127\.0\.0\.1|\[::1\]):(\d+)/readyz\b")


def _load_compose() -> dict[str, Any]:
    loaded = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict), f"{COMPOSE_FILE.name} is not a YAML mapping"
    services = loaded.get("services")
    assert isinstance(services, dict), f"{COMPOSE_FILE.name} has no `services` mapping"
    return loaded


COMPOSE = _load_compose()
SERVICES: dict[str, dict[str, Any]] = COMPOSE["services"]
JOBS = sorted(name for name, service in SERVICES.items() if "build" in service and service.get("restart") == "no")
"""Built from the same image, run once and exit (the `keys` job): not services."""
BUILT_SERVICES = sorted(name for name, service in SERVICES.items() if "build" in service and name not in JOBS)


# --- reading compose ------------------------------------------------------------------------------------------


def compose_name(directory: str) -> str:
    return directory.replace("_", "-")


def service_directories() -> list[str]:
    return sorted(pyproject.parent.name for pyproject in SERVICES_DIR.glob("*/pyproject.toml"))


def key_values(value: Any) -> dict[str, str]:
    """A compose `environment` or `args`: a mapping, or a list of KEY=VALUE."""
    if value is None:
        return {}
    if isinstance(value, dict):
        return {str(key): "" if item is None else str(item) for key, item in value.items()}
    assert isinstance(value, list), f"expected a mapping or a list of KEY=VALUE, got {value!r}"
    pairs = (str(item).partition("=") for item in value)
    return {key: item for key, _, item in pairs}


def build_args(name: str) -> dict[str, str]:
    build = SERVICES[name]["build"]
    assert isinstance(build, dict), f"{name}: `build` must be a mapping with args SERVICE and MODULE"
    return key_values(build.get("args"))


def environment(name: str) -> dict[str, str]:
    return key_values(SERVICES[name].get("environment"))


def published_ports(name: str) -> list[tuple[str, str]]:
    """(host port, container port) for each entry of `ports`, short or long syntax."""
    ports: list[tuple[str, str]] = []
    for entry in SERVICES[name].get("ports") or []:
        if isinstance(entry, dict):
            ports.append((str(entry.get("published", "")), str(entry.get("target", ""))))
            continue
        parts = str(entry).split("/")[0].rsplit(":", 2)
        container = parts[-1]
        host = parts[-2] if len(parts) >= 2 else ""
        ports.append((host, container))
    return ports


def healthcheck_command(name: str) -> str:
    healthcheck = SERVICES[name].get("healthcheck") or {}
    assert isinstance(healthcheck, dict), f"{name}: `healthcheck` must be a mapping"
    assert not healthcheck.get("disable"), f"{name}: the healthcheck is disabled"
    test = healthcheck.get("test")
    if isinstance(test, list):
        assert test, f"{name}: no healthcheck test"
        assert test[0] != "NONE", f"{name}: the healthcheck is disabled"
        words = test[1:] if test[0] in ("CMD", "CMD-SHELL") else test
        return " ".join(str(word) for word in words)
    assert isinstance(test, str), f"{name}: no healthcheck test"
    assert test.strip(), f"{name}: no healthcheck test"
    return test


def depends_on(name: str) -> dict[str, str]:
    """Each dependency with its condition (a plain list means `service_started`)."""
    value = SERVICES[name].get("depends_on") or {}
    if isinstance(value, list):
        return dict.fromkeys((str(item) for item in value), "service_started")
    return {
        str(dependency): str((spec or {}).get("condition", "service_started")) for dependency, spec in value.items()
    }


def env_prefix(name: str) -> str:
    """The prefix of the service's settings, read from its source; `<MODULE>_` when it declares none.

    A missing service directory is reported by the test of the build args alone, so here it falls back too.
    """
    args = build_args(name)
    module = args.get("MODULE", "")
    assert module, f"{name}: build arg MODULE is missing"
    sources = (SERVICES_DIR / args.get("SERVICE", name) / "src" / module).rglob("*.py")
    prefixes = {match for path in sources for match in ENV_PREFIX.findall(path.read_text(encoding="utf-8"))}
    assert len(prefixes) <= 1, f"{name}: several settings prefixes in its source: {sorted(prefixes)}"
    return prefixes.pop() if prefixes else f"{module.upper()}_"


# --- reading the Dockerfile -----------------------------------------------------------------------------------


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    instructions: list[tuple[str, str]] = []
    pending = ""
    for raw in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        keyword, _, arguments = (pending + line).partition(" ")
        instructions.append((keyword.upper(), arguments.strip()))
        pending = ""
    return instructions


def dockerfile_arguments(keyword: str) -> list[str]:
    return [arguments for instruction, arguments in dockerfile_instructions() if instruction == keyword]


# --- every service directory runs in compose, and every built compose service is a service directory ----------


def test_every_service_directory_has_a_compose_service_of_the_same_name() -> None:
    directories = service_directories()
    assert directories, "no services/*/pyproject.toml found"
    missing = [f"services/{d} -> {compose_name(d)}" for d in directories if compose_name(d) not in SERVICES]
    assert not missing, f"service directories without a compose service: {missing}"


@pytest.mark.parametrize("name", BUILT_SERVICES)
def test_a_built_service_points_at_an_existing_service_directory_and_its_runnable_module(name: str) -> None:
    build = SERVICES[name]["build"]
    assert (ROOT / str(build.get("context", "."))).resolve() == ROOT, f"{name}: the build context must be the root"
    dockerfile = (ROOT / str(build.get("dockerfile", "Dockerfile"))).resolve()
    assert dockerfile == DOCKERFILE, f"{name}: not built from the root Dockerfile"
    args = build_args(name)
    directory, module = args.get("SERVICE", ""), args.get("MODULE", "")
    assert directory, f"{name}: build arg SERVICE is missing"
    assert module, f"{name}: build arg MODULE is missing"
    assert compose_name(directory) == name, f"compose service {name} builds services/{directory}"
    assert (SERVICES_DIR / directory / "pyproject.toml").is_file(), f"{name}: services/{directory}/ does not exist"
    main = SERVICES_DIR / directory / "src" / module / "__main__.py"
    assert main.is_file(), f"{name}: {main.relative_to(ROOT)} does not exist, so `python -m {module}` cannot run"


@pytest.mark.parametrize("name", BUILT_SERVICES)
def test_a_built_service_is_healthy_only_when_readyz_answers_on_its_own_port(name: str) -> None:
    http_port = environment(name).get(f"{env_prefix(name)}HTTP_PORT")
    command = healthcheck_command(name)
    match = READYZ_URL.search(command)
    assert match, f"{name}: the healthcheck does not call http://localhost:<port>/readyz: {command!r}"
    assert match.group(1) == http_port, f"{name}: the healthcheck calls port {match.group(1)}, the service {http_port}"
    healthcheck = SERVICES[name]["healthcheck"]
    for setting in ("interval", "timeout", "retries", "start_period"):
        assert setting in healthcheck, f"{name}: the healthcheck sets no {setting}"


@pytest.mark.parametrize("name", BUILT_SERVICES)
def test_a_built_service_is_configured_for_kafka_postgres_tracing_and_its_published_port(name: str) -> None:
    prefix = env_prefix(name)
    env = environment(name)

    brokers = {server.strip().rsplit(":", 1)[0] for server in env.get("KAFKA_BOOTSTRAP_SERVERS", "").split(",")}
    assert "kafka" in brokers, f"{name}: KAFKA_BOOTSTRAP_SERVERS does not name the kafka service"
    database = urlsplit(env.get("DATABASE_URL", ""))
    assert database.scheme.startswith("postgres"), f"{name}: DATABASE_URL is not a PostgreSQL URL"
    assert database.hostname == "postgres", f"{name}: DATABASE_URL does not name the postgres service"
    otlp_host = urlsplit(env.get("OTEL_EXPORTER_OTLP_ENDPOINT", "")).hostname
    assert otlp_host in SERVICES, f"{name}: OTEL_EXPORTER_OTLP_ENDPOINT does not name a compose service"

    assert env.get(f"{prefix}HTTP_HOST") == "0.0.0.0", f"{name}: {prefix}HTTP_HOST must be 0.0.0.0"
    http_port = env.get(f"{prefix}HTTP_PORT", "")
    assert http_port.isdigit(), f"{name}: {prefix}HTTP_PORT is not set to a port"
    published = [host for host, container in published_ports(name) if container == http_port]
    assert published, f"{name}: {prefix}HTTP_PORT={http_port} is not a published port"
    assert all(published), f"{name}: {prefix}HTTP_PORT={http_port} is exposed without a host port"


@pytest.mark.parametrize("name", BUILT_SERVICES)
def test_a_built_service_starts_after_kafka_and_postgres_are_healthy(name: str) -> None:
    dependencies = depends_on(name)
    for infrastructure in ("kafka", "postgres"):
        condition = dependencies.get(infrastructure)
        assert condition == "service_healthy", f"{name}: depends on {infrastructure} with condition {condition}"


def test_the_keys_job_runs_to_completion_before_every_service_and_hands_them_only_public_keys() -> None:
    assert JOBS == ["keys"]
    job = SERVICES["keys"]
    job_volumes = {str(v).split(":")[0]: str(v).split(":")[1] for v in job["volumes"]}
    assert set(job_volumes) == {"keys", "signing-keys"}
    assert environment("keys")["RELOOP_SIGNING_KEYS"].startswith(job_volumes["signing-keys"] + "/")
    for name in BUILT_SERVICES:
        assert depends_on(name).get("keys") == "service_completed_successfully", f"{name} may start before its keys"
        env = environment(name)
        mounts = [str(v) for v in SERVICES[name].get("volumes", [])]
        # The private signing keys stay in the job's own volume: a service can verify, never sign.
        assert not any(m.startswith("signing-keys:") for m in mounts), f"{name} mounts the signing keys"
        assert "keys:/keys:ro" in mounts, f"{name}: the key set and key-encryption keys are not mounted read-only"
        assert env.get("RELOOP_JWKS", "").startswith("/keys/"), f"{name}: RELOOP_JWKS does not name the job's key set"
        assert env.get("RELOOP_KEY_ENCRYPTION_KEYS") == environment("keys")["RELOOP_KEY_ENCRYPTION_KEYS"], (
            f"{name} would wrap under other key-encryption keys than its peers"
        )


def test_no_two_services_publish_the_same_host_port() -> None:
    owners: dict[str, list[str]] = {}
    for name in SERVICES:
        for host, _ in published_ports(name):
            owners.setdefault(host, []).append(name)
    clashes = {port: names for port, names in owners.items() if len(names) > 1}
    assert not clashes, f"host ports published twice: {clashes}"


# --- infrastructure ---------------------------------------------------------------------------------------------


def test_kafka_runs_in_kraft_mode_as_broker_and_controller_without_zookeeper() -> None:
    assert "kafka" in SERVICES
    env = environment("kafka")
    roles = {role.strip() for role in env.get("KAFKA_PROCESS_ROLES", "").split(",")}
    assert roles == {"broker", "controller"}, f"KAFKA_PROCESS_ROLES is {env.get('KAFKA_PROCESS_ROLES')!r}"
    assert env.get("KAFKA_CONTROLLER_QUORUM_VOTERS"), "KRaft needs KAFKA_CONTROLLER_QUORUM_VOTERS"
    assert "CONTROLLER" in env.get("KAFKA_CONTROLLER_LISTENER_NAMES", "")
    assert "PLAINTEXT://kafka:9092" in env.get("KAFKA_ADVERTISED_LISTENERS", "")
    assert "zookeeper" not in COMPOSE_FILE.read_text(encoding="utf-8").lower()


@pytest.mark.parametrize("name", ["kafka", "postgres"])
def test_the_infrastructure_has_a_healthcheck(name: str) -> None:
    assert name in SERVICES, f"no compose service {name}"
    assert healthcheck_command(name)


def test_an_opentelemetry_collector_receives_the_traces_over_otlp() -> None:
    assert "jaeger" in SERVICES, "no jaeger service to collect traces"
    assert "jaeger" in str(SERVICES["jaeger"].get("image", ""))
    assert environment("jaeger").get("COLLECTOR_OTLP_ENABLED", "true").lower() == "true"
    assert any(container == "16686" for _, container in published_ports("jaeger")), "the Jaeger UI is not published"


# --- the Dockerfile ---------------------------------------------------------------------------------------------


def test_the_dockerfile_takes_the_service_and_module_build_args() -> None:
    args = {arguments.split("=", 1)[0] for arguments in dockerfile_arguments("ARG")}
    assert {"SERVICE", "MODULE", "BASE_IMAGE"} <= args, f"ARGs are {sorted(args)}"
    # The official image unless a build names another (make test-containers where nothing is pulled).
    assert "BASE_IMAGE=python:3.11-slim" in dockerfile_arguments("ARG")
    assert dockerfile_arguments("FROM") == ["${BASE_IMAGE}"]
    cmd = " ".join(dockerfile_arguments("CMD"))
    assert "python -m" in cmd, f"CMD does not run `python -m <module>`: {cmd!r}"
    assert any("PYTHONUNBUFFERED=1" in arguments for arguments in dockerfile_arguments("ENV"))


def test_the_dockerfile_installs_the_packages_non_editable_with_constraints() -> None:
    copied = " ".join(dockerfile_arguments("COPY"))
    for source in ("constraints.txt", "contracts/", "shared/", "services/${SERVICE}/"):
        assert source in copied, f"the Dockerfile does not COPY {source}"
    installs = [run for run in dockerfile_arguments("RUN") if "pip install" in run]
    assert installs, "no RUN pip install"
    for run in installs:
        words = run.split()
        assert "constraints.txt" in words, f"pip install without constraints.txt: {run!r}"
        assert words[words.index("constraints.txt") - 1] in ("-c", "--constraint"), f"not a constraint: {run!r}"
        assert "-e" not in words, f"editable install: {run!r}"
        assert "--editable" not in words, f"editable install: {run!r}"
        for package in ("./contracts", "./shared", "./services/${SERVICE}"):
            assert package in words, f"pip install does not install {package}: {run!r}"


def test_the_dockerfile_runs_the_service_as_a_non_root_user() -> None:
    users = dockerfile_arguments("USER")
    assert users, "no USER: the service would run as root"
    assert users[-1].split(":")[0] not in ("root", "0"), f"USER {users[-1]} is root"


# --- the Compose Specification --------------------------------------------------------------------------------

COMPOSE_SPEC = ROOT / "tests" / "schemas" / "compose-spec.json"


def _compose_spec_errors(document: dict[str, Any]) -> list[str]:
    schema = json.loads(COMPOSE_SPEC.read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(schema)(schema)
    return [f"{'/'.join(map(str, error.path))}: {error.message}" for error in validator.iter_errors(document)]


def test_docker_compose_follows_the_compose_specification() -> None:
    assert _compose_spec_errors(COMPOSE) == []


def test_a_compose_file_with_a_wrong_type_breaks_the_compose_specification() -> None:
    broken = {**COMPOSE, "services": {**SERVICES, "kafka": {**SERVICES["kafka"], "ports": "9092"}}}
    assert [error for error in _compose_spec_errors(broken) if error.startswith("services/kafka/ports")]
