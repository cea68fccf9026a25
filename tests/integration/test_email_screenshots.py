"""The main emails, as a mail client shows them: rendered in both languages and photographed in headless
Chromium (Debian's chromium package).

Each screenshot is kept as a test artifact in var/test/artifacts/emails/<email>.<language>.png,
next to the HTML it shows. A screenshot must be a real PNG of the window's size,
and over three times the size of the screenshot of an empty page of the same size (text,
tables and colours compress far less than blank white). Without Chromium the
test fails, saying how to install it: it never skips.
"""

from __future__ import annotations

import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from services.notifications.rendering import Renderer
from tests.conftest import TEST_VAR
from tests.email_samples import MAIN_EMAILS, contexts_of

ARTIFACTS = TEST_VAR / "artifacts" / "emails"
WIDTH, HEIGHT = 800, 1800
INSTALL = (
    "Headless Chromium is needed to screenshot the emails and was not found (chromium or /usr/bin/chromium). "
    "Install Debian's package as root: apt-get update && apt-get install -y chromium "
    "(.ci/run does it when /usr/bin/chromium is missing)."
)


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None and Path("/usr/bin/chromium").exists():
        found = "/usr/bin/chromium"
    if found is None:
        pytest.fail(INSTALL, pytrace=False)
    return found


def screenshot(chromium: str, page: Path, png: Path, profile: Path) -> None:
    """Photograph ``page`` (a local HTML file) into ``png``."""
    png.unlink(missing_ok=True)
    result = subprocess.run(
        [
            chromium,
            "--headless",
            "--disable-gpu",
            "--no-sandbox",
            "--hide-scrollbars",
            f"--user-data-dir={profile}",
            f"--screenshot={png}",
            f"--window-size={WIDTH},{HEIGHT}",
            page.resolve().as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert result.returncode == 0, f"chromium failed: {result.stderr[-2000:]}"
    assert png.exists(), f"chromium wrote no screenshot: {result.stderr[-2000:]}"


def png_size(png: Path) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk; fails if the file is not a PNG."""
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{png} is not a PNG"
    assert data[12:16] == b"IHDR", f"{png} has no IHDR chunk"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@pytest.fixture(scope="module")
def blank_size(tmp_path_factory: pytest.TempPathFactory) -> int:
    """The byte size of the screenshot of an empty page: the floor every email must be far above."""
    directory = tmp_path_factory.mktemp("blank")
    page = directory / "blank.html"
    page.write_text("<!doctype html><html><body></body></html>", encoding="utf-8")
    png = directory / "blank.png"
    screenshot(_chromium(), page, png, directory / "profile")
    return png.stat().st_size


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize(("name", "template", "context"), MAIN_EMAILS, ids=[e[0] for e in MAIN_EMAILS])
def test_the_email_looks_right_in_chromium(
    name: str, template: str, context: str, language: str, blank_size: int, tmp_path: Path
) -> None:
    chromium = _chromium()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    email = Renderer().render(template, language, contexts_of(context, language))
    page = ARTIFACTS / f"{name}.{language}.html"
    page.write_text(email.html, encoding="utf-8")
    png = ARTIFACTS / f"{name}.{language}.png"

    screenshot(chromium, page, png, tmp_path / "profile")

    assert png_size(png) == (WIDTH, HEIGHT)
    assert png.stat().st_size > 3 * blank_size, (png, png.stat().st_size, blank_size)
