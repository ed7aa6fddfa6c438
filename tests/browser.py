"""Pages opened from disk in headless Chromium, as an instructor opens them.

``look`` opens each page in Debian's ``chromium`` (through Playwright, which
drives the browser installed on the system: it downloads nothing), takes a
full-page screenshot and records what a reader would notice: console
errors, requests that left the disk, links that lead nowhere, and whether
the picture is blank. ``missing`` says why it cannot run here, for a skip.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse

#: Headless, as root, with the network closed: without the background
#: services off, Chromium keeps trying to reach Google's servers.
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
INSTALL = "apt-get install -y chromium"


def chromium() -> str | None:
    """The Chromium binary on this system, or None."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def missing() -> str | None:
    """Why ``look`` cannot run here, or None when it can."""
    if chromium() is None:
        return f"no chromium on PATH: install Debian's package ({INSTALL})"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -e '.[test]')"
    return None


@dataclass
class Seen:
    """What one page showed."""

    page: Path
    screenshot: Path
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    broken: list[str] = field(default_factory=list)
    svgs: list[tuple[float, float]] = field(default_factory=list)
    colours: int = 0
    white: float = 1.0
    #: The text the page shows, as a reader would copy it.
    text: str = ""


def look(
    pages: list[tuple[Path, Path]], *, width: int = 1200, height: int | None = None
) -> list[Seen]:
    """Open each ``(page, screenshot)`` in turn; return what each showed.

    The screenshot is of the whole page, or of its top ``height`` pixels.
    Playwright starts Chromium with a fresh, empty profile of its own.
    """
    from playwright.sync_api import sync_playwright

    seen = []
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=chromium(), args=ARGS)
        try:
            for page_path, screenshot in pages:
                seen.append(_look(browser, page_path, screenshot, width, height))
        finally:
            browser.close()
    return seen


def _look(browser, page_path, screenshot, width, height) -> Seen:
    seen = Seen(page=page_path, screenshot=screenshot)
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.on(
        "console",
        lambda message: (
            seen.errors.append(f"console {message.type}: {message.text}")
            if message.type in ("error", "warning")
            else None
        ),
    )
    page.on("pageerror", lambda error: seen.errors.append(f"page error: {error}"))
    page.on("requestfailed", lambda r: seen.errors.append(f"request failed: {r.url}"))
    page.on("request", lambda request: seen.requests.append(request.url))
    page.goto(page_path.resolve().as_uri(), wait_until="load")
    if height:  # no taller than the page: beyond it the shot is black
        height = min(height, page.evaluate("document.documentElement.scrollHeight"))
    clip = {"x": 0, "y": 0, "width": width, "height": height} if height else None
    page.screenshot(path=str(screenshot), full_page=True, clip=clip)
    seen.text = page.inner_text("body")
    seen.links = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
    seen.broken = [link for link in seen.links if not _leads_somewhere(page, link)]
    seen.svgs = [
        (box["width"], box["height"])
        for box in page.eval_on_selector_all(
            "svg",
            "svgs => svgs.map(s => { const r = s.getBoundingClientRect();"
            " return {width: r.width, height: r.height}; })",
        )
    ]
    page.close()
    seen.colours, seen.white = _picture(screenshot)
    return seen


def _leads_somewhere(page, link: str) -> bool:
    """Whether a link's file exists, and its ``#fragment`` on this page."""
    url = urlparse(link)
    if url.scheme != "file":
        return False
    if url.fragment and unquote(url.path) == unquote(urlparse(page.url).path):
        return bool(
            page.evaluate("id => document.getElementById(id) !== null", url.fragment)
        )
    return Path(unquote(url.path)).is_file()


def _picture(screenshot: Path) -> tuple[int, float]:
    """The screenshot's number of distinct colours and share of white pixels."""
    from PIL import Image

    with Image.open(screenshot) as image:
        rgb = image.convert("RGB")
        colours = rgb.getcolors(maxcolors=1 << 24) or []
        total = rgb.width * rgb.height
    white = sum(n for n, colour in colours if colour == (255, 255, 255))
    return len(colours), white / total


if __name__ == "__main__":
    # The guide's screenshots (docs/*.png): python tests/browser.py PAGE PNG HEIGHT ...
    import sys

    args = sys.argv[1:]
    for page_path, png, top in zip(args[::3], args[1::3], args[2::3], strict=True):
        (seen,) = look([(Path(page_path), Path(png))], width=1100, height=int(top))
        print(png, seen.errors or "no errors", f"{seen.colours} colours")
