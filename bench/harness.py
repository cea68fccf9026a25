"""What every benchmark case shares: the machine it ran on, medians and spreads, percentiles,
the load of the machine, and the resident memory of a process.

The machines are shared and noisy, so a figure is never one number: each case runs
after a warm-up, several times, and reports its median, minimum and maximum, with
the load average seen during the runs.
"""

from __future__ import annotations

import importlib.metadata
import os
import platform
import statistics
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

KAFKA_VERSION = "3.9.1"
LIBRARIES = (
    "faust-streaming",
    "aiokafka",
    "kafka-python",
    "confluent-kafka",
    "fastapi",
    "uvicorn",
    "httptools",
    "aiohttp",
    "pydantic",
    "pydantic-core",
    "structlog",
    "orjson",
    "httpx",
)


def _version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def machine() -> dict[str, Any]:
    """What this ran on: cores, memory, Python, Kafka, the libraries, the load when it started."""
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    try:
        import confluent_kafka

        librdkafka = confluent_kafka.libversion()[0]
    except ImportError:
        librdkafka = "not installed"
    return {
        "cores": os.cpu_count(),
        "memory_gib": round(memory, 1),
        "cpu": _cpu_model(),
        "python": platform.python_version(),
        "kafka": KAFKA_VERSION,
        "libraries": {name: _version(name) for name in LIBRARIES} | {"librdkafka": librdkafka},
        "load_at_start": load(),
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def load() -> list[float]:
    """The 1, 5 and 15-minute load averages (2 cores: above 2 means processes wait for a core)."""
    return [round(x, 2) for x in os.getloadavg()]


def spread(values: Sequence[float], digits: int = 2) -> dict[str, Any]:
    """Median, minimum and maximum of the runs, and the runs themselves."""
    return {
        "median": round(statistics.median(values), digits),
        "min": round(min(values), digits),
        "max": round(max(values), digits),
        "runs": [round(v, digits) for v in values],
    }


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q`` quantile (0–1) of ``values``, nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def cpu_s(pid: int) -> float:
    """CPU time (user + system, every thread) a process has used so far, in seconds.

    Unlike a rate, it barely depends on what else runs on the machine: it is the
    cost of the work, where throughput is that cost plus the wait for a core.
    """
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mib(pid: int) -> float:
    """Resident memory of a process (VmRSS in /proc/<pid>/status), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    raise ValueError(f"no VmRSS for pid {pid}")
