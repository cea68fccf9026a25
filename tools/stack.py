"""The local stack: a real Kafka broker, an SMTP sink and every Concerto process, without Docker.

    python -m tools.stack up       # start everything, wait until ready, print the URLs
    python -m tools.stack status   # what runs, by pid
    python -m tools.stack down     # stop exactly the processes this stack started

Each process logs to <var>/log/<name>.log (JSON lines) and its pid is kept in
<var>/run/<name>.pid, so ``down`` stops those processes and nothing else. The
demo and the end-to-end tests drive the same ``Stack`` from Python.

While the Python process that started them lives (the tests, ``make demo``), a
Concerto process that exits by itself (a crash, or a worker's stall watchdog:
exit status 75) is started again, like docker compose's ``restart:
unless-stopped``: each restart is logged in <var>/log/supervisor.log with its
exit status and the process's restart count (``Stack.restarts``). A process
stopped through ``stop`` or ``down`` is not restarted.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

import httpx
import typer
from rich.console import Console
from rich.table import Table

from services.common.clock import OFFSET_ENV, default_clock
from services.common.kafka import register_credentials
from services.common.principals import ADMIN, PRINCIPALS, PROVISIONER
from services.common.settings import KafkaSettings

ROOT = Path(__file__).resolve().parents[1]
KAFKA_SCRIPT = ROOT / "infra" / "kafka" / "kafka.sh"


@dataclass(frozen=True)
class Process:
    """One Concerto process: its name, module, and HTTP port offset (APIs only)."""

    name: str
    module: str
    port_offset: int | None = None

    @property
    def is_api(self) -> bool:
        return self.port_offset is not None


PROCESSES: tuple[Process, ...] = (
    Process("partners-api", "services.partners.api", 1),
    Process("events-api", "services.events.api", 2),
    Process("matching-api", "services.matching.api", 3),
    Process("events-worker", "services.events.worker"),
    Process("matching-worker", "services.matching.worker"),
    Process("notifications-worker", "services.notifications.worker"),
    Process("web", "services.web.app", 4),
)
WEB = PROCESSES[-1]
MATCHING_API = PROCESSES[2]


@dataclass
class StackConfig:
    """Where the stack keeps its state and which ports it uses (all on 127.0.0.1)."""

    var: Path = ROOT / "var"
    kafka_port: int = 19092
    smtp_port: int = 1025
    http_base: int = 8000
    max_activities_per_day: int = 3
    extra_env: dict[str, str] = field(default_factory=dict)
    # Every process of the stack shares one clock: the real one, or the one CONCERTO_TODAY or
    # CONCERTO_NOW pins, resolved once here (services/common/clock.py).
    clock_offset_s: float = field(default_factory=lambda: default_clock().offset.total_seconds())

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.kafka_port}"

    @property
    def mail_dir(self) -> Path:
        return self.var / "mail"

    @property
    def secrets_dir(self) -> Path:
        """This stack's generated passwords, one file each (mode 0600), made on first use."""
        return self.var / "secrets"

    @property
    def ca_file(self) -> Path:
        """The CA that signed the broker's certificate (made by kafka.sh on its first start)."""
        return self.var / "kafka" / "tls" / "ca.pem"

    def password_file(self, principal: str) -> Path:
        """The file holding ``principal``'s password, generated the first time it is asked for."""
        path = self.secrets_dir / principal
        if not path.exists():
            self.secrets_dir.mkdir(parents=True, exist_ok=True)
            self.secrets_dir.chmod(0o700)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as out:
                out.write(secrets.token_urlsafe(24))
        return path

    def password(self, principal: str) -> str:
        return self.password_file(principal).read_text().strip()

    def kafka_settings(self, principal: str = ADMIN) -> KafkaSettings:
        """How ``principal`` (the admin by default: tests, tools) reaches this stack's broker."""
        return KafkaSettings(
            bootstrap_servers=self.bootstrap,
            username=principal,
            password_file=str(self.password_file(principal)),
            ca_file=str(self.ca_file),
        )

    def kafka_env(self, process: str) -> dict[str, str]:
        """The broker credentials of one process (none for a process without a principal: the web);
        ``ADMIN``'s for a test's or a tool's own process."""
        if process != ADMIN and process not in {who.name for who in PRINCIPALS}:
            return {}
        return {
            "CONCERTO_KAFKA__USERNAME": process,
            "CONCERTO_KAFKA__PASSWORD_FILE": str(self.password_file(process)),
            "CONCERTO_KAFKA__CA_FILE": str(self.ca_file),
        }

    def provisioner_env(self, process: str) -> dict[str, str]:
        """partners-api also holds the provisioner's credentials (partners' stream credentials)."""
        if process != "partners-api":
            return {}
        return {
            "CONCERTO_PROVISIONER__USERNAME": PROVISIONER,
            "CONCERTO_PROVISIONER__PASSWORD_FILE": str(self.password_file(PROVISIONER)),
        }

    def url(self, process: Process) -> str:
        assert process.port_offset is not None
        return f"http://127.0.0.1:{self.http_base + process.port_offset}"

    def env(self) -> dict[str, str]:
        """The environment every process gets."""
        return {
            **os.environ,
            "CONCERTO_ENVIRONMENT": "development",
            "CONCERTO_KAFKA__BOOTSTRAP_SERVERS": self.bootstrap,
            "CONCERTO_SMTP__HOST": "127.0.0.1",
            "CONCERTO_SMTP__PORT": str(self.smtp_port),
            "CONCERTO_LOG_FORMAT": "json",
            "CONCERTO_DATA_DIR": str(self.var / "data"),
            "CONCERTO_MAX_ACTIVITIES_PER_DAY": str(self.max_activities_per_day),
            "PYTHONUNBUFFERED": "1",
            OFFSET_ENV: repr(self.clock_offset_s),
            # The web calls matching-api for its users and writes its own address in the links it emails.
            "CONCERTO_WEB__MATCHING_URL": self.url(MATCHING_API),
            "CONCERTO_WEB__PUBLIC_URL": self.url(WEB),
            **self.extra_env,
        }


class StackError(RuntimeError):
    """A part of the stack did not start."""


class Stack:
    """Starts and stops the broker, the SMTP sink and the processes of one ``StackConfig``."""

    def __init__(self, config: StackConfig) -> None:
        self.config = config
        self.log_dir = config.var / "log"
        self.run_dir = config.var / "run"
        # Processes started by this object: kept so they are reaped, not left as zombies.
        self._children: dict[str, subprocess.Popen[bytes]] = {}
        self._log_start: dict[str, int] = {}
        # Supervision: how to start again each process that must keep running, and how often it was.
        self._supervised: dict[str, tuple[list[str], dict[str, str]]] = {}
        self.restarts: dict[str, int] = {}
        self._lock = threading.RLock()
        self._supervisor: threading.Thread | None = None
        self._closing = threading.Event()
        # This process (tests, tools) reaches the broker as the admin when given only its address.
        register_credentials(config.kafka_settings())

    # -- broker --------------------------------------------------------------------

    def broker(self, action: str) -> str:
        """Run ``infra/kafka/kafka.sh <action>`` for this stack's broker; return what it said."""
        env = {
            **os.environ,
            "KAFKA_PORT": str(self.config.kafka_port),
            "KAFKA_DATA_DIR": str(self.config.var / "kafka"),
            "KAFKA_ADMIN_USER": ADMIN,
            "KAFKA_ADMIN_PASSWORD": self.config.password(ADMIN),
            "KAFKA_BROKER_PASSWORD": self.config.password("broker"),
        }
        result = subprocess.run(
            [str(KAFKA_SCRIPT), action], env=env, check=False, capture_output=True, text=True
        )
        if result.returncode != 0 and action != "status":
            raise StackError(f"kafka.sh {action} failed (exit {result.returncode}): {result.stderr.strip()}")
        if action == "start":
            self.provision()
        return (result.stdout + result.stderr).strip()

    def provision(self) -> None:
        """Every process's principal and ACLs, and the registry's topics, with the admin principal."""
        from services.common.provisioning import provision

        config = self.config
        provision(config.kafka_settings(), {who.name: config.password(who.name) for who in PRINCIPALS})

    # -- processes ---------------------------------------------------------------

    def start(self, name: str, argv: list[str], env: dict[str, str], supervise: bool = False) -> int:
        """Start one process in the background, logging to <var>/log/<name>.log.

        With ``supervise``, the process is started again whenever it exits by itself.
        """
        with self._lock:
            pid = self._start(name, argv, env)
            if supervise:
                self._supervised[name] = (argv, env)
                self._ensure_supervisor()
            return pid

    def _start(self, name: str, argv: list[str], env: dict[str, str]) -> int:
        if "CONCERTO_KAFKA__USERNAME" not in env:
            # A Concerto process started by hand (a test's second worker): its own principal.
            process = next((p for p in PROCESSES if p.module in argv), None)
            env = {**env, **(self.config.kafka_env(process.name) if process else {})}
            env.update(self.config.provisioner_env(process.name) if process else {})
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.run_dir.mkdir(parents=True, exist_ok=True)
        if self.pid(name) is not None:
            raise StackError(f"{name} already runs (pid {self.pid(name)})")
        log_path = self.log_path(name)
        # Readiness is read in what this run logs, after what earlier runs left.
        self._log_start[name] = log_path.stat().st_size if log_path.exists() else 0
        with log_path.open("ab") as log:
            proc = subprocess.Popen(
                argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        (self.run_dir / f"{name}.pid").write_text(str(proc.pid))
        self._children[name] = proc
        return proc.pid

    def start_mailsink(self) -> None:
        """Start the SMTP sink that writes every message to <var>/mail."""
        argv = [sys.executable, "-m", "tools.mailsink", "--port", str(self.config.smtp_port)]
        argv += ["--directory", str(self.config.mail_dir)]
        self.start("mailsink", argv, self.config.env())
        _wait(lambda: _port_open(self.config.smtp_port), 20, "the SMTP sink")

    def start_services(self, processes: Iterable[Process] = PROCESSES) -> None:
        """Start Concerto's processes, then wait until each is ready."""
        chosen = list(processes)
        for process in chosen:
            env = {**self.config.env(), **self.config.kafka_env(process.name)}
            env.update(self.config.provisioner_env(process.name))
            if process.port_offset is not None:
                env["CONCERTO_HTTP_PORT"] = str(self.config.http_base + process.port_offset)
            self.start(process.name, [sys.executable, "-m", process.module], env, supervise=True)
        for process in chosen:
            self.wait_ready(process)

    def wait_ready(self, process: Process, timeout: float = 90) -> None:
        """APIs: /health answers 200. Workers: faust says 'Worker ready' in the log."""
        if process.is_api:
            url = self.config.url(process) + "/health"
            _wait(lambda: _healthy(url), timeout, process.name, str(self.log_path(process.name)))
        else:
            log = self.log_path(process.name)
            start = self._log_start.get(process.name, 0)
            _wait(lambda: b"Worker ready" in log.read_bytes()[start:], timeout, process.name, str(log))

    def pid(self, name: str) -> int | None:
        """The pid of a process this stack started, if it still runs."""
        path = self.run_dir / f"{name}.pid"
        if not path.exists():
            return None
        pid = int(path.read_text())
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            path.unlink(missing_ok=True)
            return None
        return pid

    def stop(self, name: str, sig: signal.Signals = signal.SIGTERM, timeout: float = 20) -> None:
        """Stop one process (its whole session) by the id recorded when it started; it stays stopped."""
        with self._lock:
            self._supervised.pop(name, None)
            self._stop(name, sig, timeout)

    def _stop(self, name: str, sig: signal.Signals, timeout: float) -> None:
        pid = self.pid(name)
        if pid is None:
            self._children.pop(name, None)
            return
        _signal_group(pid, sig)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and _alive(pid):
            time.sleep(0.1)
        if _alive(pid):
            _signal_group(pid, signal.SIGKILL)
        child = self._children.pop(name, None)
        if child is not None:
            child.wait(timeout=10)
        (self.run_dir / f"{name}.pid").unlink(missing_ok=True)

    def running(self) -> dict[str, int]:
        """Every process of this stack that runs, by name."""
        if not self.run_dir.exists():
            return {}
        names = sorted(p.stem for p in self.run_dir.glob("*.pid"))
        return {name: pid for name in names if (pid := self.pid(name)) is not None}

    def up(self) -> None:
        """Broker, SMTP sink, every process."""
        self.broker("start")
        if self.pid("mailsink") is None:
            self.start_mailsink()
        self.start_services([p for p in PROCESSES if self.pid(p.name) is None])

    def _ensure_supervisor(self) -> None:
        if self._supervisor is None or not self._supervisor.is_alive():
            self._closing.clear()
            self._supervisor = threading.Thread(target=self._supervise, name="stack-supervisor", daemon=True)
            self._supervisor.start()

    def _supervise(self) -> None:
        """Start again each supervised process that exited by itself, backing off when it keeps exiting."""
        recent: dict[str, list[float]] = {}
        while not self._closing.wait(0.5):
            with self._lock:
                for name, (argv, env) in list(self._supervised.items()):
                    child = self._children.get(name)
                    status = child.poll() if child is not None else None
                    if child is None or status is None:
                        continue
                    now = time.monotonic()
                    times = [t for t in recent.get(name, []) if now - t < 60]
                    if len(times) >= 3 and now - times[-1] < min(30.0, 2.0 ** len(times)):
                        continue  # crash loop: wait before the next attempt
                    self._children.pop(name, None)
                    self.restarts[name] = self.restarts.get(name, 0) + 1
                    recent[name] = [*times, now]
                    self._log_supervision(name, status, self.restarts[name])
                    self._start(name, argv, env)

    def _log_supervision(self, name: str, status: int, restarts: int) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        line = {
            "event": "process.restarted",
            "process": name,
            "exit_status": status,
            "restarts": restarts,
            "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        }
        with (self.log_dir / "supervisor.log").open("a") as out:
            out.write(json.dumps(line) + "\n")
        sys.stderr.write(f"stack: {name} exited with status {status}; restarted ({restarts} so far)\n")

    def down(self) -> None:
        """Stop every process, then the broker."""
        self._closing.set()
        for name in self.running():
            self.stop(name)
        self.broker("stop")

    def log_path(self, name: str) -> Path:
        """Where a process of this stack logs."""
        return self.log_dir / f"{name}.log"


def _signal_group(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, sig)


def _alive(pid: int) -> bool:
    try:
        waited, _ = os.waitpid(pid, os.WNOHANG)
        if waited == pid:
            return False
    except ChildProcessError:
        pass  # not our child (started by another `make up`): ask the kernel below
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def free_ports(start: int, width: int) -> int:
    """The first port from ``start`` such that ``width`` consecutive ports are free (step ``width``)."""
    port = start
    while not all(_port_free(port + i) for i in range(width)):
        port += width
    return port


def _port_free(port: int) -> bool:
    """Whether a server could bind ``port`` now: nothing listens on it and no connection uses it
    as its local port (a port of the ephemeral range may be one's)."""
    import socket

    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def _port_open(port: int) -> bool:
    import socket

    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _healthy(url: str) -> bool:
    try:
        return httpx.get(url, timeout=3).status_code == 200
    except httpx.HTTPError:
        return False


def _wait(ready: Callable[[], bool], timeout: float, what: str, log: str | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if ready():
                return
        except FileNotFoundError:
            pass
        time.sleep(0.25)
    hint = f"; see {log}" if log else ""
    raise StackError(f"{what} was not ready after {timeout:.0f}s{hint}")


cli = typer.Typer(add_completion=False, help=__doc__)
console = Console()
VarOption = Annotated[Path, typer.Option(help="Where the stack keeps its state.")]


@cli.command()
def up(var: VarOption = ROOT / "var") -> None:
    """Start the broker, the SMTP sink and every process; print the URLs."""
    config = StackConfig(var=var)
    stack = Stack(config)
    try:
        stack.up()
    except StackError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc
    console.print(urls(config))
    console.print("Stop it with [bold]make down[/bold].")


def urls(config: StackConfig) -> Table:
    """Where a running stack answers: each API's interactive docs, Kafka, the emails, the logs."""
    table = Table(title="Concerto is running")
    table.add_column("what")
    table.add_column("where")
    table.add_row("web (people and staff sign in here)", config.url(WEB))
    for process in PROCESSES:
        if process.is_api and process is not WEB:
            table.add_row(f"{process.name} docs", config.url(process) + "/docs")
    table.add_row("Kafka", config.bootstrap)
    table.add_row("emails (SMTP sink, one .eml each)", f"127.0.0.1:{config.smtp_port} → {config.mail_dir}")
    table.add_row("logs", str(config.var / "log"))
    return table


@cli.command()
def down(var: VarOption = ROOT / "var") -> None:
    """Stop exactly the processes `up` started, then the broker."""
    Stack(StackConfig(var=var)).down()
    console.print("Concerto stopped.")


@cli.command()
def status(var: VarOption = ROOT / "var") -> None:
    """What runs, by pid."""
    stack = Stack(StackConfig(var=var))
    for name, pid in stack.running().items():
        console.print(f"{name:22} pid {pid}")
    console.print(f"kafka: {stack.broker('status')}")


if __name__ == "__main__":
    cli()
