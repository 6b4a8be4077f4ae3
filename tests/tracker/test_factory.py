"""The app factory, its configuration and the per-request database handle."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask, g
from flask.testing import FlaskClient
from sqlalchemy import Connection, text

from tests.conftest import app_config
from tracker import config, create_app, db
from tracker.db import get_db, get_session
from tracker.errors import ConfigurationError

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def instance_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Make apps use a temporary instance folder, not the repository's."""
    folder = tmp_path / "instance"
    monkeypatch.setattr(Flask, "auto_find_instance_path", lambda self: str(folder))
    return folder


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for setting in config.SETTINGS:
        monkeypatch.delenv(f"{config.ENV_PREFIX}_{setting.name}", raising=False)


def test_testing_flag(instance_path: Path, clean_env: None) -> None:
    assert not create_app(cli=True).testing
    assert create_app({"TESTING": True}).testing


def test_every_setting_has_a_default_help_and_readme_entry() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert [s.name for s in config.SETTINGS] == list(config.DEFAULTS)
    for setting in config.SETTINGS:
        assert setting.help.strip()
        assert f"`TRACKER_{setting.name}`" in readme


def test_environment_variables_configure_the_app(
    instance_path: Path, clean_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRACKER_DATABASE_URL", "sqlite:////tmp/elsewhere.sqlite3")
    monkeypatch.setenv("TRACKER_SECRET_KEY", "from-the-environment")
    app = create_app()
    assert app.config["DATABASE_URL"] == "sqlite:////tmp/elsewhere.sqlite3"
    assert app.config["SECRET_KEY"] == "from-the-environment"


def test_the_instance_config_file_is_read(instance_path: Path, clean_env: None) -> None:
    instance_path.mkdir()
    (instance_path / "config.py").write_text('SECRET_KEY = "from-the-file"\n', encoding="utf-8")
    assert create_app().config["SECRET_KEY"] == "from-the-file"


def test_test_config_ignores_the_environment(
    instance_path: Path, clean_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRACKER_DATABASE_URL", "postgresql+psycopg://prod-host/tracker")
    app = create_app({"TESTING": True})
    assert app.config["DATABASE_URL"] == config.default_database_url(instance_path)


def test_the_default_database_is_a_sqlite_file_in_the_instance_folder_made_on_first_use(
    instance_path: Path, clean_env: None
) -> None:
    app = create_app(cli=True)
    assert app.config["DATABASE_URL"] == f"sqlite:///{instance_path / 'tracker.sqlite3'}"
    assert app.config["SECRET_KEY"] == "dev"
    assert not instance_path.exists()  # creating the app touches nothing
    engine = db.get_db(app).engine
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT 1")).scalar_one() == 1
    finally:
        engine.dispose()
    assert (instance_path / "tracker.sqlite3").is_file()


def test_get_session_is_one_per_app_context_and_closed_at_teardown(app: Flask) -> None:
    with app.app_context():
        session = db.get_session()
        assert db.get_session() is session
        session.execute(text("SELECT 1"))
        assert session.in_transaction()
    assert not session.in_transaction()
    with app.app_context():
        assert "db_session" not in g
        assert db.get_session() is not session


def test_the_home_page_asks_an_anonymous_visitor_to_sign_in(client: FlaskClient) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert response.location.startswith("/login")


def test_the_development_secret_key_is_refused_outside_debug_and_tests(
    instance_path: Path, clean_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(ConfigurationError, match="TRACKER_SECRET_KEY"):
        create_app()
    monkeypatch.setenv("FLASK_DEBUG", "1")
    assert create_app().debug
    monkeypatch.delenv("FLASK_DEBUG")
    monkeypatch.setenv("TRACKER_SECRET_KEY", "a-long-random-value")
    assert create_app().config["SECRET_KEY"] == "a-long-random-value"


def test_a_command_line_app_checks_the_secret_key_only_when_serving_a_page(
    instance_path: Path, clean_env: None
) -> None:
    app = create_app(cli=True)
    response = app.test_client().get("/login")
    assert response.status_code == 500
    assert b"TRACKER_SECRET_KEY" in response.data


def test_the_session_cookie_is_http_only_and_same_site_lax(app: Flask) -> None:
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_page_views_read_in_autocommit_on_postgresql_only(
    connection: Connection,
) -> None:
    """GET requests read in autocommit mode on PostgreSQL (no BEGIN/ROLLBACK round trips); every
    request that may write, and every request on SQLite, runs in a transaction."""
    app = create_app(app_config(connection.engine.url.render_as_string(hide_password=False)))
    postgres = connection.dialect.name == "postgresql"
    try:
        for method, autocommit in (("GET", postgres), ("HEAD", postgres), ("POST", False)):
            with app.test_request_context("/actions", method=method):
                db_session = get_session()
                driver = db_session.connection().connection.driver_connection
                if postgres:
                    assert driver.autocommit is autocommit, method
                else:
                    assert db_session.in_transaction(), method
    finally:
        get_db(app).engine.dispose()
