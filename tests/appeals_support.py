"""Shared pieces of the appeals tests: a small database with accounts, signed-in clients, and
real files (photos with GPS EXIF, MP4/MOV/WebM made by ffmpeg, disguised scripts, polyglots)."""
from __future__ import annotations

import io
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from dashboard.accounts import User
from dashboard.account_admin import add_user
from dashboard.appeals import workflow
from dashboard.config import Config, load_config
from dashboard.db import make_engine, upgrade
from dashboard.demo.load import load_demo
from dashboard.schema import appeal_attachments, appeals, institutions
from tests.conftest import BACKENDS, _fresh_url

PASSWORD = "correct horse battery"
ROLES = ("anonymous", "official_own", "official_other", "moderator", "admin", "analyst")


@dataclass
class AppealsWorld:
    """An app on its own database: institutions A and B, one account per role."""

    url: str
    config: Config
    app: object
    engine: object
    bin_a: str
    bin_b: str
    id_a: int
    id_b: int
    users: dict = field(default_factory=dict)  # role → User
    clients: dict = field(default_factory=dict)

    @property
    def uploads(self) -> Path:
        return self.config.upload_dir

    def client(self, role: str):
        """A test client signed in as `role` (kept for the module), with a CSRF token."""
        if role not in self.clients:
            client = self.app.server.test_client()
            with client.session_transaction() as session:
                session["csrf"] = "test-token"
            if role != "anonymous":
                response = client.post("/auth/login", data={"csrf_token": "test-token", "username": role,
                                                            "password": PASSWORD},
                                       headers={"Accept": "application/json"})
                assert response.status_code == 200, response.data
                with client.session_transaction() as session:
                    session["csrf"] = "test-token"
            self.clients[role] = client
        return self.clients[role]

    def post_appeal(self, bin_: str | None = None, files=(), **fields):
        data = {"csrf_token": "test-token", "institution": bin_ or self.bin_a, "kind": "question",
                "body": "The school roof leaks although repairs were paid.", **fields}
        if files:
            data["files"] = [(io.BytesIO(content), name) for name, content in files]
        return self.client("anonymous").post("/appeals/new", data=data, headers={"Accept": "application/json"},
                                             content_type="multipart/form-data")

    def new_appeal(self, bin_: str | None = None, state: str = "new") -> dict:
        """An appeal moved to `state` (new, in_review, answered, hidden, published) by staff."""
        response = self.post_appeal(bin_)
        assert response.status_code == 201, response.data
        with self.engine.connect() as conn:
            row = conn.execute(select(appeals).where(appeals.c.tracking_code == response.json["tracking_code"])
                               ).mappings().one()
        moderator = self.users["moderator"]
        if state in ("in_review", "answered", "hidden", "published"):
            workflow.transition(self.engine, moderator, row["id"], "approve", None)
        if state == "answered":
            owner = self.users["official_own"] if row["institution_id"] == self.id_a else self.users["official_other"]
            workflow.transition(self.engine, owner, row["id"], "answer", "We will fix it in May.")
        if state == "hidden":
            workflow.transition(self.engine, moderator, row["id"], "hide", "insults")
        return self.appeal(row["id"])

    def appeal(self, appeal_id: int) -> dict:
        with self.engine.connect() as conn:
            return dict(conn.execute(select(appeals).where(appeals.c.id == appeal_id)).mappings().one())

    def stored_files(self) -> set[str]:
        return {p.name for p in (self.uploads / "appeals").iterdir()} | {
            p.name for p in (self.uploads / ".staging").iterdir()}

    def attachment_names(self) -> set[str]:
        with self.engine.connect() as conn:
            return set(conn.execute(select(appeal_attachments.c.stored_name)).scalars())


def build_world(url: str, tmp: Path, **env) -> AppealsWorld:
    from app import create_app

    upgrade(url)
    engine = make_engine(url)
    load_demo(engine, institutions=12, years=[2024], seed=5, progress=False)
    with engine.connect() as conn:
        (id_a, bin_a), (id_b, bin_b) = conn.execute(
            select(institutions.c.id, institutions.c.bin).order_by(institutions.c.id).limit(2)).all()
    config = load_config({"DATABASE_URL": url, "ASHYQ_VAR_DIR": str(tmp), "UPLOAD_DIR": str(tmp / "uploads"),
                          "APPEAL_RATE_LIMIT": "1000 per minute", "APPEAL_TRY_LIMIT": "1000 per minute", "LOGIN_RATE_LIMIT": "1000 per minute",
                          "APPEAL_INSTITUTION_LIMIT": "1000 per minute", "APPEAL_GLOBAL_LIMIT": "1000 per minute",
                          "CALLBACK_RATE_LIMIT": "10000 per minute",
                          "MAX_PHOTO_MB": "1", "MAX_VIDEO_MB": "3", **env})
    world = AppealsWorld(url, config, create_app(config), engine, bin_a, bin_b, id_a, id_b)
    accounts = {"official_own": ("official", [bin_a]), "official_other": ("official", [bin_b]),
                "moderator": ("moderator", []), "admin": ("admin", []), "analyst": ("analyst", [])}
    for username, (role, bins) in accounts.items():
        user_id = add_user(engine, username, username.replace("_", " ").title(), PASSWORD, role, bins)
        world.users[username] = User(user_id, username, username, role, [id_a] if bins == [bin_a] else
                                     [id_b] if bins else [])
    return world


@pytest.fixture(scope="module", params=BACKENDS)
def world(request, tmp_path_factory):
    """A module-wide appeals world per backend (SQLite and PostgreSQL)."""
    tmp = tmp_path_factory.mktemp("appeals")
    built = build_world(_fresh_url(request.param, request, tmp_path_factory), tmp)
    yield built
    built.engine.dispose()


# --- real files ------------------------------------------------------------------------------

def jpeg_with_gps(size=(64, 32), orientation: int = 1) -> bytes:
    """A JPEG carrying EXIF GPS coordinates (Almaty), a camera model and an orientation tag."""
    img = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x0110] = "SecretPhone 12"  # Model
    exif[0x0112] = orientation
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (43.0, 14.0, 18.0), 3: "E", 4: (76.0, 53.0, 40.0)})
    out = io.BytesIO()
    img.save(out, "JPEG", exif=exif, quality=90)
    return out.getvalue()


def png_with_text() -> bytes:
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Comment", "gps 43.238949 76.889709")
    out = io.BytesIO()
    Image.new("RGBA", (20, 20), (0, 128, 0, 255)).save(out, "PNG", pnginfo=info)
    return out.getvalue()


def webp() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (20, 20), "blue").save(out, "WEBP")
    return out.getvalue()


def video(fmt: str, *extra: str) -> bytes:
    """One second of a test pattern encoded by ffmpeg: 'mp4', 'mov' or 'webm' (extra: ffmpeg options)."""
    import tempfile

    import imageio_ffmpeg

    codec = ["-c:v", "libvpx-vp9"] if fmt == "webm" else ["-c:v", "libx264", "-pix_fmt", "yuv420p"]
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / f"clip.{fmt}"
        subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i",
                        "testsrc=size=64x48:rate=5", "-t", "1", *codec, *extra, str(out)],
                       capture_output=True, check=True, timeout=60)
        return out.read_bytes()


HTML_PAGE = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
PHP_SCRIPT = b"<?php system($_GET['cmd']); ?>\n"
