"""A static copy of the public site (`flask --app app freeze DIR`, site/cli.py).

Every public page is rendered through the app itself (its test client, at the site's clock),
so the copy says exactly what the live pages say at that moment. Layout: one index.html per
folder (/program -> program/index.html, linked as "/program/"), which GitHub Pages, nginx's
default configuration and `python -m http.server` all serve without rewrite rules; 404.html
at the top is the site's own 404 page. Files keep their paths (/static/css/site.<hash>.css,
/program.ics, /program/slides/<key>.pdf).

Links: every href/src to a frozen page or file is rewritten to its frozen address; links to
pages that only the live site can answer (the forms, the private links) become absolute
links to the live site; a page linking to the organizers' area, a form posting to the frozen
host or a CSRF token anywhere fails the freeze. The copy is written to a temporary folder
next to the target and swapped in only once it is complete, so a failed freeze never leaves
half a site.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import tempfile
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit

from flask import Flask

from ..clock import now
from ..program.public import current_program, slides_path

# Marks a folder as written by a freeze: only such a folder (or an empty one) is replaced
# without --clean.
MARKER = ".fastpath-freeze"
# What a hosting setup keeps in the folder and a freeze must not delete: a gh-pages
# worktree's .git file, GitHub Pages' custom-domain file.
KEPT_NAMES = (".git", "CNAME")
NOT_FOUND_PROBE = "/.fastpath-freeze-404"  # a path no route answers: its page is 404.html

PUBLIC_PAGES = (
    "/",
    "/call-for-papers",
    "/program",
    "/speakers/",
    "/people",
    "/venue",
    "/previous-editions",
    "/privacy",
    "/attendees",
)
# Pages only the live site can answer: links to them point at the live site.
LIVE_ONLY = ("/submit", "/register", "/submission", "/registration")
PRIVATE = ("/organizer",)

_LINK = re.compile(r"""(\s(?:href|src|action|poster)\s*=\s*)(["'])(.*?)\2""", re.IGNORECASE | re.S)
_CSS_URL = re.compile(r"""url\(\s*(["']?)([^"')]+)\1\s*\)|@import\s+(["'])([^"']+)\3""")
_FORM = re.compile(r"<form\b[^>]*>", re.IGNORECASE)
_ACTION = re.compile(r"""\saction\s*=\s*["']([^"']*)["']""", re.IGNORECASE)


class FreezeError(Exception):
    """The site could not be frozen; nothing at the target was changed."""


@dataclass
class FreezeResult:
    target: Path
    pages: list[str] = field(default_factory=list)  # live paths of the pages written
    files: list[str] = field(default_factory=list)  # live paths of the other files written
    bytes: int = 0


def public_paths(app: Flask) -> list[str]:
    """What a freeze starts from: the public pages, each speaker's page, the calendars and
    the published slides (more is found by following their links)."""
    with app.app_context():
        program = current_program()
        speakers = [f"/speakers/{speaker.key}" for speaker in program.speakers]
        calendars = ["/program.ics"] + [
            f"/program/{item.key}.ics"
            for item in program.items
            if item.key and item.kind != "session"
        ]
        slides = [slides_path(key) for key in program.slides_files]
    return [*PUBLIC_PAGES, *speakers, *calendars, *slides, "/favicon.ico"]


def freeze(
    app: Flask,
    target: Path | str,
    *,
    live_url: str | None = None,
    clean: bool = False,
    paths: Iterable[str] | None = None,
) -> FreezeResult:
    """Write the public site as static files into `target` (see the module docstring)."""
    target = Path(target).absolute()
    live_url = _checked_live_url(live_url or app.config["PUBLIC_BASE_URL"])
    _check_target(target, clean)
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{target.name}.freezing-", dir=target.parent))
    try:
        # mkdtemp makes a private folder; the copy is for a web server to read.
        umask = os.umask(0)
        os.umask(umask)
        work.chmod(0o777 & ~umask)
        crawl = _Crawl(app, live_url)
        crawl.run(list(paths) if paths is not None else public_paths(app))
        result = crawl.write(work)
        _check_nothing_private(work)
        (work / MARKER).write_text(
            json.dumps(
                {"frozen_at": now().isoformat(timespec="seconds"), "live_url": live_url},
                indent=1,
            )
            + "\n"
        )
        (work / ".nojekyll").write_text("")  # GitHub Pages: serve the files as they are
        _swap_in(work, target)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    result.target = target
    return result


def _checked_live_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise FreezeError(f"The live site's address must be an http(s) URL, not {url!r}.")
    return url.rstrip("/")


def _check_target(target: Path, clean: bool) -> None:
    if target.exists() and not target.is_dir():
        raise FreezeError(f"{target} is not a folder.")
    if clean or not target.exists() or (target / MARKER).exists():
        return
    if any(entry.name not in KEPT_NAMES for entry in target.iterdir()):
        raise FreezeError(
            f"{target} is not empty and is not an earlier freeze (no {MARKER} in it); "
            "choose another folder, or pass --clean to replace what is in it."
        )


def _swap_in(work: Path, target: Path) -> None:
    """Put the finished copy in place of the target (keeping KEPT_NAMES of the old one)."""
    if not target.exists():
        work.rename(target)
        return
    for name in KEPT_NAMES:
        if (target / name).exists() or (target / name).is_symlink():
            (target / name).rename(work / name)
    old = target.with_name(f".{target.name}.replaced-{os.getpid()}")
    target.rename(old)
    work.rename(target)
    shutil.rmtree(old, ignore_errors=True)


def _check_nothing_private(folder: Path) -> None:
    found = []
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        data = path.read_bytes()
        relative = path.relative_to(folder).as_posix()
        if b"/organizer" in data:
            found.append(f"{relative} mentions /organizer")
        if b"csrf_token" in data:
            found.append(f"{relative} holds a CSRF token")
        if path.suffix == ".html":
            for form in _FORM.findall(data.decode("utf-8", "replace")):
                action = _ACTION.search(form)
                if action is None or not urlsplit(html.unescape(action.group(1))).netloc:
                    found.append(f"{relative} has a form posting to the frozen host")
    if found:
        raise FreezeError("The frozen copy would show private parts: " + "; ".join(found))


def _is_under(path: str, prefixes: Iterable[str]) -> bool:
    return any(path == prefix or path.startswith(prefix + "/") for prefix in prefixes)


def _page_file(path: str) -> str:
    """Where a page's HTML goes: /program -> program/index.html, / -> index.html."""
    inner = _safe(path).strip("/")
    return f"{inner}/index.html" if inner else "index.html"


def _page_url(path: str) -> str:
    inner = path.strip("/")
    return f"/{inner}/" if inner else "/"


def _safe(path: str) -> str:
    decoded = unquote(path)
    if (
        any(part in ("..", ".") for part in decoded.split("/"))
        or "\\" in decoded
        or "\0" in decoded
    ):
        raise FreezeError(f"Cannot write {path!r} as a file.")
    return decoded


class _Crawl:
    """Fetches the pages and files through the app, following their links on the site."""

    def __init__(self, app: Flask, live_url: str) -> None:
        self.client = app.test_client(use_cookies=False)
        # The host the app trusts (TRUSTED_HOSTS comes from PUBLIC_BASE_URL).
        self.base_url = app.config["PUBLIC_BASE_URL"]
        self.live_url = live_url
        self.pages: dict[str, str] = {}  # live path -> HTML
        self.files: dict[str, bytes] = {}  # live path -> bytes
        self.redirects: dict[str, str] = {}  # live path -> the path it redirects to
        self.not_found_page = ""
        self._queue: deque[tuple[str, str]] = deque()
        self._seen: set[str] = set()

    def run(self, paths: list[str]) -> None:
        for path in paths:
            self._enqueue(path, "the list of public pages")
        self.not_found_page = self._not_found()
        while self._queue:
            self._fetch(*self._queue.popleft())

    def _enqueue(self, path: str, referrer: str) -> None:
        if _is_under(path, PRIVATE):
            raise FreezeError(f"{referrer} links to the organizers' area ({path}).")
        if _is_under(path, LIVE_ONLY) or path in self._seen:
            return
        self._seen.add(path)
        self._queue.append((path, referrer))

    def _not_found(self) -> str:
        with self.client.get(NOT_FOUND_PROBE, base_url=self.base_url) as response:
            if response.status_code != 404 or response.mimetype != "text/html":
                raise FreezeError(f"The 404 page answered {response.status}.")
            body = response.get_data(as_text=True)
        self._follow_links(body, "/", "the 404 page")
        return body

    def _fetch(self, path: str, referrer: str) -> None:
        with self.client.get(path, base_url=self.base_url) as response:
            status = response.status_code
            if status in (301, 302, 303, 307, 308):
                location = urlsplit(urljoin(path, response.headers["Location"]))
                if location.netloc and location.netloc != urlsplit(self.base_url).netloc:
                    raise FreezeError(f"{path} (linked from {referrer}) leaves the site.")
                self.redirects[path] = location.path
                self._enqueue(location.path, path)
                return
            if status != 200:
                raise FreezeError(f"{path} (linked from {referrer}) answered {response.status}.")
            if response.mimetype == "text/html":
                body = response.get_data(as_text=True)
                self.pages[path] = body
                self._follow_links(body, path, path)
                return
            data = response.get_data()
            self.files[path] = data
            if response.mimetype == "text/css":
                for match in _CSS_URL.finditer(data.decode("utf-8", "replace")):
                    self._follow(match.group(2) or match.group(4), path, path)

    def _follow_links(self, body: str, page: str, referrer: str) -> None:
        for match in _LINK.finditer(body):
            self._follow(html.unescape(match.group(3)), page, referrer)

    def _follow(self, value: str, base: str, referrer: str) -> None:
        target = self._internal_path(value, base)
        if target is not None:
            self._enqueue(target, referrer)

    def _internal_path(self, value: str, base: str) -> str | None:
        value = value.strip()
        if not value or value.startswith("#") or value.startswith("data:"):
            return None
        parts = urlsplit(urljoin(base, value))
        if parts.scheme or parts.netloc:
            return None
        return parts.path or "/"

    def frozen_url(self, value: str, base: str) -> str:
        """The address a link on the page at `base` gets in the frozen copy."""
        path = self._internal_path(value, base)
        if path is None:
            return value
        parts = urlsplit(urljoin(base, value.strip()))
        if _is_under(path, LIVE_ONLY):
            return self.live_url + urlunsplit(("", "", path, parts.query, parts.fragment))
        for _ in range(10):  # a redirect chain on the site itself, in case
            if path not in self.redirects:
                break
            path = self.redirects[path]
        if path in self.pages:
            path = _page_url(path)
        return urlunsplit(("", "", path, parts.query, parts.fragment))

    def _rewrite(self, body: str, page: str) -> str:
        def replace(match: re.Match[str]) -> str:
            new = self.frozen_url(html.unescape(match.group(3)), page)
            return f"{match.group(1)}{match.group(2)}{html.escape(new)}{match.group(2)}"

        return _LINK.sub(replace, body)

    def write(self, folder: Path) -> FreezeResult:
        result = FreezeResult(target=folder)
        outputs: dict[str, bytes] = {"404.html": self._rewrite(self.not_found_page, "/").encode()}
        for path, body in self.pages.items():
            outputs[_page_file(path)] = self._rewrite(body, path).encode()
            result.pages.append(path)
        for path, data in self.files.items():
            outputs[_safe(path).lstrip("/")] = data
            result.files.append(path)
        for relative, data in sorted(outputs.items()):
            destination = folder / relative
            try:
                destination.parent.mkdir(parents=True, exist_ok=True)
                destination.write_bytes(data)
            except (NotADirectoryError, IsADirectoryError, FileExistsError) as error:
                raise FreezeError(f"{relative} clashes with another frozen file.") from error
            result.bytes += len(data)
        return result
