import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from repository.app import create_app
from repository.cli import main
from repository.settings import Settings, SettingsError
from tests.conftest import ROOT, record


def test_settings_are_read_from_the_environment():
    settings = Settings.from_env(
        {
            "PRACTICES_DATABASE_URL": "postgresql+psycopg://u@h/db",
            "PRACTICES_INDEX_DIR": "/srv/index",
            "PRACTICES_UPLOAD_DIR": "/srv/uploads",
            "PRACTICES_SECRET_KEY": "k" * 40,
            "PRACTICES_ALLOWED_HOSTS": "practices.example.org, www.example.org",
            "PRACTICES_DEBUG": "0",
        }
    )
    assert settings.database_url == "postgresql+psycopg://u@h/db"
    assert settings.index_dir == Path("/srv/index") and settings.upload_dir == Path("/srv/uploads")
    assert settings.allowed_hosts == ("practices.example.org", "www.example.org")
    assert settings.debug is False


def test_defaults_put_everything_under_var():
    settings = Settings.from_env({})
    assert settings.database_url == "sqlite:///var/practices.db"
    assert settings.index_dir == Path("var/index") and settings.upload_dir == Path("var/uploads")


def test_the_app_refuses_to_start_without_a_secret_key_outside_debug():
    with pytest.raises(SettingsError, match="PRACTICES_SECRET_KEY"):
        create_app(Settings(secret_key=""))
    with pytest.raises(SettingsError, match="at least 32"):
        create_app(Settings(secret_key="short"))
    assert create_app(Settings(debug=True)).state.settings.secret_key


@pytest.fixture
def cli_env(tmp_path, monkeypatch, database_url, db):
    monkeypatch.setenv("PRACTICES_DATABASE_URL", database_url)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_every_command_has_help():
    runner = CliRunner()
    for args in (
        ["--help"],
        ["db", "upgrade", "--help"],
        ["seed", "--help"],
        ["import", "--help"],
        ["export", "--help"],
        ["users", "add", "--help"],
        ["serve", "--help"],
        ["demo", "--help"],
    ):
        result = runner.invoke(main, args)
        assert result.exit_code == 0 and "Usage:" in result.output, args


def test_import_errors_are_reported_per_line_with_a_nonzero_exit(cli_env):
    bad = cli_env / "bad.jsonl"
    bad.write_text(json.dumps(record()) + "\n" + json.dumps(record(pillars=["x"])) + "\n")
    result = CliRunner().invoke(main, ["import", str(bad)])
    assert result.exit_code == 1
    assert "line 2: pillars: unknown value 'x'" in result.output
    assert "nothing imported" in result.output
    assert "Traceback" not in result.output


def test_import_then_export_through_the_cli(cli_env):
    good = cli_env / "good.jsonl"
    good.write_text(
        json.dumps(record()) + "\n" + json.dumps(record(title="Draft", status="draft")) + "\n"
    )
    runner = CliRunner()
    assert runner.invoke(main, ["import", str(good)]).output.strip() == "imported 2 practices"
    exported = runner.invoke(main, ["export", "--status", "published"])
    assert exported.exit_code == 0
    assert [json.loads(line)["title"] for line in exported.output.splitlines()] == [
        record()["title"]
    ]
    assert runner.invoke(main, ["export", "--status", "nope"]).exit_code == 1


def test_users_add_hashes_the_password_and_refuses_short_ones(cli_env, db):
    from sqlalchemy import select

    from repository.models import User

    runner = CliRunner()
    short = runner.invoke(
        main, ["users", "add", "--email", "a@b.org", "--name", "A", "--password", "short"]
    )
    assert short.exit_code == 1 and "at least 12" in short.output
    ok = runner.invoke(
        main,
        [
            "users",
            "add",
            "--email",
            "Cur@UN.org",
            "--name",
            "Curator",
            "--role",
            "curator",
            "--password",
            "a long enough passphrase",
        ],
    )
    assert ok.exit_code == 0, ok.output
    with db.read() as session:
        user = session.scalar(select(User))
    assert user.email == "cur@un.org" and user.role == "curator" and user.active
    assert user.password_hash.startswith("$argon2id$")
    again = runner.invoke(
        main,
        [
            "users",
            "add",
            "--email",
            "cur@un.org",
            "--name",
            "X",
            "--password",
            "a long enough passphrase",
        ],
    )
    assert again.exit_code == 1 and "already exists" in again.output


def test_a_database_behind_the_migrations_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("PRACTICES_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    result = CliRunner().invoke(main, ["export"])
    assert result.exit_code == 1 and "practices db upgrade" in result.output


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_demo_migrates_seeds_and_serves_on_a_fresh_directory(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRACTICES_")}
    # The first model alone: the default blend's first embedding of the seed takes minutes (the
    # quick start says so), and what is checked here is the migration, the seed and the server.
    env["PRACTICES_SEMANTIC"] = "use"
    process = subprocess.Popen(
        [sys.executable, "-m", "repository.cli", "demo", "--port", str(port)],
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/practices", timeout=2
                ) as response:
                    html = response.read().decode()
                    break
            except OSError as error:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise AssertionError(
                        process.stdout.read() if process.poll() is not None else "timeout"
                    ) from error
                time.sleep(0.3)
        assert "published practices" in html
        assert (tmp_path / "var" / "practices.db").exists()
        assert (tmp_path / "var" / "secret_key").stat().st_mode & 0o077 == 0
        accounts = tmp_path / "var" / "demo-accounts.txt"
        assert "curator@demo.example" in accounts.read_text()
        assert accounts.stat().st_mode & 0o077 == 0
    finally:
        process.terminate()
        process.wait(timeout=10)
