"""The Docker set-up (infra/docker-compose.yml and infra/Dockerfile) agrees with the project.

No Docker is needed: the compose file is read with PyYAML, and every module a
container would run with ``python -m`` is found in the sources and read with
``ast``, never imported, so a typo in a command fails here instead of in a
container that restarts forever.
"""

from __future__ import annotations

import ast
import json
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
COMPOSE_FILE = REPO / "infra" / "docker-compose.yml"
DOCKERFILE = REPO / "infra" / "Dockerfile"


def _compose() -> dict[str, Any]:
    loaded: Any = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict), f"{COMPOSE_FILE} is not a YAML mapping"
    return loaded


def _services() -> dict[str, dict[str, Any]]:
    services: Any = _compose().get("services")
    assert isinstance(services, dict), f"{COMPOSE_FILE} has no services mapping"
    assert services, f"{COMPOSE_FILE} defines no services"
    return services


def _argv(command: Any) -> list[str]:
    """A compose command or healthcheck test as an argument list (CMD / CMD-SHELL prefix dropped)."""
    if command is None:
        return []
    argv = shlex.split(command) if isinstance(command, str) else [str(part) for part in command]
    if argv and argv[0] in {"CMD", "CMD-SHELL"}:
        rest = argv[1:]
        return shlex.split(rest[0]) if argv[0] == "CMD-SHELL" and len(rest) == 1 else rest
    return argv


def _python_module(argv: list[str]) -> str | None:
    """``X`` when the arguments are ``python -m X ...``, otherwise None."""
    if len(argv) >= 3 and Path(argv[0]).name.startswith("python") and argv[1] == "-m":
        return argv[2]
    return None


def _module_file(module: str) -> Path | None:
    """The source file ``python -m module`` would run from the repository, if there is one."""
    base = REPO.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__main__.py"):
        if candidate.is_file():
            return candidate
    return None


def _is_runnable(source: Path) -> bool:
    """Whether the file defines ``main`` or has an ``if __name__ == "__main__":`` block."""
    tree = ast.parse(source.read_text(encoding="utf-8"), filename=str(source))
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == "main":
            return True
        if isinstance(node, ast.If) and _is_main_guard(node.test):
            return True
    return False


def _is_main_guard(test: ast.expr) -> bool:
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Eq)):
        return False
    sides = [test.left, test.comparators[0]]
    has_name = any(isinstance(side, ast.Name) and side.id == "__name__" for side in sides)
    has_main = any(isinstance(side, ast.Constant) and side.value == "__main__" for side in sides)
    return has_name and has_main


def _assert_runs_in_the_project(module: str, where: str) -> None:
    source = _module_file(module)
    relative = module.replace(".", "/")
    assert source is not None, (
        f"{where} runs `python -m {module}`, but neither {relative}.py nor {relative}/__main__.py exists"
    )
    assert _is_runnable(source), (
        f"{where} runs `python -m {module}`, but {source.relative_to(REPO)} defines no main() "
        'and has no `if __name__ == "__main__":` block'
    )


def _python_commands() -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for name, service in sorted(_services().items()):
        module = _python_module(_argv(service.get("command")))
        if module is not None:
            found.append((name, module))
    return found


def _python_healthchecks() -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for name, service in sorted(_services().items()):
        module = _python_module(_argv((service.get("healthcheck") or {}).get("test")))
        if module is not None:
            found.append((name, module))
    return found


def _dockerfile_copy_sources() -> set[str]:
    """Every source path of every COPY instruction, normalised without ./ or a trailing /."""
    text = DOCKERFILE.read_text(encoding="utf-8").replace("\\\n", " ")
    sources: set[str] = set()
    for line in text.splitlines():
        instruction, _, arguments = line.strip().partition(" ")
        if instruction.upper() != "COPY":
            continue
        arguments = arguments.strip()
        parts: list[str] = json.loads(arguments) if arguments.startswith("[") else shlex.split(arguments)
        paths = [part for part in parts if not part.startswith("--")]
        sources.update(path.removeprefix("./").rstrip("/") for path in paths[:-1])
    return sources


def test_the_compose_file_declares_every_concerto_process() -> None:
    assert {
        "kafka",
        "mailpit",
        "partners-api",
        "events-api",
        "events-worker",
        "matching-api",
        "matching-worker",
        "notifications-worker",
        "web",
    } <= set(_services())


@pytest.mark.parametrize("name", ["events-worker", "matching-worker", "notifications-worker"])
def test_a_worker_that_exits_by_itself_is_started_again(name: str) -> None:
    # The stall watchdog (services/common/watchdog.py) exits with status 75 and counts on this.
    assert _services()[name].get("restart") == "unless-stopped"


@pytest.mark.parametrize("name", sorted(_services()))
def test_every_compose_service_says_when_it_is_healthy(name: str) -> None:
    healthcheck = _services()[name].get("healthcheck")
    assert isinstance(healthcheck, dict), f"{name} has no healthcheck"
    assert not healthcheck.get("disable", False), f"{name} disables its healthcheck"
    assert _argv(healthcheck.get("test")), f"{name}'s healthcheck has no test command"


def test_the_broker_is_apache_kafka_3_9() -> None:
    image = str(_services()["kafka"].get("image", ""))
    assert image.startswith("apache/kafka:3.9"), f"kafka runs {image!r}, not apache/kafka 3.9"


@pytest.mark.parametrize(("name", "module"), _python_commands())
def test_every_compose_process_runs_a_command_that_exists_in_the_project(name: str, module: str) -> None:
    _assert_runs_in_the_project(module, f"compose service {name}")


@pytest.mark.parametrize(("name", "module"), _python_healthchecks())
def test_every_python_healthcheck_runs_a_module_that_exists_in_the_project(name: str, module: str) -> None:
    _assert_runs_in_the_project(module, f"the healthcheck of {name}")


def test_every_concerto_process_is_built_from_the_project_dockerfile() -> None:
    for name, service in _services().items():
        build = service.get("build")
        if build is None:
            continue
        context = COMPOSE_FILE.parent / str(build.get("context", "."))
        dockerfile = context / str(build.get("dockerfile", "Dockerfile"))
        assert dockerfile.resolve() == DOCKERFILE, f"{name} builds from {dockerfile}, not {DOCKERFILE}"
        assert context.resolve() == REPO, f"{name} builds with context {context.resolve()}, not the repo root"


def test_the_image_carries_the_services_and_the_tools() -> None:
    sources = _dockerfile_copy_sources()
    missing = {"services", "tools"} - sources
    assert not missing, (
        f"{DOCKERFILE.relative_to(REPO)} never copies {sorted(missing)} (copies {sorted(sources)})"
    )
