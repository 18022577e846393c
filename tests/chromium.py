"""Headless Chromium for tests: screenshots and the DOM after scripts ran, of a local HTML file.

Chromium is run directly (no driver, no network): each call gets a fresh temporary profile and a timeout.
`find_chromium()` returns None when no working browser is installed; `chromium_or_skip()` turns that into a
pytest skip with the reason (`make browser` installs Debian's chromium).

Flags checked against Debian's Chromium 150 (new headless mode): a file:// URL keeps its fragment (`#en`) and its
query (`?lang=en`) with no extra flag, and `--virtual-time-budget` lets the page's scripts run before
`--dump-dom` prints or `--screenshot` captures.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from functools import lru_cache
from pathlib import Path

import pytest

CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser")
TIMEOUT = 20.0  # seconds per call; a call takes about 1 s on the 2-core dev machine

FLAGS = [
    "--headless",
    "--no-sandbox",                 # CI runs as root, where the sandbox refuses to start
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--disable-dev-shm-usage",      # a small /dev/shm (containers) would crash the renderer
    "--mute-audio",
    "--hide-scrollbars",
    "--force-device-scale-factor=1",
    "--virtual-time-budget=2000",
]


class ChromiumError(RuntimeError):
    pass


@lru_cache(maxsize=1)
def find_chromium() -> str | None:
    """The path of a working Chromium ($PROVENANCE_CHROMIUM, /usr/bin/chromium, chromium or chromium-browser on
    PATH), or None. A candidate must answer `--version` (a snap stub without snapd does not)."""
    candidates = [os.environ.get("PROVENANCE_CHROMIUM", ""), *CANDIDATES]
    for name in candidates:
        if not name:
            continue
        path = name if os.path.isabs(name) else shutil.which(name)
        if not path or not os.access(path, os.X_OK):
            continue
        try:
            out = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=15)
        except (OSError, subprocess.TimeoutExpired):
            continue
        if out.returncode == 0 and "chrom" in out.stdout.lower():
            return path
    return None


def chromium_or_skip() -> str:
    path = find_chromium()
    if path is None:
        pytest.skip("no Chromium found (/usr/bin/chromium, chromium or chromium-browser on PATH); "
                    "`make browser` installs Debian's chromium")
    return path


def file_url(html_path: str | os.PathLike[str], fragment: str = "") -> str:
    """file:// URL of `html_path` followed by `fragment`: "#en", "?lang=en" or "en" (taken as "#en")."""
    url = Path(html_path).resolve().as_uri()
    if fragment and fragment[0] not in "#?":
        fragment = "#" + fragment
    return url + fragment


def _run(extra: list[str], url: str, timeout: float) -> subprocess.CompletedProcess[str]:
    browser = find_chromium()
    if browser is None:
        raise ChromiumError("no Chromium found")
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        cmd = [browser, *FLAGS, f"--user-data-dir={profile}", *extra, url]
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                                  env={**os.environ, "HOME": profile})
        except subprocess.TimeoutExpired as exc:
            raise ChromiumError(f"chromium did not finish within {timeout:.0f} s: {' '.join(cmd)}") from exc
    if done.returncode != 0:
        tail = "\n".join(done.stderr.splitlines()[-15:])
        raise ChromiumError(f"chromium exited {done.returncode}: {' '.join(cmd)}\n{tail}")
    return done


def screenshot(html_path: str | os.PathLike[str], png_path: str | os.PathLike[str], fragment: str = "",
               width: int = 1280, height: int = 1800, timeout: float = TIMEOUT) -> Path:
    """A PNG of the page's first `width` x `height` pixels, after its scripts ran."""
    png = Path(png_path).resolve()
    png.unlink(missing_ok=True)
    _run([f"--screenshot={png}", f"--window-size={width},{height}"], file_url(html_path, fragment), timeout)
    if not png.exists() or png.stat().st_size == 0:
        raise ChromiumError(f"chromium wrote no screenshot at {png}")
    return png


def dump_dom(html_path: str | os.PathLike[str], fragment: str = "", timeout: float = TIMEOUT) -> str:
    """The serialized DOM after the page's scripts ran (attributes they set, such as `hidden`, included)."""
    out = _run(["--dump-dom"], file_url(html_path, fragment), timeout).stdout
    if "<html" not in out:
        raise ChromiumError("chromium printed no DOM")
    return out


def png_is_not_blank(path: str | os.PathLike[str], min_stddev: float = 8.0, min_ink: float = 0.005) -> bool:
    """True when the image has real content: its grey levels vary (standard deviation at least `min_stddev`)
    and at least `min_ink` of its pixels are clearly darker than the background."""
    from PIL import Image, ImageStat

    with Image.open(path) as img:
        grey = img.convert("L")
        stddev = ImageStat.Stat(grey).stddev[0]
        histogram = grey.histogram()
    dark = sum(histogram[:160]) / max(sum(histogram), 1)
    return stddev >= min_stddev and dark >= min_ink
