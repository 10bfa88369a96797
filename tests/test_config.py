from pathlib import Path

import pytest

from akhbar.config import SETTINGS, load_settings
from akhbar.errors import ConfigError

DOCS = Path(__file__).resolve().parents[1] / "docs" / "settings.md"


def test_every_setting_is_documented():
    text = DOCS.read_text(encoding="utf-8")
    missing = [s.name for s in SETTINGS if f"`{s.name}`" not in text or s.env not in text]
    assert not missing, f"docs/settings.md lacks: {missing}"


def test_defaults_then_file_then_environment(tmp_path):
    config = tmp_path / "akhbar.toml"
    config.write_text('min_host_delay = 5.5\ncontact_url = "https://ops.example.ma/crawler"\n')
    settings = load_settings(config, env={"AKHBAR_MIN_HOST_DELAY": "3", "AKHBAR_RESPECT_ROBOTS": "no"})
    assert settings.min_host_delay == 3.0  # environment beats the file
    assert settings.respect_robots is False
    assert settings.user_agent_string == "akhbar/0.1 (+https://ops.example.ma/crawler)"
    assert load_settings(env={}).max_redirects == 5


def test_secret_from_file(tmp_path):
    secret = tmp_path / "db-url"
    secret.write_text("postgresql://akhbar@db/akhbar\n")
    settings = load_settings(env={"AKHBAR_DATABASE_URL_FILE": str(secret)})
    assert settings.database_url == "postgresql://akhbar@db/akhbar"


@pytest.mark.parametrize(
    "env, message",
    [({"AKHBAR_MAX_REDIRECTS": "many"}, "max_redirects"),
     ({"AKHBAR_RESPECT_ROBOTS": "perhaps"}, "respect_robots")],
)
def test_bad_values_are_clear_errors(env, message):
    with pytest.raises(ConfigError, match=message):
        load_settings(env=env)


def test_unknown_key_in_file(tmp_path):
    config = tmp_path / "akhbar.toml"
    config.write_text("min_delay_per_host = 1\n")
    with pytest.raises(ConfigError, match="unknown setting 'min_delay_per_host'"):
        load_settings(config, env={})
