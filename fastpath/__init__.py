"""FastPath: the website of a small workshop, in one Flask application."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy.exc import SQLAlchemyError

from . import cli, models  # noqa: F401  (models: every table known to the metadata and migrations)
from .badges.views import bp as badges_bp
from .cfp.organizer_views import bp as cfp_organizer_bp
from .cfp.views import bp as cfp_bp
from .checkin.views import bp as checkin_bp
from .clock import parse_moment
from .config import PACKAGE_DIR, ROOT_DIR, Defaults
from .content import ContentError, load_workshop
from .core import text, urls
from .core.database import configure_engine
from .core.extensions import csrf, db, limiter, mail, migrate
from .core.ratelimit import default_uri  # also registers its storage scheme with limits
from .groupmail.views import bp as groupmail_bp
from .mail import sender as outbox_sender
from .materials.organizer_views import bp as materials_organizer_bp
from .materials.views import bp as materials_bp
from .organizer.views import bp as organizer_bp
from .program.editor_views import bp as program_editor_bp
from .program.public import program_version
from .program.views import bp as program_bp
from .registration.organizer_views import bp as registration_organizer_bp
from .registration.services import is_full
from .registration.views import bp as registration_bp
from .reviews.views import bp as reviews_bp
from .site.views import bp as site_bp
from .web import assets, errors, page_cache, security, state, templating

__all__ = ["ConfigError", "ContentError", "create_app"]


class ConfigError(Exception):
    """The deployment's configuration cannot work; the message says how to fix it."""


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app. Config layers: defaults, instance/config.py, FASTPATH_* env, `config`."""
    instance_path = Path(os.environ.get("FASTPATH_INSTANCE_PATH") or ROOT_DIR / "instance")
    app = Flask(
        __name__,
        instance_path=str(instance_path.resolve()),
        instance_relative_config=True,
        template_folder=str(ROOT_DIR / "templates"),
        static_folder=None,  # static files are served by web/assets.py (hashed names)
    )
    app.config.from_object(Defaults)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("FASTPATH")
    if config:
        app.config.update(config)
    os.makedirs(app.instance_path, exist_ok=True)
    _finish_config(app)

    app.extensions["workshop"] = load_workshop(app.config["CONTENT_DIR"])
    _init_extensions(app)
    _init_security(app)
    _register_blueprints(app)
    _register_templating(app)
    _register_cli(app)
    return app


def _finish_config(app: Flask) -> None:
    cfg = app.config
    if not cfg.get("SECRET_KEY"):
        if not (app.debug or app.testing):
            raise ConfigError(
                "No SECRET_KEY is set. Set FASTPATH_SECRET_KEY in the environment (or SECRET_KEY "
                "in instance/config.py) to a long random value, for example the output of: "
                'python3 -c "import secrets; print(secrets.token_hex(32))"'
            )
        cfg["SECRET_KEY"] = secrets.token_hex(32)
    if not cfg.get("SQLALCHEMY_DATABASE_URI"):
        cfg["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{Path(app.instance_path) / 'fastpath.sqlite3'}"
    cfg["RATELIMIT_STORAGE_URI"] = cfg.get("RATELIMIT_STORAGE_URI") or default_uri(
        app.instance_path
    )
    cfg.setdefault("UPLOAD_DIR", None)
    cfg["UPLOAD_DIR"] = cfg["UPLOAD_DIR"] or str(Path(app.instance_path) / "uploads")
    cfg["MAIL_SPOOL_DIR"] = cfg.get("MAIL_SPOOL_DIR") or str(Path(app.instance_path) / "mail")
    if cfg.get("NOW"):
        try:
            cfg["NOW"] = parse_moment(cfg["NOW"])
        except (TypeError, ValueError):
            raise ConfigError(
                f"FASTPATH_NOW must be an ISO 8601 moment like 2020-01-20T12:00:00+00:00, "
                f"got {cfg['NOW']!r}"
            ) from None
    else:
        cfg["NOW"] = None
    cfg["PUBLIC_BASE_URL"] = str(cfg["PUBLIC_BASE_URL"]).rstrip("/")


def _init_extensions(app: Flask) -> None:
    db.init_app(app)
    configure_engine(app)
    _check_database(app)
    migrate.init_app(app, db, directory=str(PACKAGE_DIR / "migrations"), render_as_batch=True)
    mail.init_app(app)
    outbox_sender.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)


def _check_database(app: Flask) -> None:
    """Refuse to start on a database that cannot be reached, rather than answer 503s."""
    with app.app_context():
        engine = db.engine
        try:
            with engine.connect():
                pass
        except SQLAlchemyError as error:
            reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
            url = engine.url.render_as_string(hide_password=True)
            raise ConfigError(
                f"The database {url} cannot be reached ({reason}). Check "
                "FASTPATH_SQLALCHEMY_DATABASE_URI and that the database server is running."
            ) from None


def _init_security(app: Flask) -> None:
    security.init_app(app)


def _register_blueprints(app: Flask) -> None:
    urls.init_app(app)  # the bounded <int:...>, before any route is added
    app.register_blueprint(site_bp)
    app.register_blueprint(cfp_bp)
    app.register_blueprint(registration_bp)
    app.register_blueprint(organizer_bp, url_prefix="/organizer")
    app.register_blueprint(reviews_bp, url_prefix="/organizer/reviews")
    app.register_blueprint(materials_bp)
    app.register_blueprint(materials_organizer_bp, url_prefix="/organizer/materials")
    app.register_blueprint(program_bp)
    app.register_blueprint(program_editor_bp, url_prefix="/organizer/program")
    # the organizers' desk
    app.register_blueprint(groupmail_bp, url_prefix="/organizer/group-mail")
    app.register_blueprint(registration_organizer_bp, url_prefix="/organizer/registrations")
    app.register_blueprint(cfp_organizer_bp, url_prefix="/organizer/submissions")
    app.register_blueprint(checkin_bp, url_prefix="/organizer/checkin")
    app.register_blueprint(badges_bp, url_prefix="/organizer/badges")
    errors.init_app(app)


def _register_templating(app: Flask) -> None:
    templating.init_app(app)
    text.init_app(app)
    assets.init_app(app, ROOT_DIR / "static")
    page_cache.init_app(app)
    state.init_app(app, room_full=is_full, program_version=program_version)


def _register_cli(app: Flask) -> None:
    cli.init_app(app)
