"""Reading the decision and notify forms back as a browser would post them."""

from __future__ import annotations

from html.parser import HTMLParser


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[tuple[str, list[tuple[str, str]]]] = []
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append((a.get("action", ""), []))
        elif tag == "input" and self.forms and "name" in a:
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self.forms[-1][1].append((a["name"], a.get("value", "")))
        elif tag == "textarea" and self.forms:
            self._textarea, self._text = a.get("name", ""), ""

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea" and self._textarea is not None:
            # A browser drops the one line break right after <textarea>.
            text = self._text.removeprefix("\r\n").removeprefix("\n")
            self.forms[-1][1].append((self._textarea, text))
            self._textarea = None


def form_data(page: str, action: str, **changes: str) -> dict[str, list[str]]:
    """The fields the (first) form posting to `action` would send, with `changes` applied
    (a name ending in a field name, so "text" also changes "accepted-text")."""
    parser = _Forms()
    parser.feed(page)
    for form_action, fields in parser.forms:
        if form_action == action:
            data: dict[str, list[str]] = {}
            for name, value in fields:
                data.setdefault(name, []).append(value)
            for key, value in changes.items():
                for name in [n for n in data if n == key or n.endswith(f"-{key}")]:
                    data[name] = [value]
            return data
    raise AssertionError(f"no form posting to {action}")
