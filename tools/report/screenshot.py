"""A screenshot of the HTML report with headless Chromium (Debian's ``chromium`` package).

    python -m tools.report.screenshot var/demo/report.html docs/img/demo-report.png

Raises ``ChromiumMissing`` (saying how to install it) when no Chromium is found.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Annotated

import typer

INSTALL = "apt-get update && apt-get install -y chromium   (Debian/Ubuntu; as root)"


class ChromiumMissing(RuntimeError):
    """No Chromium on this machine."""


def chromium() -> str:
    """The Chromium executable (``CHROMIUM`` overrides the search)."""
    for candidate in (os.environ.get("CHROMIUM"), "chromium", "chromium-browser", "google-chrome"):
        if candidate and (found := shutil.which(candidate)):
            return found
    raise ChromiumMissing(f"headless Chromium is needed for the report's screenshot; install it: {INSTALL}")


def screenshot(html: Path, png: Path, width: int = 1200, height: int = 1600, timeout: float = 60) -> Path:
    """Render ``html`` in headless Chromium and save a ``width`` × ``height`` PNG at ``png``."""
    png.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="concerto-chromium-") as profile:
        argv = [
            chromium(),
            "--headless",
            "--no-sandbox",  # runs as root in CI containers
            "--disable-gpu",
            "--hide-scrollbars",
            f"--user-data-dir={profile}",
            f"--window-size={width},{height}",
            f"--screenshot={png.resolve()}",
            html.resolve().as_uri(),
        ]
        done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False)
    if done.returncode != 0 or not png.exists():
        raise RuntimeError(f"chromium failed (exit {done.returncode}): {done.stderr.strip()[-500:]}")
    return png


def main(
    html: Annotated[Path, typer.Argument(help="The HTML report.")],
    png: Annotated[Path, typer.Argument(help="Where to write the PNG.")],
    width: int = 1200,
    height: int = 1600,
) -> None:
    """Screenshot the HTML report."""
    screenshot(html, png, width, height)
    typer.echo(f"written {png}")


if __name__ == "__main__":
    typer.run(main)
