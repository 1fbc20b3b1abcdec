"""The migrations build exactly the schema the models describe."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import inspect

from fastpath.core.extensions import db
from tests.conftest import make_app


def test_migrations_build_the_models_schema(tmp_path):
    app = make_app(tmp_path / "m", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'mig.sqlite3'}")
    with app.app_context():
        db.drop_all()
        upgrade()
        with db.engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection), db.metadata)
        tables = set(inspect(db.engine).get_table_names())
    assert diff == []
    assert set(db.metadata.tables) <= tables
