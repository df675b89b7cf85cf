"""Configuration from environment variables."""
import pytest

from dashboard.config import ConfigError, load_config


def test_defaults_use_sqlite_under_var(tmp_path):
    config = load_config({"ASHYQ_VAR_DIR": str(tmp_path)})
    assert config.database_url == f"sqlite:///{tmp_path / 'ashyq.sqlite3'}"
    assert config.is_sqlite and config.boundaries_path is None
    assert config.upload_dir == tmp_path / "uploads"
    assert config.log_level == "INFO"


def test_secret_key_is_generated_once_and_kept(tmp_path):
    first = load_config({"ASHYQ_VAR_DIR": str(tmp_path)}).secret_key
    second = load_config({"ASHYQ_VAR_DIR": str(tmp_path)}).secret_key
    assert first == second and len(first) == 64
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_production_requires_a_secret_key(tmp_path):
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_config({"ASHYQ_VAR_DIR": str(tmp_path), "ASHYQ_ENV": "production"})
    config = load_config({"ASHYQ_VAR_DIR": str(tmp_path), "ASHYQ_ENV": "production", "SECRET_KEY": "s3",
                          "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379"})
    assert config.secret_key == "s3"
    assert not (tmp_path / "secret_key").exists()


def test_plain_postgres_urls_get_the_psycopg3_driver(tmp_path):
    config = load_config({"ASHYQ_VAR_DIR": str(tmp_path), "DATABASE_URL": "postgres://u@h:5432/db"})
    assert config.database_url == "postgresql+psycopg://u@h:5432/db"
    assert not config.is_sqlite


def test_paths_and_log_level(tmp_path):
    config = load_config({"ASHYQ_VAR_DIR": str(tmp_path), "BOUNDARIES_PATH": "/data/kz.geojson",
                          "UPLOAD_DIR": "/srv/uploads", "LOG_LEVEL": "debug"})
    assert str(config.boundaries_path) == "/data/kz.geojson"
    assert str(config.upload_dir) == "/srv/uploads"
    assert config.log_level == "DEBUG"
    with pytest.raises(ConfigError, match="LOG_LEVEL"):
        load_config({"ASHYQ_VAR_DIR": str(tmp_path), "LOG_LEVEL": "loud"})


def test_production_refuses_rate_limits_kept_in_memory(tmp_path):
    production = {"ASHYQ_VAR_DIR": str(tmp_path), "ASHYQ_ENV": "production", "SECRET_KEY": "s3"}
    with pytest.raises(ConfigError, match=r"RATELIMIT_STORAGE_URI=memory:// .*set RATELIMIT_STORAGE_URI=redis://"):
        load_config(production)
    with pytest.raises(ConfigError, match="RATELIMIT_STORAGE_URI=memory://"):
        load_config({**production, "RATELIMIT_STORAGE_URI": "memory://"})
    assert load_config({**production, "RATELIMIT_STORAGE_URI": "redis://r:6379"}).ratelimit_storage_uri == "redis://r:6379"
    assert load_config({"ASHYQ_VAR_DIR": str(tmp_path)}).ratelimit_storage_uri == "memory://"


def test_limit_settings(tmp_path):
    config = load_config({"ASHYQ_VAR_DIR": str(tmp_path)})
    assert (config.trusted_proxies, config.callback_max_bytes, config.callback_rate_limit) == (0, 512 * 1024,
                                                                                                "600 per minute")
    assert (config.appeal_institution_limit, config.appeal_global_limit) == ("20 per hour", "600 per hour")
    config = load_config({"ASHYQ_VAR_DIR": str(tmp_path), "TRUSTED_PROXIES": "2", "CALLBACK_MAX_BYTES": "1000",
                          "APPEAL_INSTITUTION_LIMIT": "5 per hour", "RATELIMIT_KEY_PREFIX": "site2"})
    assert (config.trusted_proxies, config.callback_max_bytes) == (2, 1000)
    assert (config.appeal_institution_limit, config.ratelimit_key_prefix) == ("5 per hour", "site2")
    for name, value in (("TRUSTED_PROXIES", "-1"), ("TRUSTED_PROXIES", "one"), ("CALLBACK_MAX_BYTES", "0")):
        with pytest.raises(ConfigError, match=name):
            load_config({"ASHYQ_VAR_DIR": str(tmp_path), name: value})
