"""Typed access to one TOML table, with mistakes reported in one line: file, field, problem."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .model import AOE, Zone


class ContentError(Exception):
    """A content file is wrong; the message names the file, the field and the problem."""

    def __init__(self, path: Path, where: str, problem: str) -> None:
        self.path, self.where, self.problem = path, where, problem
        super().__init__(f"{path}: {where}: {problem}")


# How each kind of value is named in a message.
_KIND_NAMES = {
    str: "text",
    int: "a whole number",
    bool: "true or false",
    dict: "a table",
    list: "a list",
    date: "a date",
    datetime: "a date and time",
    time: "a time",
}

# A day, a time of day or a moment may be written as TOML's own value or as ISO 8601 text.
_MOMENTS: dict[type, tuple[str, Callable[[str], Any]]] = {
    date: ("a date like 2020-04-05", date.fromisoformat),
    datetime: ("a date and time like 2020-02-21T23:59:00", datetime.fromisoformat),
    time: ("a time like 09:00", time.fromisoformat),
}


class TableReader:
    """One TOML table of a content file; each method reads one field as one kind of value."""

    def __init__(self, path: Path, data: dict[str, Any], where: str = "") -> None:
        self.path, self.data, self.where = path, data, where

    def _name(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def fail(self, key: str, problem: str) -> ContentError:
        return ContentError(self.path, self._name(key), problem)

    def has(self, key: str) -> bool:
        return key in self.data

    def get(self, key: str, kind: type | tuple[type, ...], *, required: bool = True) -> Any:
        if key not in self.data:
            if required:
                raise self.fail(key, "is missing")
            return None
        value = self.data[key]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        # bool is an int in Python; a page count of `true` is still a mistake.
        if not isinstance(value, kinds) or isinstance(value, bool) and bool not in kinds:
            names = " or ".join(dict.fromkeys(_KIND_NAMES.get(k, k.__name__) for k in kinds))
            raise self.fail(key, f"expected {names}, got {value!r}")
        return value

    def text(self, key: str, *, required: bool = True) -> str | None:
        value = self.get(key, str, required=required)
        if value is not None and not value.strip():
            raise self.fail(key, "must not be empty")
        return value.strip() if value is not None else None

    def choice(self, key: str, allowed: tuple[str, ...], *, required: bool = True) -> str | None:
        value = self.text(key, required=required)
        if value is not None and value not in allowed:
            raise self.fail(key, f"unknown {value!r} (use one of {', '.join(allowed)})")
        return value

    def _moment(self, key: str, kind: type, required: bool) -> Any:
        value = self.get(key, (kind, str), required=required)
        example, parse = _MOMENTS[kind]
        if isinstance(value, str):
            try:
                value = parse(value)
            except ValueError:
                raise self.fail(key, f"expected {example}, got {value!r}") from None
        elif kind is date and isinstance(value, datetime):  # a datetime is a date in Python
            raise self.fail(key, f"expected {example}, got {value.isoformat()}")
        return value

    def day(self, key: str, *, required: bool = True) -> date | None:
        return self._moment(key, date, required)

    def local_datetime(self, key: str, *, required: bool = True) -> datetime | None:
        """A date and time without a zone; the caller says which zone it is in."""
        value = self._moment(key, datetime, required)
        if value is not None and value.tzinfo is not None:
            raise self.fail(key, "give the time without a UTC offset; the zone is set separately")
        return value

    def clock_time(self, key: str) -> time:
        return self._moment(key, time, True)

    def zone(self, key: str) -> Zone:
        name = self.text(key)
        if name in ("AoE", "Anywhere on Earth"):
            return AOE
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise self.fail(
                key, f"unknown time zone {name!r} (use e.g. AoE or America/New_York)"
            ) from None

    def positive_int(self, key: str, *, required: bool = True) -> int | None:
        value = self.get(key, int, required=required)
        if value is not None and value <= 0:
            raise self.fail(key, f"must be a positive whole number, got {value}")
        return value

    def url(self, key: str, *, required: bool = True) -> str | None:
        value = self.text(key, required=required)
        if value is not None and not value.startswith(("https://", "http://")):
            raise self.fail(key, f"expected a web address starting with https://, got {value!r}")
        return value

    def strings(self, key: str) -> list[str]:
        values = self.get(key, list, required=False) or []
        for value in values:
            if not isinstance(value, str):
                raise self.fail(key, f"expected a list of text, got {value!r}")
        return values

    def table(self, key: str, *, required: bool = True) -> TableReader:
        """The table under `key`; an absent optional table reads as an empty one."""
        return TableReader(self.path, self.get(key, dict, required=required) or {}, self._name(key))

    def tables(self, key: str, *, required: bool = True) -> list[TableReader]:
        items = self.get(key, list, required=required) or []
        readers = []
        for index, item in enumerate(items):
            where = f"{self._name(key)}[{index + 1}]"
            if not isinstance(item, dict):
                raise ContentError(self.path, where, f"expected a table, got {item!r}")
            readers.append(TableReader(self.path, item, where))
        return readers
