"""Static checks of deploy/: every file parses, and everything it names exists in the project.

Nothing here runs Docker or Kubernetes. The compose file, the manifests and the Dockerfile are
read and checked against the code they configure (settings, CLI commands, queues, packages), so
a renamed setting or command, or a too-short shutdown grace period, fails here instead of in a
deployment. Fast and offline.
"""

from __future__ import annotations

import importlib
import json
import os
import re
import shlex
import tomllib
from collections.abc import Iterator
from functools import cache
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

import pytest
import typer
import yaml
from celery import Celery
from celery.bin.celery import celery as celery_cli
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from nianbao.cli import app as nianbao_app
from nianbao.settings import Settings
from producers.sites import SitesFile, load_sites
from workers.app import CRAWL_QUEUE, PAGES_QUEUE, STORE_QUEUE
from workers.app import QUEUES as APP_QUEUES
from workers.app import app as celery_app

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
README = DEPLOY / "README.md"
SITES_EXAMPLE = DEPLOY / "sites.example.toml"
DOCKERFILE = DEPLOY / "Dockerfile"
COMPOSE = DEPLOY / "docker-compose.yml"
K8S = DEPLOY / "k8s"
GRAFANA = DEPLOY / "grafana" / "nianbao.json"
ALERTS = DEPLOY / "prometheus" / "alerts.yml"
YAML_FILES = sorted({*DEPLOY.rglob("*.yml"), *DEPLOY.rglob("*.yaml")})

QUEUES = set(APP_QUEUES)
SETTING_VARS = {f"NIANBAO_{name.upper()}" for name in Settings.model_fields}
DEFAULT_TIME_LIMIT: int = Settings.model_fields["task_time_limit"].default
# Each pipeline stage has its own consumer, named after its queue (compose service, Deployment).
STAGE_CONSUMERS = {
    "crawl-worker": CRAWL_QUEUE,
    "pages-worker": PAGES_QUEUE,
    "store-worker": STORE_QUEUE,
}
WORKER_SERVICES = tuple(STAGE_CONSUMERS)

Argv = list[str]


# --- parsing helpers ---------------------------------------------------------------------------

_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)")
_DURATION_UNITS = {
    "ns": 1e-9,
    "us": 1e-6,
    "µs": 1e-6,
    "ms": 1e-3,
    "s": 1.0,
    "m": 60.0,
    "h": 3600.0,
}


def parse_duration(value: str | float) -> float:
    """Seconds of a Compose/Go duration ("330s", "6m", "1m30s") or a plain number of seconds."""
    if isinstance(value, int | float):
        return float(value)
    text = value.strip()
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return float(text)
    parts = _DURATION_PART.findall(text)
    if not parts or "".join(number + unit for number, unit in parts) != text:
        raise ValueError(f"not a duration: {value!r}")
    return sum(float(number) * _DURATION_UNITS[unit] for number, unit in parts)


_INTERPOLATION = re.compile(r"\$\{(\w+)(?::?[-?]([^}]*))?\}")


def interpolate(value: Any) -> str:
    """A Compose value as Compose would see it with no variables set: ${X:-default} -> default."""
    text = str(value)
    text = _INTERPOLATION.sub(lambda match: match.group(2) or "", text)
    return text.replace("$$", "$")


def load_yaml(path: Path) -> list[Any]:
    """The documents of a YAML file (empty documents dropped)."""
    with path.open(encoding="utf-8") as handle:
        return [doc for doc in yaml.safe_load_all(handle) if doc is not None]


@cache
def compose() -> dict[str, Any]:
    """deploy/docker-compose.yml, anchors and merge keys resolved."""
    (doc,) = load_yaml(COMPOSE)
    return doc


def services() -> dict[str, dict[str, Any]]:
    return compose()["services"]


def service_env(service: dict[str, Any]) -> dict[str, str]:
    """A service's environment (mapping or KEY=VALUE list), interpolated."""
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {str(key): interpolate(value) for key, value in env.items()}


@cache
def k8s_docs() -> list[dict[str, Any]]:
    """Every manifest under deploy/k8s/ (optional/ included)."""
    return [doc for path in sorted(K8S.rglob("*.y*ml")) for doc in load_yaml(path)]


def k8s_kind(kind: str) -> list[dict[str, Any]]:
    return [doc for doc in k8s_docs() if doc.get("kind") == kind]


def pod_spec(workload: dict[str, Any]) -> dict[str, Any]:
    """The pod spec of a Deployment or Job (or a CronJob's job template)."""
    spec = workload["spec"]
    if "jobTemplate" in spec:
        spec = spec["jobTemplate"]["spec"]
    return spec["template"]["spec"]


def workloads() -> list[dict[str, Any]]:
    return [doc for doc in k8s_docs() if doc.get("kind") in {"Deployment", "Job", "CronJob"}]


def containers(workload: dict[str, Any]) -> list[dict[str, Any]]:
    spec = pod_spec(workload)
    return [*spec.get("initContainers", []), *spec.get("containers", [])]


def as_argv(value: Any) -> Argv:
    """An exec-form list or a shell string as argv."""
    if value is None:
        return []
    if isinstance(value, list):
        return [str(item) for item in value]
    return shlex.split(str(value))


def shell_commands(argv: Argv) -> Iterator[Argv]:
    """The commands of argv, looking inside `sh -c "..."` and splitting on && || ;."""
    if len(argv) >= 3 and Path(argv[0]).name in {"sh", "bash"} and argv[1] == "-c":
        argv = shlex.split(argv[2])
    current: Argv = []
    for token in argv:
        if token in {"&&", "||", ";"}:
            if current:
                yield current
            current = []
        else:
            current.append(token)
    if current:
        yield current


def healthcheck_argv(test: Any) -> Argv:
    """A Compose healthcheck test as argv (CMD / CMD-SHELL / shell string)."""
    if isinstance(test, list):
        if test and test[0] == "CMD-SHELL":
            return ["sh", "-c", interpolate(" ".join(test[1:]))]
        if test and test[0] == "CMD":
            return [interpolate(item) for item in test[1:]]
        return []
    return ["sh", "-c", interpolate(test)]


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of deploy/Dockerfile, continuation lines joined."""
    instructions: list[tuple[str, str]] = []
    buffer = ""
    for raw in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue  # comments and blank lines, also inside continuations
        if line.endswith("\\"):
            buffer += line[:-1] + " "
            continue
        keyword, _, rest = (buffer + line).partition(" ")
        instructions.append((keyword.upper(), rest.strip()))
        buffer = ""
    assert not buffer, "Dockerfile ends in a line continuation"
    return instructions


def dockerfile_args(instruction: str) -> list[Argv]:
    """Arguments of every instruction of that name (exec form or shell form)."""
    return [
        json.loads(rest) if rest.startswith("[") else shlex.split(rest)
        for keyword, rest in dockerfile_instructions()
        if keyword == instruction
    ]


def dockerfile_env() -> dict[str, str]:
    env: dict[str, str] = {}
    for tokens in dockerfile_args("ENV"):
        if "=" in tokens[0]:
            env.update(token.split("=", 1) for token in tokens)
        else:  # legacy `ENV KEY value`
            env[tokens[0]] = " ".join(tokens[1:])
    return env


def dockerfile_cmd() -> Argv:
    entrypoint = (dockerfile_args("ENTRYPOINT") or [[]])[-1]
    cmd = (dockerfile_args("CMD") or [[]])[-1]
    return [*entrypoint, *cmd]


def all_commands() -> list[tuple[str, Argv]]:
    """(where, argv) of every command deploy/ runs: Dockerfile, compose, k8s (probes too)."""
    found: list[tuple[str, Argv]] = [("Dockerfile CMD", dockerfile_cmd())]
    for name, service in services().items():
        argv = as_argv(service.get("entrypoint")) + as_argv(service.get("command"))
        if argv:
            found.append((f"compose {name}", [interpolate(token) for token in argv]))
        if "healthcheck" in service:
            found.append(
                (f"compose {name} healthcheck", healthcheck_argv(service["healthcheck"]["test"]))
            )
    for workload in workloads():
        for container in containers(workload):
            where = f"k8s {workload['kind']}/{workload['metadata']['name']}/{container['name']}"
            argv = as_argv(container.get("command")) + as_argv(container.get("args"))
            if argv:
                found.append((where, argv))
            for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
                if "exec" in container.get(probe, {}):
                    found.append((f"{where} {probe}", as_argv(container[probe]["exec"]["command"])))
    return [
        (where, command) for where, argv in found for command in shell_commands(argv) if command
    ]


def commands_of(program: str) -> list[tuple[str, Argv]]:
    return [(where, argv) for where, argv in all_commands() if Path(argv[0]).name == program]


def parse_click(group: Any, prog: str, argv: Argv) -> tuple[list[str], Any]:
    """Parse argv exactly as click would (unknown options and bad values raise), running nothing.

    Works for click commands and for Typer's (Typer vendors its own click). Returns the
    subcommand path and the innermost command's context.
    """
    ctx = group.make_context(prog, list(argv))
    path: list[str] = []
    while hasattr(ctx.command, "resolve_command"):  # a group
        rest = [*ctx._protected_args, *ctx.args]
        if not rest:
            break
        name, command, rest = ctx.command.resolve_command(ctx, rest)
        assert name is not None and command is not None
        path.append(name)
        ctx = command.make_context(name, rest, parent=ctx)
    return path, ctx


def parse_or_fail(group: Any, where: str, argv: Argv) -> tuple[list[str], Any]:
    """parse_click, failing the test with click's own message on a usage error."""
    try:
        return parse_click(group, Path(argv[0]).name, argv[1:])
    except Exception as exc:
        if not hasattr(exc, "format_message"):  # not a click/Typer usage error
            raise
        pytest.fail(f"{where}: `{shlex.join(argv)}` does not parse: {exc.format_message()}")


def runs_worker(argv: Argv) -> bool:
    return argv[:2] == ["nianbao", "worker"]


def compose_workers() -> dict[str, dict[str, Any]]:
    return {
        name: service
        for name, service in services().items()
        if runs_worker(as_argv(service.get("entrypoint")) + as_argv(service.get("command")))
    }


def k8s_workers() -> list[dict[str, Any]]:
    """Deployments with a container running `nianbao worker`."""
    return [
        doc
        for doc in k8s_kind("Deployment")
        if any(
            runs_worker(as_argv(c.get("command")) + as_argv(c.get("args"))) for c in containers(doc)
        )
    ]


def option_value(argv: Argv, *names: str) -> str | None:
    for index, token in enumerate(argv):
        for name in names:
            if token == name and index + 1 < len(argv):
                return argv[index + 1]
            if token.startswith(f"{name}="):
                return token.split("=", 1)[1]
    return None


def k8s_container_env(container: dict[str, Any]) -> dict[str, str]:
    """A container's environment: its envFrom ConfigMaps/Secrets (which must exist) and env."""
    config_maps = {doc["metadata"]["name"]: doc for doc in k8s_kind("ConfigMap")}
    secrets = {doc["metadata"]["name"]: doc for doc in k8s_kind("Secret")}
    env: dict[str, str] = {}
    for source in container.get("envFrom", []):
        if "configMapRef" in source:
            name = source["configMapRef"]["name"]
            assert name in config_maps, f"ConfigMap {name!r} is not in deploy/k8s/"
            env.update(config_maps[name].get("data", {}))
        if "secretRef" in source:
            name = source["secretRef"]["name"]
            assert name in secrets, f"Secret {name!r} is not in deploy/k8s/ (even as an example)"
            env.update(secrets[name].get("stringData", {}))
            env.update(dict.fromkeys(secrets[name].get("data", {}), ""))
    for item in container.get("env", []):
        env[item["name"]] = str(item.get("value", ""))
    return {key: str(value) for key, value in env.items()}


def configured_time_limit(env: dict[str, str]) -> int:
    return int(env.get("NIANBAO_TASK_TIME_LIMIT", DEFAULT_TIME_LIMIT))


def settings_from(env: dict[str, str]) -> Settings:
    """The Settings these NIANBAO_* values give (validated, and .check()ed)."""
    values = {
        key.removeprefix("NIANBAO_").lower(): value
        for key, value in env.items()
        if key.startswith("NIANBAO_")
    }
    settings = Settings(**values)
    settings.check()
    return settings


def memory_bytes(quantity: str) -> float:
    units = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "k": 1e3, "M": 1e6, "G": 1e9}
    for suffix, factor in units.items():
        if quantity.endswith(suffix):
            return float(quantity.removesuffix(suffix)) * factor
    return float(quantity)


def cpu_cores(quantity: str | float) -> float:
    text = str(quantity)
    return float(text[:-1]) / 1000 if text.endswith("m") else float(text)


# --- the files ---------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _no_nianbao_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings built here come from deploy/ only, never from this process's environment."""
    for key in list(os.environ):
        if key.startswith("NIANBAO_"):
            monkeypatch.delenv(key)


def test_parse_duration() -> None:
    assert parse_duration("330s") == 330
    assert parse_duration("6m") == 360
    assert parse_duration("1m30s") == 90
    assert parse_duration("1h") == 3600
    assert parse_duration("500ms") == 0.5
    assert parse_duration(330) == 330
    assert parse_duration("330") == 330
    for bad in ("", "5 minutes", "m5", "10x"):
        with pytest.raises(ValueError):
            parse_duration(bad)


def test_deploy_files_exist() -> None:
    expected = [
        DOCKERFILE,
        COMPOSE,
        DEPLOY / "README.md",
        K8S / "configmap.yaml",
        K8S / "secret.example.yaml",
        K8S / "migrate-job.yaml",
        K8S / "crawl-worker.yaml",
        K8S / "pages-worker.yaml",
        K8S / "store-worker.yaml",
        K8S / "monitor.yaml",
        K8S / "sites-configmap.yaml",
        K8S / "exporter.yaml",
        K8S / "optional" / "keda-scaledobject.yaml",
        GRAFANA,
        ALERTS,
        SITES_EXAMPLE,
    ]
    assert [path for path in expected if not path.is_file()] == []
    assert COMPOSE in YAML_FILES


@pytest.mark.parametrize("path", YAML_FILES, ids=lambda p: str(p.relative_to(DEPLOY)))
def test_yaml_parses(path: Path) -> None:
    docs = load_yaml(path)
    assert docs, f"{path} has no YAML document"
    for doc in docs:
        assert isinstance(doc, dict), f"{path}: a document is not a mapping"
        if path.is_relative_to(K8S):
            assert {"apiVersion", "kind", "metadata"} <= doc.keys()
            assert doc["metadata"].get("name"), f"{path}: {doc['kind']} without a name"


def test_k8s_names_are_unique_per_kind() -> None:
    keys = [(doc["kind"], doc["metadata"]["name"]) for doc in k8s_docs()]
    assert len(keys) == len(set(keys))


# --- settings ----------------------------------------------------------------------------------


def deploy_env_vars() -> dict[str, set[str]]:
    """Every environment variable deploy/ sets, with where."""
    found: dict[str, set[str]] = {}

    def add(name: str, where: str) -> None:
        found.setdefault(name, set()).add(where)

    for key, value in compose().items():
        if key.startswith("x-") and isinstance(value, dict):
            for name in value:
                if str(name).startswith("NIANBAO_"):
                    add(str(name), f"compose {key}")
    for name, service in services().items():
        for var in service_env(service):
            add(var, f"compose {name}")
    for doc in k8s_kind("ConfigMap"):
        for var in doc.get("data", {}):
            add(var, f"k8s ConfigMap/{doc['metadata']['name']}")
    for doc in k8s_kind("Secret"):
        for var in [*doc.get("stringData", {}), *doc.get("data", {})]:
            add(var, f"k8s Secret/{doc['metadata']['name']}")
    for workload in workloads():
        for container in containers(workload):
            for item in container.get("env", []):
                add(item["name"], f"k8s {workload['metadata']['name']}/{container['name']}")
    for var in dockerfile_env():
        add(var, "Dockerfile ENV")
    return found


def test_every_nianbao_variable_is_a_setting() -> None:
    found = {
        name: where for name, where in deploy_env_vars().items() if name.startswith("NIANBAO_")
    }
    unknown = {name: sorted(where) for name, where in found.items() if name not in SETTING_VARS}
    assert unknown == {}, f"not fields of nianbao.settings.Settings: {unknown}"
    # The parse found the essentials (guards against a check that silently sees nothing).
    essentials = {
        "NIANBAO_BROKER_URL",
        "NIANBAO_DATABASE_URL",
        "NIANBAO_OBJECT_STORE",
        "NIANBAO_S3_BUCKET",
    }
    assert essentials <= found.keys()
    for name in essentials:
        assert any(w.startswith("compose") for w in found[name]), f"{name} not set in compose"
        assert any(w.startswith("k8s") for w in found[name]), f"{name} not set in k8s"


@pytest.mark.parametrize("name", sorted(set(WORKER_SERVICES) | {"migrate", "monitor", "cli"}))
def test_compose_settings_are_valid(name: str) -> None:
    env = service_env(services()[name])
    settings = settings_from(env)
    assert not settings.embedded
    assert settings.object_store == "s3"
    assert {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"} <= env.keys()
    assert settings.database_url is not None
    assert make_url(settings.database_url).drivername == "postgresql+psycopg"
    # Every host the settings point at is a service of this compose file.
    for url in (settings.broker_url, settings.database_url, settings.s3_endpoint_url):
        assert url is not None
        host = urlsplit(url).hostname
        assert host in services(), f"{url} points at {host!r}, not a compose service"


def test_k8s_settings_are_valid() -> None:
    checked = 0
    for workload in workloads():
        for container in containers(workload):
            env = k8s_container_env(container)
            settings = settings_from(env)
            assert not settings.embedded, f"{workload['metadata']['name']}: no broker"
            assert settings.database_url is not None
            assert make_url(settings.database_url).drivername == "postgresql+psycopg"
            checked += 1
    assert checked >= 5  # migrate job, the three worker deployments, the monitor


# --- commands ----------------------------------------------------------------------------------

NIANBAO_COMMANDS = commands_of("nianbao")
CELERY_COMMANDS = commands_of("celery")


def test_commands_were_found() -> None:
    wheres = [where for where, _ in NIANBAO_COMMANDS]
    assert "Dockerfile CMD" in wheres
    assert sum(w.startswith("compose") for w in wheres) >= 6  # migrate, 3 workers, monitor, cli
    assert sum(w.startswith("k8s") for w in wheres) >= 5  # migrate, 3 workers, monitor
    assert dockerfile_cmd() == ["nianbao", "worker"]


@pytest.mark.parametrize(
    ("where", "argv"), NIANBAO_COMMANDS, ids=[where for where, _ in NIANBAO_COMMANDS]
)
def test_nianbao_command_exists(where: str, argv: Argv) -> None:
    path, ctx = parse_or_fail(typer.main.get_command(nianbao_app), where, argv)
    assert path, f"{where}: `{shlex.join(argv)}` names no subcommand"
    result = CliRunner().invoke(nianbao_app, [*path, "--help"])
    assert result.exit_code == 0, f"{where}: nianbao {' '.join(path)} --help: {result.output}"
    if path == ["worker"]:
        queues = set(ctx.params["queues"].split(","))
        assert queues <= QUEUES, f"{where}: unknown queue(s) {queues - QUEUES}"


@pytest.mark.parametrize(
    ("where", "argv"), CELERY_COMMANDS, ids=[where for where, _ in CELERY_COMMANDS]
)
def test_celery_command_parses(where: str, argv: Argv) -> None:
    path, ctx = parse_or_fail(celery_cli, where, argv)
    assert path, f"{where}: no celery subcommand"
    module_name = ctx.find_root().params["app"]
    assert module_name, f"{where}: celery without -A"
    module = importlib.import_module(str(module_name).split(":")[0])
    assert isinstance(getattr(module, "app", None), Celery)
    if path == ["worker"]:
        queues = set(str(option_value(argv, "-Q", "--queues") or "").split(","))
        assert queues <= QUEUES


def test_crawl_queue_is_a_known_queue() -> None:
    assert {CRAWL_QUEUE, PAGES_QUEUE, STORE_QUEUE} == QUEUES
    assert CRAWL_QUEUE == "crawl"
    assert {queue.name for queue in celery_app.conf.task_queues} == QUEUES
    # The crawl task is routed to the crawl queue, which only crawl-worker consumes.
    route = celery_app.amqp.router.route({}, "nianbao.crawl.site")
    assert route["queue"].name == CRAWL_QUEUE
    assert set(STAGE_CONSUMERS.values()) == QUEUES


def test_each_stage_consumes_its_own_queue() -> None:
    """One consumer per stage, consuming exactly that stage's queue, in compose and in k8s."""
    compose_queues = {
        name: option_value(as_argv(service.get("command")), "--queues")
        for name, service in compose_workers().items()
    }
    assert compose_queues == STAGE_CONSUMERS
    k8s_queues = {
        doc["metadata"]["name"]: option_value(
            as_argv(containers(doc)[0].get("command")) + as_argv(containers(doc)[0].get("args")),
            "--queues",
        )
        for doc in k8s_workers()
    }
    assert k8s_queues == STAGE_CONSUMERS


# --- Dockerfile --------------------------------------------------------------------------------


def pyproject() -> dict[str, Any]:
    with (ROOT / "pyproject.toml").open("rb") as handle:
        return tomllib.load(handle)


def test_dockerfile_copies_every_package() -> None:
    include = pyproject()["tool"]["setuptools"]["packages"]["find"]["include"]
    packages = {pattern.split(".")[0].rstrip("*") for pattern in include}
    assert packages, "no include patterns in [tool.setuptools.packages.find]"
    copied = {
        source.removeprefix("./").rstrip("/")
        for tokens in dockerfile_args("COPY")
        for source in [token for token in tokens if not token.startswith("--")][:-1]
    }
    for package in sorted(packages):
        assert (ROOT / package).is_dir(), f"package {package!r} is not in the repository"
        assert package in copied, f"Dockerfile does not COPY {package}/"
    assert "pyproject.toml" in copied
    readme = pyproject()["project"].get("readme")
    if isinstance(readme, str):
        assert readme in copied, f"pyproject's readme {readme} is not copied"


def test_dockerfile_base_user_and_install() -> None:
    (base,) = dockerfile_args("FROM")
    assert base[0] == "python:3.11-slim-bookworm"
    version = base[0].split(":")[1].split("-")[0]
    assert version in SpecifierSet(pyproject()["project"]["requires-python"])
    users = dockerfile_args("USER")
    assert users, "Dockerfile never switches away from root"
    user = users[-1][0].split(":")[0]
    assert user not in {"root", "0"}
    runs = [shlex.join(tokens) for tokens in dockerfile_args("RUN")]
    assert any(re.search(r"\bpip install (--no-deps )?\.(\s|$)", run) for run in runs)


LOCK = DEPLOY / "requirements.lock"


def locked_versions() -> dict[str, tuple[str, int]]:
    """name -> (pinned version, number of hashes) of every package in deploy/requirements.lock."""
    pins: dict[str, tuple[str, int]] = {}
    name = None
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        if match := re.match(r"^([A-Za-z0-9_.-]+)==([^ \\]+)", line):
            name = canonicalize_name(match[1])
            pins[name] = (match[2], 0)
        elif name and "--hash=sha256:" in line:
            version, hashes = pins[name]
            pins[name] = (version, hashes + 1)
    return pins


def test_the_image_installs_from_a_lock_file_that_satisfies_pyproject() -> None:
    """The image's dependencies are pinned with hashes; every project dependency is in the lock
    at a version its range allows (regenerate with `make lock` after changing pyproject.toml)."""
    pins = locked_versions()
    assert pins, f"no pins in {LOCK}"
    for spec in pyproject()["project"]["dependencies"]:
        requirement = Requirement(spec)
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement.name} is not in {LOCK.name}: run `make lock`"
        version, hashes = pins[name]
        assert requirement.specifier.contains(version, prereleases=True), (
            f"{LOCK.name} pins {requirement.name}=={version}, outside {requirement.specifier}: "
            "run `make lock`"
        )
        assert hashes, f"{requirement.name} has no hash in {LOCK.name}"
    copied = [" ".join(tokens) for tokens in dockerfile_args("COPY")]
    assert any("deploy/requirements.lock" in c for c in copied), "Dockerfile does not COPY the lock"
    runs = [shlex.join(tokens) for tokens in dockerfile_args("RUN")]
    assert any(re.search(r"pip install .*--require-hashes.*requirements\.lock", r) for r in runs)
    ignore = (DEPLOY / "Dockerfile.dockerignore").read_text(encoding="utf-8").splitlines()
    assert "!deploy/requirements.lock" in ignore, "the build context must keep the lock"


# --- graceful shutdown and start order ---------------------------------------------------------


def test_compose_grace_period_exceeds_task_time_limit() -> None:
    workers = compose_workers()
    assert set(WORKER_SERVICES) <= workers.keys()
    for name, service in workers.items():
        limit = max(DEFAULT_TIME_LIMIT, configured_time_limit(service_env(service)))
        grace = parse_duration(service.get("stop_grace_period", "10s"))  # Compose default: 10s
        assert grace > limit, f"{name}: stop_grace_period {grace}s <= task time limit {limit}s"


def test_k8s_grace_period_exceeds_task_time_limit() -> None:
    deployments = k8s_workers()
    assert {doc["metadata"]["name"] for doc in deployments} >= set(WORKER_SERVICES)
    for doc in deployments:
        spec = pod_spec(doc)
        grace = parse_duration(spec.get("terminationGracePeriodSeconds", 30))  # k8s default
        for container in containers(doc):
            limit = max(DEFAULT_TIME_LIMIT, configured_time_limit(k8s_container_env(container)))
            name = doc["metadata"]["name"]
            assert grace > limit, f"{name}: grace {grace}s <= task time limit {limit}s"


def test_compose_workers_wait_for_migrate() -> None:
    migrate = services()["migrate"]
    assert as_argv(migrate.get("command")) == ["nianbao", "db", "upgrade"]
    assert migrate.get("restart", "no") == "no"
    assert migrate["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert "pg_isready" in " ".join(healthcheck_argv(services()["postgres"]["healthcheck"]["test"]))
    for name, service in compose_workers().items():
        depends = service.get("depends_on")
        assert isinstance(depends, dict), f"{name}: depends_on must be the long form"
        assert depends.get("migrate", {}).get("condition") == "service_completed_successfully"
        # --scale needs replicas without fixed names or host ports.
        assert "container_name" not in service
        assert "ports" not in service


# --- Kubernetes --------------------------------------------------------------------------------


def test_k8s_deployments_are_consistent() -> None:
    deployments = k8s_kind("Deployment")
    assert {doc["metadata"]["name"] for doc in deployments} >= {*WORKER_SERVICES, "monitor"}
    for doc in deployments:
        name = doc["metadata"]["name"]
        selector = doc["spec"]["selector"]["matchLabels"]
        labels = doc["spec"]["template"]["metadata"]["labels"]
        assert selector.items() <= labels.items(), f"{name}: selector does not match its pods"
        assert labels.get("app.kubernetes.io/component") == name, f"{name}: component label"
        assert pod_spec(doc).get("securityContext", {}).get("runAsNonRoot") is True
        for container in containers(doc):
            assert "livenessProbe" in container, f"{name}: no liveness probe"
            assert container["securityContext"]["readOnlyRootFilesystem"] is True, name
            assert container["securityContext"]["allowPrivilegeEscalation"] is False, name
            resources = container["resources"]
            requests, limits = resources["requests"], resources["limits"]
            assert cpu_cores(requests["cpu"]) <= cpu_cores(limits["cpu"]) <= 2, name
            assert memory_bytes(requests["memory"]) <= memory_bytes(limits["memory"]), name


def test_k8s_migrate_job() -> None:
    jobs = k8s_kind("Job")
    assert jobs, "no migration Job"
    argvs = [
        as_argv(c.get("command")) + as_argv(c.get("args")) for job in jobs for c in containers(job)
    ]
    assert ["nianbao", "db", "upgrade"] in argvs
    for job in jobs:
        assert pod_spec(job)["restartPolicy"] in {"Never", "OnFailure"}


def test_k8s_secret_is_placeholders_only() -> None:
    for doc in k8s_kind("Secret"):
        values = {**doc.get("stringData", {}), **doc.get("data", {})}
        for key, value in values.items():
            if key == "NIANBAO_DATABASE_URL":
                assert make_url(value).password == "CHANGE-ME"
            elif key == "NIANBAO_BROKER_URL":
                assert urlsplit(value).password == "CHANGE-ME"
            else:
                assert value == "CHANGE-ME", f"Secret key {key} is not a placeholder"


BACKLOG_QUERY = re.compile(r'^sum\(nianbao_queue_backlog\{queue="(\w+)"\}\)$')


def test_keda_scales_each_stage_on_its_backlog() -> None:
    """Prometheus scaler on the exporter's waiting + unacked count of the worker's own queue."""
    deployments = {doc["metadata"]["name"]: doc for doc in k8s_workers()}
    scaled_queues = []
    for scaled in k8s_kind("ScaledObject"):
        target = scaled["spec"]["scaleTargetRef"]["name"]
        assert target in deployments, f"ScaledObject targets unknown Deployment {target!r}"
        container = containers(deployments[target])[0]
        queue = option_value(
            as_argv(container.get("command")) + as_argv(container.get("args")), "--queues"
        )
        for trigger in scaled["spec"]["triggers"]:
            assert trigger["type"] == "prometheus", f"{target}: scales on {trigger['type']}"
            match = BACKLOG_QUERY.match(trigger["metadata"]["query"])
            assert match, f"{target}: query is not sum(nianbao_queue_backlog{{queue=...}})"
            assert match.group(1) == queue, f"{target} consumes {queue}, scales on {match[1]}"
            assert float(trigger["metadata"]["threshold"]) > 0
            assert trigger["metadata"].get("ignoreNullValues") == "false"  # no data is no zero
            scaled_queues.append(queue)
        assert scaled["spec"].get("minReplicaCount", 0) >= 1
        assert scaled["spec"]["fallback"]["replicas"] >= 1
        grace = pod_spec(deployments[target])["terminationGracePeriodSeconds"]
        assert scaled["spec"]["cooldownPeriod"] > grace
    assert sorted(scaled_queues) == sorted(QUEUES)


# --- metrics: exporter, worker endpoints, dashboard, alerts -------------------------------------


def runs_exporter(argv: Argv) -> bool:
    return argv[:2] == ["nianbao", "exporter"]


def k8s_exporters() -> list[tuple[dict[str, Any], dict[str, Any]]]:
    return [
        (doc, container)
        for doc in k8s_kind("Deployment")
        for container in containers(doc)
        if runs_exporter(container_argv(container))
    ]


def cli_params(where: str, argv: Argv, command: str) -> dict[str, Any]:
    path, ctx = parse_or_fail(typer.main.get_command(nianbao_app), where, argv)
    assert path == [command], f"{where}: {shlex.join(argv)} is not `nianbao {command}`"
    return ctx.params


def test_k8s_exporter_reads_redis_with_the_workers_secret() -> None:
    exporters = k8s_exporters()
    assert len(exporters) == 1, "exactly one Deployment runs `nianbao exporter`"
    ((doc, container),) = exporters
    port = cli_params("k8s exporter", container_argv(container), "exporter")["port"]
    ports = {item.get("name"): item["containerPort"] for item in container["ports"]}
    assert ports.get("metrics") == port
    annotations = doc["spec"]["template"]["metadata"].get("annotations", {})
    assert annotations.get("prometheus.io/scrape") == "true"
    assert annotations.get("prometheus.io/port") == str(port)
    assert container["readinessProbe"]["httpGet"]["path"] == "/metrics"
    secret_refs = {s["secretRef"]["name"] for s in container.get("envFrom", []) if "secretRef" in s}
    for worker in k8s_workers():
        (worker_container,) = containers(worker)
        worker_refs = {
            s["secretRef"]["name"] for s in worker_container.get("envFrom", []) if "secretRef" in s
        }
        assert secret_refs == worker_refs, f"exporter and {worker['metadata']['name']} differ"
    secrets = {d["metadata"]["name"]: d for d in k8s_kind("Secret")}
    assert any("NIANBAO_BROKER_URL" in secrets[name].get("stringData", {}) for name in secret_refs)
    assert "NIANBAO_BROKER_URL" in k8s_container_env(container)


def test_k8s_workers_serve_their_metrics() -> None:
    for doc in k8s_workers():
        (container,) = containers(doc)
        name = doc["metadata"]["name"]
        port = cli_params(name, container_argv(container), "worker")["metrics_port"]
        assert port, f"{name}: no --metrics-port"
        annotations = doc["spec"]["template"]["metadata"].get("annotations", {})
        assert annotations.get("prometheus.io/port") == str(port), name
        assert port in {item["containerPort"] for item in container.get("ports", [])}, name


def test_compose_exporter() -> None:
    exporters = {n: s for n, s in services().items() if runs_exporter(service_argv(s))}
    assert list(exporters) == ["exporter"]
    service = exporters["exporter"]
    port = cli_params("compose exporter", service_argv(service), "exporter")["port"]
    assert port in compose_published_ports(service)
    assert f":{port}/metrics" in " ".join(healthcheck_argv(service["healthcheck"]["test"]))
    assert "NIANBAO_BROKER_URL" in service_env(service)


def _series_names(family: Any) -> set[str]:
    suffixes = {
        "counter": ("_total", "_created"),
        "histogram": ("_bucket", "_sum", "_count", "_created"),
        "gauge": ("",),
    }
    return {family.name + suffix for suffix in suffixes.get(family.type, ("",))}


@cache
def defined_metrics() -> frozenset[str]:
    """Every series name the code can serve, collected from its metric definitions."""
    from prometheus_client import CollectorRegistry

    from producers.metrics import CrawlCollector
    from workers.metrics import build
    from workers.queue_metrics import QueueCollector

    class NoCrawls:
        def counters(self) -> dict[str, Any]:
            return {}

    registry = CollectorRegistry(auto_describe=False)
    build(registry)
    families = [
        *registry.collect(),
        *CrawlCollector(NoCrawls()).collect(),  # type: ignore[arg-type]
        *QueueCollector(None, APP_QUEUES).describe(),
    ]
    return frozenset(name for family in families for name in _series_names(family))


def metric_names(expr: str) -> set[str]:
    return set(re.findall(r"\bnianbao_[a-z0-9_]+\b", expr))


def dashboard_exprs() -> list[str]:
    dashboard = json.loads(GRAFANA.read_text(encoding="utf-8"))
    return [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]


def alert_rules() -> list[dict[str, Any]]:
    (doc,) = load_yaml(ALERTS)
    return [rule for group in doc["groups"] for rule in group["rules"]]


def test_dashboard_panels_and_their_metrics_exist() -> None:
    dashboard = json.loads(GRAFANA.read_text(encoding="utf-8"))
    assert dashboard["uid"] and dashboard["panels"]
    exprs = dashboard_exprs()
    used = set().union(*(metric_names(expr) for expr in exprs))
    assert used - defined_metrics() == set()
    for needed in (
        "nianbao_queue_backlog",
        "nianbao_tasks_succeeded_total",
        "nianbao_task_duration_seconds_bucket",
        "nianbao_dedup_decisions_total",
        "nianbao_quarantine_pages",
        "nianbao_dead_letters_pending",
        "nianbao_crawl_last_success_timestamp_seconds",
    ):
        assert needed in used, f"the dashboard does not show {needed}"
    assert any("histogram_quantile(0.95" in expr for expr in exprs)
    assert any("histogram_quantile(0.5" in expr for expr in exprs)


def test_alert_rules_use_metrics_that_exist() -> None:
    rules = alert_rules()
    names = [rule["alert"] for rule in rules]
    assert len(names) == len(set(names))
    for rule in rules:
        assert rule["expr"].strip() and rule["annotations"]["summary"], rule["alert"]
        parse_duration(rule.get("for", "0s"))
        assert metric_names(rule["expr"]) - defined_metrics() == set(), rule["alert"]
    exprs = {rule["alert"]: rule["expr"] for rule in rules}
    assert "3 * 86400" in exprs["NianbaoSiteNoSuccess"]
    # it fires only once every kind of report of the previous year was due (governments last)
    from nianbao.core.coverage import due_date

    last_due = max(due_date(2024, government=g) for g in (False, True))
    assert f"month() >= {last_due.month + 1}" in exprs["NianbaoPreviousYearReportMissing"]
    assert "> 3600" in exprs["NianbaoQueueOldMessage"]
    assert "offset 1h" in exprs["NianbaoDeadLettersGrowing"]


def test_keda_queries_use_metrics_that_exist() -> None:
    for scaled in k8s_kind("ScaledObject"):
        for trigger in scaled["spec"]["triggers"]:
            assert metric_names(trigger["metadata"]["query"]) <= defined_metrics()


# --- the monitoring crawler: monitor, sites file, metrics ---------------------------------------


def runs_monitor(argv: Argv) -> bool:
    return argv[:2] == ["nianbao", "monitor"]


def service_argv(service: dict[str, Any]) -> Argv:
    return [
        interpolate(t) for t in as_argv(service.get("entrypoint")) + as_argv(service.get("command"))
    ]


def container_argv(container: dict[str, Any]) -> Argv:
    return as_argv(container.get("command")) + as_argv(container.get("args"))


def monitor_params(where: str, argv: Argv) -> dict[str, Any]:
    """The options `nianbao monitor` gets from argv, as the real CLI parses them."""
    path, ctx = parse_or_fail(typer.main.get_command(nianbao_app), where, argv)
    assert path == ["monitor"], f"{where}: {shlex.join(argv)} is not `nianbao monitor`"
    return ctx.params


def compose_monitors() -> dict[str, dict[str, Any]]:
    return {name: s for name, s in services().items() if runs_monitor(service_argv(s))}


def k8s_monitors() -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(Deployment, container) of every container running `nianbao monitor`."""
    return [
        (doc, container)
        for doc in k8s_kind("Deployment")
        for container in containers(doc)
        if runs_monitor(container_argv(container))
    ]


def sites_file_of(params: dict[str, Any], settings: Settings) -> PurePosixPath:
    """The sites file the monitor reads: --sites, else NIANBAO_SITES_FILE (else it cannot start)."""
    path = params.get("sites_file") or settings.sites_file
    assert path is not None, "the monitor has neither --sites nor NIANBAO_SITES_FILE"
    return PurePosixPath(str(path))


def compose_mounts(service: dict[str, Any]) -> list[tuple[str, PurePosixPath, bool]]:
    """(source, target, read_only) of a service's volumes, short or long syntax."""
    mounts = []
    for volume in service.get("volumes", []):
        if isinstance(volume, str):
            source, target, *mode = interpolate(volume).split(":")
            read_only = bool(mode) and "ro" in mode[0].split(",")
        else:
            source, target = interpolate(volume.get("source", "")), interpolate(volume["target"])
            read_only = bool(volume.get("read_only", False))
        mounts.append((source, PurePosixPath(target), read_only))
    return mounts


def compose_sites_source(name: str, service: dict[str, Any], path: PurePosixPath) -> Path:
    """The repository file compose bind-mounts (read-only) at path, or at a directory above it."""
    assert path.is_absolute(), f"{name}: sites file {path} is not an absolute container path"
    for source, target, read_only in sorted(
        compose_mounts(service), key=lambda mount: len(mount[1].parts), reverse=True
    ):
        if path == target or path.is_relative_to(target):
            assert read_only, f"{name}: the sites file mount {target} is not read-only"
            assert source.startswith((".", "/")), f"{name}: {source!r} is a named volume"
            # Relative bind-mount sources are relative to the compose file's directory.
            file = (DEPLOY / source / path.relative_to(target)).resolve()
            assert file.is_relative_to(ROOT), f"{name}: {file} is outside the repository"
            assert file.is_file(), f"{name}: mounts {file}, which is not in the repository"
            return file
    pytest.fail(f"{name}: nothing is mounted at the sites file path {path}")


def compose_published_ports(service: dict[str, Any]) -> set[int]:
    """Container ports a service publishes (short "[ip:]host:container[/proto]" or long form)."""
    ports = set()
    for item in service.get("ports", []):
        if isinstance(item, dict):
            ports.add(int(item["target"]))
        else:
            ports.add(int(str(item).split(":")[-1].split("/")[0]))
    return ports


def k8s_sites_config(
    doc: dict[str, Any], container: dict[str, Any], path: PurePosixPath
) -> tuple[str, str]:
    """(ConfigMap name, key) mounted read-only at path in the container."""
    name = doc["metadata"]["name"]
    volumes = {volume["name"]: volume for volume in pod_spec(doc).get("volumes", [])}
    mounts = sorted(
        container.get("volumeMounts", []),
        key=lambda mount: len(PurePosixPath(mount["mountPath"]).parts),
        reverse=True,
    )
    for mount in mounts:
        mount_path = PurePosixPath(mount["mountPath"])
        if "subPath" in mount:
            if path != mount_path:
                continue
            relative = mount["subPath"]
        elif path.is_relative_to(mount_path) and path != mount_path:
            relative = str(path.relative_to(mount_path))
        else:
            continue
        assert mount.get("readOnly") is True, f"{name}: sites file mount is not readOnly"
        volume = volumes.get(mount["name"])
        assert volume is not None, f"{name}: volumeMount {mount['name']!r} has no volume"
        assert "configMap" in volume, f"{name}: the sites file is not from a ConfigMap"
        items = volume["configMap"].get("items")
        if items:
            keys = {item["path"]: item["key"] for item in items}
            assert relative in keys, f"{name}: ConfigMap volume has no item at {relative}"
            return volume["configMap"]["name"], keys[relative]
        return volume["configMap"]["name"], relative
    pytest.fail(f"{name}: nothing is mounted at the sites file path {path}")


def same_sites(a: SitesFile, b: SitesFile) -> bool:
    return a.model_dump(mode="json") == b.model_dump(mode="json")


def test_sites_example_is_valid() -> None:
    sites = load_sites(SITES_EXAMPLE)
    assert len(sites.sites) >= 1
    assert len({site.id for site in sites.sites}) == len(sites.sites)


def test_compose_monitor() -> None:
    monitors = compose_monitors()
    assert list(monitors) == ["monitor"], "exactly one compose service runs `nianbao monitor`"
    service = monitors["monitor"]
    params = monitor_params("compose monitor", service_argv(service))
    port = params["metrics_port"]
    assert port, "the monitor serves no metrics (--metrics-port)"
    assert params["once"] is False, "a one-shot monitor would exit after the first tick"
    assert port in compose_published_ports(service), f"metrics port {port} is not published"
    assert service.get("deploy", {}).get("replicas", 1) == 1
    assert service.get("restart") in {"unless-stopped", "always"}
    assert service["depends_on"]["redis"]["condition"] == "service_healthy"
    health = " ".join(healthcheck_argv(service["healthcheck"]["test"]))
    assert f":{port}/metrics" in health, "the monitor's healthcheck does not ask its metrics port"


def test_compose_sites_file_is_mounted_and_valid() -> None:
    readers = {
        name: service
        for name, service in services().items()
        if "NIANBAO_SITES_FILE" in service_env(service) or runs_monitor(service_argv(service))
    }
    assert {"monitor", "cli"} <= readers.keys()
    for name, service in readers.items():
        settings = settings_from(service_env(service))
        params = monitor_params(name, service_argv(service)) if name in compose_monitors() else {}
        path = sites_file_of(params, settings)
        file = compose_sites_source(name, service, path)
        assert path.suffix == file.suffix, f"{name}: {path} and {file} differ in format"
        assert load_sites(file).sites, f"{name}: {file} lists no sites"


def test_k8s_monitor() -> None:
    monitors = k8s_monitors()
    assert len(monitors) == 1, "exactly one Deployment container runs `nianbao monitor`"
    ((doc, container),) = monitors
    name = doc["metadata"]["name"]
    assert doc["spec"].get("replicas", 1) == 1
    params = monitor_params(f"k8s Deployment/{name}", container_argv(container))
    port = params["metrics_port"]
    assert port, "the monitor serves no metrics (--metrics-port)"
    assert params["once"] is False
    container_ports = {item.get("name"): item["containerPort"] for item in container["ports"]}
    assert container_ports.get("metrics") == port, "no containerPort named metrics = metrics port"
    template = doc["spec"]["template"]["metadata"]
    annotations = template.get("annotations", {})
    assert annotations.get("prometheus.io/scrape") == "true"
    assert annotations.get("prometheus.io/port") == str(port)
    assert annotations.get("prometheus.io/path", "/metrics") == "/metrics"
    for probe in ("readinessProbe", "livenessProbe"):
        handler = container[probe].get("httpGet") or container[probe].get("tcpSocket")
        assert handler is not None, f"{name}: {probe} is neither httpGet nor tcpSocket"
        assert handler["port"] in {port, "metrics"}, f"{name}: {probe} is not on the metrics port"
    assert container["readinessProbe"]["httpGet"]["path"] == "/metrics"


def test_k8s_metrics_services_each_select_one_server() -> None:
    """The monitor's and the exporter's Services select their own Deployment and nothing else."""
    ((monitor, _),) = k8s_monitors()
    ((exporter, _),) = k8s_exporters()
    pods = {
        doc["metadata"]["name"]: doc["spec"]["template"]["metadata"]["labels"]
        for doc in k8s_kind("Deployment")
    }
    metrics_services = [
        svc
        for svc in k8s_kind("Service")
        if any(
            p.get("name") == "metrics" or p.get("targetPort") == "metrics"
            for p in svc["spec"]["ports"]
        )
    ]
    served = []
    for svc in metrics_services:
        selector = svc["spec"]["selector"]
        selected = [name for name, labels in pods.items() if selector.items() <= labels.items()]
        assert len(selected) == 1, f"{svc['metadata']['name']}: {selected}"
        served += selected
    assert sorted(served) == sorted([monitor["metadata"]["name"], exporter["metadata"]["name"]])


def test_k8s_sites_file_comes_from_the_configmap(tmp_path: Path) -> None:
    config_maps = {doc["metadata"]["name"]: doc for doc in k8s_kind("ConfigMap")}
    ((doc, container),) = k8s_monitors()
    settings = settings_from(k8s_container_env(container))
    params = monitor_params("k8s monitor", container_argv(container))
    path = sites_file_of(params, settings)
    config_name, key = k8s_sites_config(doc, container, path)
    assert config_name in config_maps, f"ConfigMap {config_name!r} is not in deploy/k8s/"
    data = config_maps[config_name].get("data", {})
    assert key in data, f"ConfigMap {config_name!r} has no key {key!r}"
    # The pod sees the key's value as the file at `path`: load it exactly so.
    file = tmp_path / path.name
    file.write_text(data[key], encoding="utf-8")
    sites = load_sites(file)
    assert same_sites(sites, load_sites(SITES_EXAMPLE)), (
        f"ConfigMap {config_name} does not list the sites of {SITES_EXAMPLE.name}; "
        "regenerate it from the example (see the comment at the top of sites-configmap.yaml)"
    )
    # Keys of a ConfigMap used as a volume must not leak into the environment of every pod.
    for workload in workloads():
        for c in containers(workload):
            refs = [s["configMapRef"]["name"] for s in c.get("envFrom", []) if "configMapRef" in s]
            assert config_name not in refs, f"{workload['metadata']['name']} loads it as env"


def test_sites_file_setting_is_set_in_compose_and_k8s() -> None:
    where = deploy_env_vars().get("NIANBAO_SITES_FILE", set())
    assert any(w.startswith("compose") for w in where)
    assert any(w.startswith("k8s") for w in where)


# --- documented operator commands ---------------------------------------------------------------


def documented_cli_commands() -> list[tuple[str, Argv]]:
    """`docker compose ... run --rm cli ARGS` in the compose comments and deploy/README.md."""
    found = []
    for path in (COMPOSE, README):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if match := re.search(r"\bdocker compose -f \S+ run --rm cli\b([^`]*)", line):
                args = shlex.split(match.group(1), comments=True)
                found.append((f"{path.name}:{number}", ["nianbao", *(args or ["status"])]))
    return found


DOCUMENTED_COMMANDS = documented_cli_commands()


def test_documented_commands_were_found() -> None:
    argvs = [argv for _, argv in DOCUMENTED_COMMANDS]
    assert ["nianbao", "crawl", "SITE_ID", "--once"] in argvs
    assert ["nianbao", "status"] in argvs
    wheres = {where.split(":")[0] for where, _ in DOCUMENTED_COMMANDS}
    assert wheres == {COMPOSE.name, README.name}


@pytest.mark.parametrize(
    ("where", "argv"), DOCUMENTED_COMMANDS, ids=[where for where, _ in DOCUMENTED_COMMANDS]
)
def test_documented_cli_command_parses(where: str, argv: Argv) -> None:
    path, _ = parse_or_fail(typer.main.get_command(nianbao_app), where, argv)
    assert path, f"{where}: `{shlex.join(argv)}` names no subcommand"
