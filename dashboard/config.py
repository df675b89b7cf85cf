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


def _storage_uri(env: str, env_vars) -> str:
    """RATELIMIT_STORAGE_URI; `memory://` counts per worker, so production refuses it (the app
    warns about it elsewhere)."""
    uri = env_vars.get("RATELIMIT_STORAGE_URI") or "memory://"
    if uri.startswith("memory://") and env == "production":
        raise ConfigError("RATELIMIT_STORAGE_URI=memory:// keeps rate limits per worker process; "
                          "set RATELIMIT_STORAGE_URI=redis://HOST:6379 when ASHYQ_ENV=production")
    return uri


def _count(env_vars, name: str, default: int) -> int:
    """A whole number ≥ 0 (0 allowed, unlike _positive_int)."""
    raw = env_vars.get(name)
    if raw is None or raw == "":
        return default
    if not raw.strip().isdigit():
        raise ConfigError(f"{name}={raw!r} must be a whole number, 0 or more")
    return int(raw)


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
    ratelimit_key_prefix: str = "ashyq"  # several sites (or test runs) can share one Redis
    # Floods from many addresses: accepted appeals per institution and on the whole site.
    appeal_institution_limit: str = "20 per hour"
    appeal_global_limit: str = "600 per hour"
    trusted_proxies: int = 0  # reverse proxy hops whose X-Forwarded-For/-Proto/-Host are believed
    callback_max_bytes: int = 512 * 1024  # bodies of Dash callbacks and other non-upload requests
    callback_rate_limit: str = "600 per minute"  # anonymous Dash callbacks per address
    secure_cookies: bool = False  # also Secure whenever the request came over HTTPS
    staff_idle_minutes: int = 30  # a staff session unused this long is signed out
    staff_session_hours: int = 12  # and any staff session after this long
    # Checking one attachment in its sandbox (issue 15): CPU for a photo / a video or PDF, extra
    # memory, wall clock (keep 5 x this under gunicorn's --timeout), and the largest photo.
    attachment_cpu_seconds: int = 3
    attachment_video_cpu_seconds: int = 4
    attachment_memory_mb: int = 1024
    attachment_wall_seconds: int = 5
    attachment_max_megapixels: int = 60
    # Public reads from a streaming replica (issue 11); None: everything on database_url.
    database_read_url: str | None = None
    # Response cache (issue 11): Redis shared by every worker when set, else per process in memory.
    redis_url: str = ""
    cache_max_mb: int = 256  # the in-memory cache's bound (0: no response cache)
    cache_ttl_seconds: int = 600  # also bounds how stale a clock-based "overdue" count can get
    data_version_ttl: int = 0  # seconds one process reuses the data version it read (1 in production)
    live_poll_seconds: int = 60  # how often open explorer, institution and /present pages poll /api/v1/version
    port: int = 8050  # `python -m dashboard run` listens here unless --port says otherwise

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def _port(env_vars) -> int:
    """PORT: a TCP port, 1–65535 (default 8050)."""
    port = _positive_int(env_vars, "PORT", 8050)
    if port > 65535:
        raise ConfigError(f"PORT={port} must be a TCP port from 1 to 65535")
    return port


def _read_url(env_vars) -> str | None:
    """DATABASE_READ_URL with the psycopg 3 driver, like DATABASE_URL; None when unset."""
    url = env_vars.get("DATABASE_READ_URL") or None
    if url and (url.startswith("postgres://") or url.startswith("postgresql://")):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


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
        ratelimit_storage_uri=_storage_uri(env, env_vars),
        ratelimit_key_prefix=env_vars.get("RATELIMIT_KEY_PREFIX", "ashyq"),
        appeal_institution_limit=env_vars.get("APPEAL_INSTITUTION_LIMIT", "20 per hour"),
        appeal_global_limit=env_vars.get("APPEAL_GLOBAL_LIMIT", "600 per hour"),
        trusted_proxies=_count(env_vars, "TRUSTED_PROXIES", 0),
        callback_max_bytes=_positive_int(env_vars, "CALLBACK_MAX_BYTES", 512 * 1024),
        callback_rate_limit=env_vars.get("CALLBACK_RATE_LIMIT", "600 per minute"),
        secure_cookies=env == "production" or env_vars.get("SESSION_COOKIE_SECURE", "") == "1",
        staff_idle_minutes=_positive_int(env_vars, "STAFF_IDLE_MINUTES", 30),
        staff_session_hours=_positive_int(env_vars, "STAFF_SESSION_HOURS", 12),
        attachment_cpu_seconds=_positive_int(env_vars, "ATTACHMENT_CPU_SECONDS", 3),
        attachment_video_cpu_seconds=_positive_int(env_vars, "ATTACHMENT_VIDEO_CPU_SECONDS", 4),
        attachment_memory_mb=_positive_int(env_vars, "ATTACHMENT_MEMORY_MB", 1024),
        attachment_wall_seconds=_positive_int(env_vars, "ATTACHMENT_WALL_SECONDS", 5),
        attachment_max_megapixels=_positive_int(env_vars, "ATTACHMENT_MAX_MEGAPIXELS", 60),
        database_read_url=_read_url(env_vars),
        redis_url=env_vars.get("REDIS_URL", ""),
        cache_max_mb=_count(env_vars, "CACHE_MAX_MB", 256),
        cache_ttl_seconds=_positive_int(env_vars, "CACHE_TTL", 600),
        # Production: a burst costs one version read per second per process. Elsewhere 0, so a
        # test (or a developer) that writes and reads at once always sees its own write.
        data_version_ttl=_count(env_vars, "DATA_VERSION_TTL", 1 if env == "production" else 0),
        live_poll_seconds=_positive_int(env_vars, "LIVE_POLL_SECONDS", 60),
        port=_port(env_vars),
    )
