"""All configuration, read once from the environment with safe defaults."""
from __future__ import annotations

import logging
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_VAR_DIR = ROOT / "var"


class ConfigError(RuntimeError):
    """Raised when the environment cannot give a usable configuration."""


def _secret_key(env: str, var_dir: Path, env_vars) -> str:
    key = env_vars.get("SECRET_KEY")
    if key:
        return key
    if env == "production":
        raise ConfigError("SECRET_KEY must be set when ASHYQ_ENV=production")
    # Local runs keep one generated key so sessions survive restarts.
    path = var_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key


def _positive_int(env_vars, name: str, default: int) -> int:
    raw = env_vars.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a whole number") from None
    if value < 1:
        raise ConfigError(f"{name}={raw!r} must be at least 1")
    return value


@dataclass(frozen=True)
class Config:
    """The settings the app, the CLI and the tests share."""

    env: str
    database_url: str
    boundaries_path: Path | None
    upload_dir: Path
    secret_key: str
    log_level: str
    tiles_url: str
    var_dir: Path = field(default=DEFAULT_VAR_DIR)
    # Appeals and accounts (issue 6).
    answer_deadline_days: int = 15  # working days an institution has to answer an appeal
    max_photo_bytes: int = 10 * 1024 * 1024
    max_video_bytes: int = 100 * 1024 * 1024
    max_document_bytes: int = 20 * 1024 * 1024
    appeal_rate_limit: str = "5 per minute;30 per day"  # accepted appeals
    appeal_try_limit: str = "30 per minute;300 per day"  # every post, rejected ones too (drafts are written)
    login_rate_limit: str = "10 per minute;100 per day"
    ratelimit_storage_uri: str = "memory://"
    secure_cookies: bool = False  # also Secure whenever the request came over HTTPS

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def load_config(environ: dict[str, str] | None = None) -> Config:
    """Build the configuration from environment variables (or a given mapping)."""
    env_vars = os.environ if environ is None else environ
    var_dir = Path(env_vars.get("ASHYQ_VAR_DIR", DEFAULT_VAR_DIR))
    env = env_vars.get("ASHYQ_ENV", "development")
    url = env_vars.get("DATABASE_URL") or f"sqlite:///{var_dir / 'ashyq.sqlite3'}"
    if url.startswith("postgres://") or url.startswith("postgresql://"):
        # psycopg 3 is the driver we ship; plain URLs would pick psycopg2.
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    if url.startswith("sqlite:///"):
        Path(url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
    boundaries = env_vars.get("BOUNDARIES_PATH")
    level = env_vars.get("LOG_LEVEL", "INFO").upper()
    if level not in logging.getLevelNamesMapping():
        raise ConfigError(f"LOG_LEVEL={level!r} is not a logging level")
    return Config(
        env=env,
        database_url=url,
        boundaries_path=Path(boundaries) if boundaries else None,
        upload_dir=Path(env_vars.get("UPLOAD_DIR", var_dir / "uploads")),
        secret_key=_secret_key(env, var_dir, env_vars),
        log_level=level,
        tiles_url=env_vars.get("TILES_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png"),
        var_dir=var_dir,
        answer_deadline_days=_positive_int(env_vars, "ANSWER_DEADLINE_WORKING_DAYS", 15),
        max_photo_bytes=_positive_int(env_vars, "MAX_PHOTO_MB", 10) * 1024 * 1024,
        max_video_bytes=_positive_int(env_vars, "MAX_VIDEO_MB", 100) * 1024 * 1024,
        max_document_bytes=_positive_int(env_vars, "MAX_DOCUMENT_MB", 20) * 1024 * 1024,
        appeal_rate_limit=env_vars.get("APPEAL_RATE_LIMIT", "5 per minute;30 per day"),
        appeal_try_limit=env_vars.get("APPEAL_TRY_LIMIT", "30 per minute;300 per day"),
        login_rate_limit=env_vars.get("LOGIN_RATE_LIMIT", "10 per minute;100 per day"),
        ratelimit_storage_uri=env_vars.get("RATELIMIT_STORAGE_URI", "memory://"),
        secure_cookies=env == "production" or env_vars.get("SESSION_COOKIE_SECURE", "") == "1",
    )
