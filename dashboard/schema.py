"""The database schema (SQLAlchemy Core), identical on SQLite and PostgreSQL.

Money columns are BIGINT tiyn (1 tenge = 100 tiyn): SQLite would store NUMERIC as a float.
Alembic migrations in `migrations/` build exactly this metadata; a test compares them.
"""
from __future__ import annotations

from sqlalchemy import (
    BigInteger, Boolean, CheckConstraint, Column, DateTime, Float, ForeignKey, ForeignKeyConstraint,
    Index, Integer, MetaData, SmallInteger, String, Table, Text, UniqueConstraint, false, func, text, true,
)

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = MetaData(naming_convention=NAMING)

MONEY_COLUMNS = ("plan", "plan_adjusted", "obligations", "paid")


def _names(required_en: bool = True) -> list[Column]:
    return [
        Column("name_kk", Text, nullable=False),
        Column("name_ru", Text, nullable=False),
        Column("name_en", Text, nullable=not required_en),
    ]


def _money() -> list[Column]:
    return [Column(name, BigInteger, nullable=False, server_default="0") for name in MONEY_COLUMNS]


regions = Table(
    "regions", metadata,
    Column("code", String(8), primary_key=True),  # ISO 3166-2, e.g. KZ-11
    *_names(),
    Column("center_name_kk", Text, nullable=False),
    Column("center_name_ru", Text, nullable=False),
    Column("center_name_en", Text, nullable=False),
    Column("center_lat", Float, nullable=False),
    Column("center_lon", Float, nullable=False),
    Column("sort_order", SmallInteger, nullable=False),
)

region_population = Table(
    "region_population", metadata,
    Column("region_code", String(8), ForeignKey("regions.code"), primary_key=True),
    Column("year", SmallInteger, primary_key=True),
    Column("population", Integer, nullable=False),
    CheckConstraint("population >= 0", name="population_nonnegative"),
)

districts = Table(
    "districts", metadata,
    Column("code", String(16), primary_key=True),
    Column("region_code", String(8), ForeignKey("regions.code"), nullable=False, index=True),
    Column("kind", String(16), nullable=False),  # district | city | city_district
    *_names(),
    Column("center_name_kk", Text, nullable=False),
    Column("center_name_ru", Text, nullable=False),
    Column("center_lat", Float, nullable=False),
    Column("center_lon", Float, nullable=False),
    Column("population", Integer, nullable=False),
)

sectors = Table(
    "sectors", metadata,
    Column("code", String(24), primary_key=True),
    *_names(),
    Column("color", String(7), nullable=False),
    Column("icon", String(48), nullable=False),
    Column("sort_order", SmallInteger, nullable=False),
)

functional_groups = Table(
    "functional_groups", metadata,
    Column("code", String(2), primary_key=True),  # 01..16
    *_names(),
    Column("sector_code", String(24), ForeignKey("sectors.code"), nullable=False),
)

# Administrators of budget programs (АБП), the 3-digit code before a program (464 in 464-003).
# programs.administrator is not a declared foreign key (SQLite would rebuild programs and what
# refers to it); the seed and `python -m dashboard import classification` keep every program's
# administrator here.
administrators = Table(
    "administrators", metadata,
    Column("code", String(3), primary_key=True),
    *_names(),
)

programs = Table(
    "programs", metadata,
    Column("code", String(7), primary_key=True),  # administrator-program, e.g. 464-003
    Column("functional_group", String(2), ForeignKey("functional_groups.code"), nullable=False),
    Column("administrator", String(3), nullable=False),
    *_names(),
)

subprograms = Table(
    "subprograms", metadata,
    Column("program_code", String(7), ForeignKey("programs.code"), primary_key=True),
    Column("code", String(3), primary_key=True),
    *_names(),
)

specifics = Table(
    "specifics", metadata,
    Column("code", SmallInteger, primary_key=True),  # economic specific, e.g. 111
    Column("category", String(16), nullable=False),  # wages, taxes, goods, services, capital...
    *_names(),
)

institution_types = Table(
    "institution_types", metadata,
    Column("code", String(24), primary_key=True),
    *_names(),
    Column("sector_code", String(24), ForeignKey("sectors.code"), nullable=False),
    Column("unit_kind", String(16)),  # pupils, children, students, beds, km, clients... or NULL
)

institutions = Table(
    "institutions", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("bin", String(12), nullable=False, unique=True),
    Column("name_kk", Text, nullable=False),
    Column("name_ru", Text, nullable=False),
    Column("name_en", Text),
    Column("type_code", String(24), ForeignKey("institution_types.code"), nullable=False),
    Column("sector_code", String(24), ForeignKey("sectors.code"), nullable=False),
    Column("region_code", String(8), ForeignKey("regions.code"), nullable=False),
    Column("district_code", String(16), ForeignKey("districts.code"), nullable=False),
    Column("address", Text, nullable=False),  # as published (Russian)
    Column("address_kk", Text),  # the same address in Kazakh, where the source has it
    Column("lat", Float, nullable=False),
    Column("lon", Float, nullable=False),
    Column("budget_level", String(12), nullable=False),
    Column("capacity_unit", String(16)),
    Column("capacity", Integer),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    CheckConstraint("budget_level IN ('republican', 'regional', 'district')", name="budget_level"),
    CheckConstraint("lat BETWEEN 40 AND 56 AND lon BETWEEN 46 AND 88", name="inside_kz_bbox"),
    CheckConstraint("capacity IS NULL OR capacity > 0", name="capacity_positive"),
    Index("ix_institutions_region_sector", "region_code", "sector_code"),
    Index("ix_institutions_district_sector", "district_code", "sector_code"),
    # An institution's peer group with capacities, read from the index alone.
    Index("ix_institutions_type_region", "type_code", "region_code", "id", "capacity"),
)

# How many institutions each region, district, sector and type holds together: the open-data
# listing's total without a year or a text is a sum over these few thousand rows instead of a count
# of every institution (issue 11). Kept by triggers on institutions in the same transaction
# (migration 0024).
institution_counts = Table(
    "institution_counts", metadata,
    Column("region_code", String(8), primary_key=True),
    Column("district_code", String(16), primary_key=True),
    Column("sector_code", String(24), primary_key=True),
    Column("type_code", String(24), primary_key=True),
    Column("institutions", Integer, nullable=False),
)

# On PostgreSQL the three references of budget_lines are enforced by set-based triggers
# (migration 0008: one check per statement instead of three per row); SQLite keeps them as
# declared foreign keys.
budget_lines = Table(
    "budget_lines", metadata,
    Column("institution_id", Integer, ForeignKey("institutions.id"), primary_key=True),
    Column("year", SmallInteger, primary_key=True),
    Column("month", SmallInteger, primary_key=True),
    Column("program_code", String(7), primary_key=True),
    Column("subprogram_code", String(3), primary_key=True),
    Column("specific_code", SmallInteger, ForeignKey("specifics.code"), primary_key=True),
    *_money(),
    ForeignKeyConstraint(["program_code", "subprogram_code"],
                         ["subprograms.program_code", "subprograms.code"],
                         name="fk_budget_lines_subprogram"),
    CheckConstraint("month BETWEEN 1 AND 12", name="month_range"),
    CheckConstraint("plan >= 0 AND plan_adjusted >= 0 AND obligations >= 0 AND paid >= 0",
                    name="money_nonnegative"),
)

documents = Table(
    "documents", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("institution_id", Integer, ForeignKey("institutions.id"), nullable=False),
    Column("year", SmallInteger, nullable=False),
    Column("title", Text, nullable=False),
    Column("kind", String(32), nullable=False),  # budget, financing_plan, report, contract, act
    Column("file_ref", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_documents_institution_year", "institution_id", "year"),
)

publications = Table(
    "publications", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("published_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("source", String(32), nullable=False),  # demo, import, boundaries...
    Column("kind", String(32), nullable=False),  # institutions, lines, full
    Column("description", Text, nullable=False),
    Column("institutions", Integer, nullable=False, server_default="0"),
    Column("lines", BigInteger, nullable=False, server_default="0"),
    Column("published_by", Text),  # who: the signed-in account of a web upload; NULL otherwise
)

# The lines' history (migration 0019, written by triggers on budget_lines): per change, the values
# a line had before it (NULL amounts: the line did not exist), the values written and the
# publication that wrote them (valid_until: the one the writing transaction reserved in
# line_history_publication, else stamped by the publications row it logs). Lets any view be
# computed as of a publication (queries/asof.py). A demo load starts a new history.
budget_line_versions = Table(
    "budget_line_versions", metadata,
    Column("institution_id", Integer, nullable=False),
    Column("year", SmallInteger, nullable=False),
    Column("month", SmallInteger, nullable=False),
    Column("program_code", String(7), nullable=False),
    Column("subprogram_code", String(3), nullable=False),
    Column("specific_code", SmallInteger, nullable=False),
    *[Column(name, BigInteger) for name in MONEY_COLUMNS],
    Column("valid_until", Integer),
    # The amounts written (NULL: the line was deleted): one line's changes chain, so Σ(new − old)
    # over the changes after a publication is what changed since, summed over any area at once.
    *[Column(f"new_{name}", BigInteger) for name in MONEY_COLUMNS],
    Index("ix_budget_line_versions_institution", "institution_id", "valid_until"),
    Index("ix_budget_line_versions_valid_until", "valid_until"),
)

# The lines' history summed per publication, institution, year and month (migration 0019, written
# by the publications row's trigger from that publication's history rows): `delta_*` is the amounts
# then − now (old − new) and `delta_lines` the lines then − now over that publication's changes,
# `changes` how many history rows they sum. An area's view as of a publication reads these, one row
# per institution and month changed, instead of every changed line (by year and publication); a
# map popup reads one institution's (the key's prefix).
line_history_sums = Table(
    "line_history_sums", metadata,
    Column("institution_id", Integer, primary_key=True, autoincrement=False),
    Column("year", SmallInteger, primary_key=True, autoincrement=False),
    Column("month", SmallInteger, primary_key=True, autoincrement=False),
    Column("valid_until", Integer, primary_key=True, autoincrement=False),
    # Where the institution is now (kept so by a trigger on institutions): an area's changes are
    # summed without a join, and "placed where they are now" holds for the history as well.
    Column("region_code", String(8), nullable=False),
    Column("district_code", String(16), nullable=False),
    Column("sector_code", String(24), nullable=False),
    *[Column(f"delta_{name}", BigInteger, nullable=False) for name in MONEY_COLUMNS],
    Column("delta_lines", Integer, nullable=False),
    Column("changes", Integer, nullable=False),
    Index("ix_line_history_sums_year", "year", "valid_until"),
    # The few sums that moved a number of lines (which years and institutions were there then).
    Index("ix_line_history_sums_moved", "valid_until", postgresql_where=text("delta_lines <> 0"),
          sqlite_where=text("delta_lines <> 0")),
)

# line_history_sums added up per publication, year, month and place (migration 0019, the same
# triggers): the money then − now of an area, what the explorer's panels as of a publication read.
line_history_area = Table(
    "line_history_area", metadata,
    Column("year", SmallInteger, primary_key=True, autoincrement=False),
    Column("valid_until", Integer, primary_key=True, autoincrement=False),
    Column("region_code", String(8), primary_key=True),
    Column("district_code", String(16), primary_key=True),
    Column("sector_code", String(24), primary_key=True),
    Column("month", SmallInteger, primary_key=True, autoincrement=False),
    *[Column(f"delta_{name}", BigInteger, nullable=False) for name in MONEY_COLUMNS],
)

# The publication id an import reserved for the history rows it writes (one row, only inside the
# import's transaction: queries/bulk.py reserved_publication).
line_history_publication = Table(
    "line_history_publication", metadata,
    Column("publication_id", Integer, primary_key=True, autoincrement=False),
)

# Rollups: kept equal to sums over budget_lines in the same transaction as every write.
rollup_region_sector_month = Table(
    "rollup_region_sector_month", metadata,
    Column("region_code", String(8), ForeignKey("regions.code"), primary_key=True),
    Column("sector_code", String(24), ForeignKey("sectors.code"), primary_key=True),
    Column("year", SmallInteger, primary_key=True),
    Column("month", SmallInteger, primary_key=True),
    *_money(),
    Column("institutions", Integer, nullable=False),
    Index("ix_rollup_rsm_year", "year", "month"),
)

rollup_district_sector_month = Table(
    "rollup_district_sector_month", metadata,
    Column("district_code", String(16), ForeignKey("districts.code"), primary_key=True),
    Column("sector_code", String(24), ForeignKey("sectors.code"), primary_key=True),
    Column("year", SmallInteger, primary_key=True),
    Column("month", SmallInteger, primary_key=True),
    Column("region_code", String(8), ForeignKey("regions.code"), nullable=False),
    *_money(),
    Column("institutions", Integer, nullable=False),
    Index("ix_rollup_dsm_region_year", "region_code", "year"),
)

rollup_institution_year = Table(
    "rollup_institution_year", metadata,
    Column("institution_id", Integer, ForeignKey("institutions.id"), primary_key=True),
    Column("year", SmallInteger, primary_key=True),
    *_money(),
    Index("ix_rollup_iy_year_plan", "year", "plan_adjusted"),
)

# Per institution and month: lets the explorer's top institutions follow a month range
# without reading budget_lines (about 17,000 × 12 rows a year at full-country scale).
rollup_institution_month = Table(
    "rollup_institution_month", metadata,
    Column("institution_id", Integer, ForeignKey("institutions.id"), primary_key=True),
    Column("year", SmallInteger, primary_key=True),
    Column("month", SmallInteger, primary_key=True),
    *_money(),
    # Covers the month-range ranking of top institutions (PostgreSQL reads the index alone).
    Index("ix_rollup_im_year_month", "year", "month",
          postgresql_include=["institution_id", "plan_adjusted", "paid"]),
)

# Per institution, year and economic specific: the institution page's breakdown, year over
# year and peer comparison. The institution's type and region are copied in (kept in step when an
# institution moves) so a peer group is one range of ix_rollup_isy_peers, read in one plan
# whatever its size, instead of hundreds of institutions' lines.
rollup_institution_specific_year = Table(
    "rollup_institution_specific_year", metadata,
    Column("institution_id", Integer, ForeignKey("institutions.id"), primary_key=True),
    Column("year", SmallInteger, primary_key=True),
    Column("specific_code", SmallInteger, primary_key=True),
    Column("type_code", String(24), nullable=False),
    Column("region_code", String(8), nullable=False),
    *_money(),
    # A peer group is one range; with the specific and the amount, how many peers spend less on a
    # specific is a count within the index.
    Index("ix_rollup_isy_peers", "year", "type_code", "region_code", "specific_code", "plan_adjusted"),
)

# Per peer group (institutions of one type and region) and economic specific, per year: what the
# institution page compares an institution with, kept with the rollup above (queries/peer_groups.py),
# so a page reads a few rows instead of the whole group (up to 25,000 rows at 50,000 institutions).
# The quartiles and the median are stored as the two sorted values they lie between (the exact
# quantile follows from `peers`); the median per unit (tiyn per pupil, bed...) of the peers with a
# capacity as the two ratios, numerator and denominator, it lies between.
rollup_peer_groups = Table(
    "rollup_peer_groups", metadata,
    Column("year", SmallInteger, primary_key=True),
    Column("type_code", String(24), primary_key=True),
    Column("region_code", String(8), primary_key=True),
    Column("specific_code", SmallInteger, primary_key=True),
    Column("peers", Integer, nullable=False),
    *[Column(f"{q}_{end}", BigInteger, nullable=False) for q in ("q1", "median", "q3") for end in ("low", "high")],
    Column("unit_peers", Integer, nullable=False, server_default="0"),
    Column("unit_low_amount", BigInteger),
    Column("unit_low_capacity", BigInteger),
    Column("unit_high_amount", BigInteger),
    Column("unit_high_capacity", BigInteger),
)

# Leaders of every month range (January alone to the whole year), per year, region and sector: the
# institutions with the largest adjusted plan over it, ranked as the explorer ranks (plan
# descending, then id), and how many institutions had lines in it (repeated on each row). Derived
# from rollup_institution_month like the peer groups (queries/range_leaders.py), so the explorer's
# top five and institution count for a country, region or sector read a few hundred rows, whatever
# the number of institutions.
rollup_range_leaders = Table(
    "rollup_range_leaders", metadata,
    Column("year", SmallInteger, primary_key=True),
    Column("first_month", SmallInteger, primary_key=True),
    Column("last_month", SmallInteger, primary_key=True),
    Column("region_code", String(8), primary_key=True),
    Column("sector_code", String(24), primary_key=True),
    Column("rank", SmallInteger, primary_key=True),
    Column("institution_id", Integer, nullable=False),
    Column("plan_adjusted", BigInteger, nullable=False),
    Column("paid", BigInteger, nullable=False),
    Column("institutions", Integer, nullable=False),
)

demo_anomalies = Table(
    "demo_anomalies", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(32), nullable=False),
    Column("institution_id", Integer, ForeignKey("institutions.id"), nullable=False, index=True),
    Column("year", SmallInteger, nullable=False),
    Column("month", SmallInteger),  # NULL when the anomaly spans the year
    Column("specific_code", SmallInteger, ForeignKey("specifics.code")),
    Column("description", Text, nullable=False),
)

# Region polygons imported by `python -m dashboard import boundaries` (simplified GeoJSON), so
# the map does not need the file at run time.
region_boundaries = Table(
    "region_boundaries", metadata,
    Column("region_code", String(8), ForeignKey("regions.code"), primary_key=True),
    Column("geometry", Text, nullable=False),  # GeoJSON geometry (Polygon or MultiPolygon)
    Column("vertices", Integer, nullable=False),
    Column("source", Text, nullable=False),
    Column("imported_at", DateTime(timezone=True), server_default=func.now(), nullable=False),
)

ROLLUP_TABLES = (rollup_region_sector_month, rollup_district_sector_month, rollup_institution_year,
                 rollup_institution_month, rollup_institution_specific_year, rollup_peer_groups,
                 rollup_range_leaders)

# --- Appeals and accounts (issue 6) ---------------------------------------------------------
users = Table(
    "users", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("display_name", Text, nullable=False),
    Column("password_hash", Text, nullable=False),  # argon2id
    Column("role", String(16), nullable=False),
    Column("active", Boolean, nullable=False, server_default=true()),
    # Bumped by logout, password change, disable and role change: a session cookie carries the
    # version it was issued under and is refused once it differs (server-side revocation).
    Column("session_version", Integer, nullable=False, server_default="0"),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    CheckConstraint("role IN ('official', 'moderator', 'admin', 'analyst')", name="role"),
)

user_institutions = Table(
    "user_institutions", metadata,
    Column("user_id", Integer, ForeignKey("users.id"), primary_key=True),
    Column("institution_id", Integer, ForeignKey("institutions.id"), primary_key=True, index=True),
)

APPEAL_KINDS = ("question", "comment", "discrepancy")
APPEAL_STATUSES = ("new", "in_review", "answered", "resolved", "rejected")
OPEN_STATUSES = ("new", "in_review")

appeals = Table(
    "appeals", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("tracking_code", String(24), nullable=False, unique=True),
    Column("institution_id", Integer, ForeignKey("institutions.id"), nullable=False),
    # Optional expenditure line the appeal is about (all four set or none).
    Column("line_year", SmallInteger),
    Column("line_program_code", String(7)),
    Column("line_subprogram_code", String(3)),
    Column("line_specific_code", SmallInteger),
    # The month of that line (the grid row asked about); NULL: the whole year (and appeals before 0012).
    Column("line_month", SmallInteger),
    Column("kind", String(16), nullable=False),
    Column("body", Text, nullable=False),
    Column("author_name", Text),
    Column("author_contact", Text),  # never shown publicly
    Column("status", String(16), nullable=False, server_default="new"),
    Column("published", Boolean, nullable=False, server_default=false()),
    Column("hidden_reason", Text),  # set when a moderator hid abusive content
    Column("reject_reason", Text),
    Column("answer", Text),
    Column("answered_by", Integer, ForeignKey("users.id")),
    Column("answered_at", DateTime(timezone=True)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("due_at", DateTime(timezone=True), nullable=False),
    CheckConstraint("kind IN ('question', 'comment', 'discrepancy')", name="kind"),
    CheckConstraint("status IN ('new', 'in_review', 'answered', 'resolved', 'rejected')", name="status"),
    Index("ix_appeals_institution_status", "institution_id", "status"),
    Index("ix_appeals_status_due", "status", "due_at"),
)

appeal_attachments = Table(
    "appeal_attachments", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("appeal_id", Integer, ForeignKey("appeals.id"), nullable=False, index=True),
    Column("kind", String(8), nullable=False),  # photo | video
    Column("content_type", String(32), nullable=False),
    Column("stored_name", String(64), nullable=False, unique=True),
    Column("size_bytes", BigInteger, nullable=False),
    Column("position", SmallInteger, nullable=False),
    # SHA-256 of the stored file (after metadata removal): evidence nobody can swap unnoticed.
    # NULL only for attachments stored before migration 0010.
    Column("sha256", String(64)),
)

# Append-only: triggers (migration 0004) reject UPDATE and DELETE on both databases.
appeal_events = Table(
    "appeal_events", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("appeal_id", Integer, ForeignKey("appeals.id"), nullable=False, index=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor_user_id", Integer, ForeignKey("users.id")),  # NULL: the citizen (no account)
    Column("actor_role", String(16), nullable=False),  # citizen, official, moderator, admin
    Column("action", String(16), nullable=False),  # created, approved, rejected, hidden, answered...
    Column("from_status", String(16)),
    Column("to_status", String(16), nullable=False),
    Column("note", Text),
)

# Search (issue 5): one folded document per institution (names in kk/ru/en, BIN, address),
# rebuilt by queries.search.refresh_search_index. Migration 0003 adds a dialect-specific index
# outside this metadata: an FTS5 trigram table on SQLite, a pg_trgm GIN index on PostgreSQL;
# their names start with SEARCH_INDEX_PREFIX so schema comparisons can skip them.
SEARCH_INDEX_PREFIX = "institution_fts"

institution_search = Table(
    "institution_search", metadata,
    Column("institution_id", Integer, ForeignKey("institutions.id", ondelete="CASCADE"), primary_key=True),
    Column("document", Text, nullable=False),
)

# How often each public page was opened (issue 14): per page ("/", "/institution/<BIN>", …),
# calendar year of the visit and shard. A view adds 1 to the row of its visitor's shard, so
# concurrent visitors of one page update up to VIEW_SHARDS rows instead of queueing on one row
# lock; a page's count is the sum of its shards. Not part of the data version (queries/version.py):
# views never invalidate cached pages.
page_view_totals = Table(
    "page_view_totals", metadata,
    Column("page", String(80), primary_key=True),
    Column("year", SmallInteger, primary_key=True),
    Column("shard", SmallInteger, primary_key=True),
    Column("views", BigInteger, nullable=False, server_default="0"),
)

# Who opened which page lately (visitor: a hash of the random first-party visitor-id cookie, never
# an address), so a visitor counts once per page and half hour. Rows older than the window are
# pruned now and then (queries/views.py).
recent_page_views = Table(
    "recent_page_views", metadata,
    Column("visitor", String(32), primary_key=True),
    Column("page", String(80), primary_key=True),
    Column("seen_at", DateTime(timezone=True), nullable=False),
    Index("ix_recent_page_views_seen_at", "seen_at"),
)

# What a citizen typed into an appeal form that was sent back with an error (never the files);
# read once by the form, then deleted. Too big for the session cookie (5,000 Cyrillic characters).
appeal_drafts = Table(
    "appeal_drafts", metadata,
    Column("token", String(64), primary_key=True),
    Column("data", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_appeal_drafts_created_at", "created_at"),
)


# --- Analysts: anomaly flags, reviews and cases (issue 16) -----------------------------------
# One row per (institution, year, detector), rewritten by `python -m dashboard anomalies scan`
# and after every lines import for the institution-years it touched; pages only read it.
# evidence, lines and appeal_ids are JSON; fingerprint hashes the numbers behind the flag.
anomaly_flags = Table(
    "anomaly_flags", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("institution_id", Integer, ForeignKey("institutions.id"), nullable=False),
    Column("year", SmallInteger, nullable=False),
    Column("detector", String(32), nullable=False),
    Column("score", Float, nullable=False),
    Column("evidence", Text, nullable=False),
    Column("lines", Text, nullable=False),
    Column("appeal_ids", Text, nullable=False),
    Column("fingerprint", String(32), nullable=False),
    Column("scanned_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("institution_id", "year", "detector", name="uq_anomaly_flags_key"),
    CheckConstraint("score >= 0 AND score <= 1", name="score_range"),
    Index("ix_anomaly_flags_year_score", "year", "score"),
)

# National statistics of the last full scan that a rescore of a few institutions cannot
# recompute (each specific's base rates, the number of tests, cost-to-size slopes), per detector.
anomaly_baselines = Table(
    "anomaly_baselines", metadata,
    Column("detector", String(32), primary_key=True),
    Column("data", Text, nullable=False),  # JSON
    Column("computed_at", DateTime(timezone=True), nullable=False),
)

# Append-only (triggers, migration 0009): an analyst dismissing or restoring a flag. A flag is
# dismissed while its latest review says so with the flag's current fingerprint.
flag_reviews = Table(
    "flag_reviews", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("institution_id", Integer, ForeignKey("institutions.id"), nullable=False),
    Column("year", SmallInteger, nullable=False),
    Column("detector", String(32), nullable=False),
    Column("fingerprint", String(32), nullable=False),
    Column("action", String(16), nullable=False),  # dismissed | restored
    Column("reason", Text),
    Column("actor_user_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    CheckConstraint("action IN ('dismissed', 'restored')", name="action"),
    Index("ix_flag_reviews_key", "institution_id", "year", "detector"),
)

CASE_STATUSES = ("open", "checking", "confirmed", "no_violation")

cases = Table(
    "cases", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("institution_id", Integer, ForeignKey("institutions.id"), nullable=False, index=True),
    Column("title", Text, nullable=False),
    Column("status", String(16), nullable=False, server_default="open"),
    Column("opened_by", Integer, ForeignKey("users.id"), nullable=False),
    Column("opened_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("closed_reason", Text),
    CheckConstraint("status IN ('open', 'checking', 'confirmed', 'no_violation')", name="status"),
)

# What a case rests on: flags (by key, with a JSON snapshot of the flag when it was linked, so a
# later scan cannot change what the case was opened on) and appeals.
case_links = Table(
    "case_links", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", Integer, ForeignKey("cases.id"), nullable=False, index=True),
    Column("kind", String(8), nullable=False),  # flag | appeal
    Column("year", SmallInteger),
    Column("detector", String(32)),
    Column("appeal_id", Integer, ForeignKey("appeals.id")),
    Column("snapshot", Text),
    CheckConstraint("(kind = 'flag' AND year IS NOT NULL AND detector IS NOT NULL AND appeal_id IS NULL)"
                    " OR (kind = 'appeal' AND appeal_id IS NOT NULL AND year IS NULL AND detector IS NULL)",
                    name="kind_fields"),
)

case_documents = Table(
    "case_documents", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", Integer, ForeignKey("cases.id"), nullable=False, index=True),
    Column("filename", Text, nullable=False),
    Column("content_type", String(100), nullable=False),  # OOXML types are up to 71 characters
    Column("stored_name", String(64), nullable=False, unique=True),
    Column("size_bytes", BigInteger, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("uploaded_by", Integer, ForeignKey("users.id"), nullable=False),
    Column("uploaded_at", DateTime(timezone=True), nullable=False),
)

# Append-only (triggers, migration 0009), like appeal_events.
case_events = Table(
    "case_events", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", Integer, ForeignKey("cases.id"), nullable=False, index=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor_user_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("action", String(16), nullable=False),  # opened, linked, note, document, status
    Column("from_status", String(16)),
    Column("to_status", String(16), nullable=False),
    Column("note", Text),
    Column("document_id", Integer, ForeignKey("case_documents.id")),
)


TRIGGER_CHECKED_REFERENCES = frozenset({
    "fk_budget_lines_institution_id_institutions", "fk_budget_lines_specific_code_specifics",
    "fk_budget_lines_subprogram", "fk_rollup_institution_year_institution_id_institutions",
    "fk_rollup_institution_month_institution_id_institutions",
    "fk_rollup_institution_specific_year_institution_id_institutions"})


def is_managed(name: str | None, type_: str, parent_names) -> bool:
    """Alembic include_name hook: skip the dialect-specific search index objects."""
    return not (name or "").startswith(SEARCH_INDEX_PREFIX)


def include_object(dialect: str):
    """Alembic include_object hook for `dialect`: on PostgreSQL, the foreign keys of budget_lines
    and of the rollups per institution are triggers (migrations 0008, 0020), so the declared ones
    are not expected there."""
    def include(obj, name, type_, reflected, compare_to) -> bool:
        return not (dialect == "postgresql" and type_ == "foreign_key_constraint"
                    and name in TRIGGER_CHECKED_REFERENCES)
    return include
