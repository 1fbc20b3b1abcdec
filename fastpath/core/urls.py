"""Whole numbers read from URLs, bounded to what the database can hold.

An id or page number past the database's integer range names nothing, but handed on as it
is it raises OverflowError in SQLite's driver (beyond 64 bits) or "integer out of range" on
PostgreSQL: a 500. So every <int:...> in a route, and every number read from a query
string, goes through this module and is refused as "not found" first.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter, Map

# The largest value of an INTEGER column on PostgreSQL (every id here is one); SQLite's are
# 64-bit, so this bound holds for both.
MAX_INT = 2**31 - 1
_MAX_DIGITS = len(str(MAX_INT))


class BoundedIntConverter(IntegerConverter):
    """Werkzeug's <int:...> with MAX_INT as its default upper bound: a larger number does
    not match the route, so the answer is a 404. Only ASCII digits: Werkzeug's \\d would
    also take "١" (Arabic-Indic one) as another name for /1."""

    regex = r"[0-9]+"

    def __init__(
        self,
        map: Map,  # the argument names are Werkzeug's
        fixed_digits: int = 0,
        min: int | None = None,
        max: int | None = None,
        signed: bool = False,
    ) -> None:
        super().__init__(map, fixed_digits, min, MAX_INT if max is None else max, signed)


def bounded_int(value: Any) -> int:
    """`value` as an int within 0..MAX_INT; ValueError otherwise (a WTForms `coerce`)."""
    text = str(value).strip()
    # A long string is refused before int() spends time on it; int() would also read
    # non-ASCII digits ("١٢"), which are no numbers in a URL.
    number = int(text) if len(text) <= 2 * _MAX_DIGITS and text.isascii() else None
    if number is None or not 0 <= number <= MAX_INT:
        raise ValueError(f"not a whole number from 0 to {MAX_INT}")
    return number


def int_arg(args: Mapping[str, str], name: str, default: int, *, minimum: int = 1) -> int:
    """A whole-number query argument. Missing, not a number or below `minimum`: `default`
    (a hand-edited "?page=x" shows the first page). Above MAX_INT: a 404, as for a path."""
    raw = args.get(name)
    if raw is None:
        return default
    try:
        number = bounded_int(raw)
    except ValueError:
        text = str(raw).strip().lstrip("+")
        if text.isdigit() and text.isascii():
            raise NotFound() from None  # a number, only too large to name anything
        return default
    return number if number >= minimum else default


def init_app(app: Any) -> None:
    """Use the bounded converter for every <int:...> (call before routes are added)."""
    app.url_map.converters["int"] = BoundedIntConverter


def public_url(endpoint: str, **values: Any) -> str:
    """The address of a page on PUBLIC_BASE_URL, as mails link to it: built without a
    request, so a mail queued by a `flask` command links the same as one queued by a view."""
    from flask import current_app

    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return current_app.config["PUBLIC_BASE_URL"] + path
