"""Where the matching worker's time goes at saturation: py-spy samples the running worker while
interests are sent at full speed, then this prints the functions that take the most time.

    python -m bench.profile [--count 20000] [--process matching-worker|matching-api] [--ports BASE]

Not part of ``make bench`` (sampling slows the process a little). It starts its own
broker and the process on var/bench-profile; the raw stacks (collapsed format,
readable by speedscope or flamegraph.pl) are left in var/bench-profile/<process>.txt.
"""

from __future__ import annotations

import argparse
import collections
import shutil
import subprocess
import sys
import time
from pathlib import Path

from rich.console import Console

from tools.stack import PROCESSES, ROOT, Stack, StackConfig

from .intake import intake_run
from .pipeline import saturation
from .workload import publish_catalogue, records


def config(ports: int | None) -> StackConfig:
    """Its own ports (Kafka 19392, SMTP 1325, APIs 8301–8303), or from ``ports`` as in ``python -m bench``."""
    var = ROOT / "var" / "bench-profile"
    if ports is None:
        return StackConfig(var=var, kafka_port=19392, smtp_port=1325, http_base=8300)
    return StackConfig(var=var, kafka_port=ports + 92, smtp_port=ports + 25, http_base=ports)


console = Console()


def summarize(collapsed: Path, top: int = 25) -> None:
    """Print the functions with the most samples: on the stack (inclusive) and at its top (self)."""
    inclusive: collections.Counter[str] = collections.Counter()
    own: collections.Counter[str] = collections.Counter()
    total = 0
    for line in collapsed.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        frames = stack.split(";")
        samples = int(count)
        total += samples
        for frame in set(frames):
            inclusive[frame] += samples
        own[frames[-1]] += samples
    console.print(f"{total} samples")
    for title, counter in (("inclusive", inclusive), ("self", own)):
        console.print(f"[bold]{title}[/bold]")
        for frame, samples in counter.most_common(top):
            console.print(f"{100 * samples / total:5.1f} %  {frame}")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__)
    parser.add_argument("--count", type=int, default=20_000)
    parser.add_argument("--gil", action="store_true", help="sample only the thread holding the GIL")
    parser.add_argument("--process", default="matching-worker", choices=["matching-worker", "matching-api"])
    parser.add_argument("--ports", type=int, default=None, help="base of the ports (see python -m bench)")
    args = parser.parse_args()
    cfg = config(args.ports)
    shutil.rmtree(cfg.var, ignore_errors=True)
    stack = Stack(cfg)
    out = cfg.var / f"{args.process}.txt"
    try:
        stack.broker("start")
        publish_catalogue(cfg.bootstrap)
        chosen = [p for p in PROCESSES if p.name in ("matching-worker", args.process)]
        stack.start_services(chosen)
        saturation(cfg.bootstrap, records(2_000))  # warm-up
        pid = stack.pid(args.process)
        spy = [str(Path(sys.executable).parent / "py-spy"), "record", "--pid", str(pid), "--format", "raw"]
        spy += ["--output", str(out), "--rate", "200", "--nonblocking", *(["--gil"] if args.gil else [])]
        with subprocess.Popen(spy, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) as sampler:
            time.sleep(1)
            if args.process == "matching-api":
                api = next(p for p in PROCESSES if p.name == "matching-api")
                console.print(intake_run(stack.config.url(api), 32, 15.0))
            else:
                console.print(saturation(cfg.bootstrap, records(args.count)))
            sampler.send_signal(2)  # SIGINT: py-spy writes what it sampled and exits
            sampler.wait(timeout=30)
    finally:
        stack.down()
    summarize(out)


if __name__ == "__main__":
    main()
