"""`flask --app app freeze DIR`: a static copy of the public site (site/freeze.py)."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from .freeze import FreezeError, freeze


@click.command("freeze")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--live-url",
    default=None,
    help="Where links to the forms (submit, register, private links) point. "
    "Default: PUBLIC_BASE_URL (FASTPATH_PUBLIC_BASE_URL).",
)
@click.option(
    "--clean",
    is_flag=True,
    help="Replace the folder's contents even if it is not an earlier freeze.",
)
@with_appcontext
def freeze_command(directory: Path, live_url: str | None, clean: bool) -> None:
    """Write every public page, as of the site's clock, as static files into DIRECTORY."""
    try:
        result = freeze(
            current_app._get_current_object(), directory, live_url=live_url, clean=clean
        )
    except FreezeError as error:
        raise click.ClickException(str(error)) from None
    click.echo(
        f"Froze {len(result.pages)} pages and {len(result.files)} files "
        f"({result.bytes:,} bytes) into {result.target}"
    )
    click.echo(f"Links to the forms point at {live_url or current_app.config['PUBLIC_BASE_URL']}.")
    click.echo(f"Try it: python -m http.server --directory {result.target} 8000")


commands: list[click.Command] = [freeze_command]
