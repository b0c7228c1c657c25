"""The migrations build exactly the schema the models describe, on SQLite and on PostgreSQL."""
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from hub.core.extensions import db

ROOT = Path(__file__).resolve().parents[2]


def drop_everything(app):
    with app.app_context():
        db.session.remove()
        db.drop_all()
        with db.engine.begin() as connection:
            connection.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
        assert sa.inspect(db.engine).get_table_names() == []


@pytest.fixture
def empty_database(app):
    """The test database with no table at all; left empty again afterwards."""
    drop_everything(app)
    yield app
    drop_everything(app)


def flask(app, *args):
    env = dict(os.environ, COMPTOIR_ENV="testing", DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"])
    env.pop("TEST_DATABASE_URL", None)
    return subprocess.run([sys.executable, "-m", "flask", "--app", "app", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def schema_differences(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "render_as_batch": True})
        return compare_metadata(context, db.metadata)


def test_flask_db_upgrade_on_a_fresh_database_builds_the_models_schema(empty_database):
    upgrade = flask(empty_database, "db", "upgrade")
    assert upgrade.returncode == 0, upgrade.stderr
    assert schema_differences(empty_database) == []


def test_the_comparison_sees_a_table_the_migrations_forgot(empty_database):
    assert flask(empty_database, "db", "upgrade").returncode == 0
    with empty_database.app_context():
        with db.engine.begin() as connection:
            connection.execute(sa.text("DROP TABLE settings"))
    differences = schema_differences(empty_database)
    assert any(d[0] == "add_table" and d[1].name == "settings" for d in differences), differences


def test_the_migrations_form_one_line_of_history(empty_database):
    heads = flask(empty_database, "db", "heads")
    assert heads.returncode == 0, heads.stderr
    assert len([line for line in heads.stdout.splitlines() if "(head)" in line]) == 1


def test_upgrading_twice_changes_nothing(empty_database):
    assert flask(empty_database, "db", "upgrade").returncode == 0
    again = flask(empty_database, "db", "upgrade")
    assert again.returncode == 0, again.stderr
    assert schema_differences(empty_database) == []


def _quoted_and_columns(where):
    """What a partial index's condition names (its columns' words and quoted values), however the database prints it."""
    import re
    return sorted(set(re.findall(r"[a-z_]+", str(where).lower())) - {"and", "or", "in", "is", "not", "null", "text",
                                                                   "character", "varying", "any", "array"})


def test_the_partial_indexes_keep_the_conditions_the_models_give_them(empty_database):
    # compare_metadata does not compare an index's WHERE: a state added to a partial index needs its migration.
    assert flask(empty_database, "db", "upgrade").returncode == 0
    dialect = "postgresql" if empty_database.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql") else "sqlite"
    with empty_database.app_context():
        inspector = sa.inspect(db.engine)
        for table in db.metadata.sorted_tables:
            built = {i["name"]: i.get("dialect_options", {}).get(f"{dialect}_where")
                     for i in inspector.get_indexes(table.name)}
            for index in table.indexes:
                where = index.dialect_options[dialect]._non_defaults.get("where")
                if where is not None:
                    assert _quoted_and_columns(built[index.name]) == _quoted_and_columns(where), index.name
