"""What a browser tab title names: an institution and its settlement, a region or district."""
from __future__ import annotations

from sqlalchemy import Connection, select

from dashboard.schema import appeals, districts, institutions as inst, regions
from queries.appeals import publicly_visible

LANGS = ("kk", "ru", "en")
_NAME_AND_PLACE = (*[inst.c[f"name_{lang}"] for lang in LANGS], districts.c.center_name_kk.label("place_kk"),
                   districts.c.center_name_ru.label("place_ru"), districts.c.name_en.label("place_en"))


def institution_place(conn: Connection, bin_: str) -> dict | None:
    """name_{kk,ru,en} of the institution with this BIN and place_{kk,ru,en}: its district's centre
    (English has no centre names: the district's English name)."""
    q = (select(*_NAME_AND_PLACE)
         .select_from(inst.join(districts, districts.c.code == inst.c.district_code))
         .where(inst.c.bin == bin_))
    row = conn.execute(q).mappings().first()
    return dict(row) if row else None


def appeal_place(conn: Connection, tracking_code: str) -> dict | None:
    """The same as `institution_place`, for the institution a published appeal (by tracking code)
    is about. None for an unpublished or hidden one: the served title must not tell whether such a
    code exists (only the rate-limited tracking page does)."""
    q = (select(*_NAME_AND_PLACE)
         .select_from(appeals.join(inst, inst.c.id == appeals.c.institution_id)
                      .join(districts, districts.c.code == inst.c.district_code))
         .where(appeals.c.tracking_code == tracking_code, publicly_visible()))
    row = conn.execute(q).mappings().first()
    return dict(row) if row else None


def area_names(conn: Connection, region: str | None, district: str | None) -> list[dict]:
    """name_{kk,ru,en} of the region, then of the district (inside that region), as far as they exist."""
    names = []
    if region:
        row = conn.execute(select(*[regions.c[f"name_{lang}"] for lang in LANGS])
                           .where(regions.c.code == region)).mappings().first()
        if row:
            names.append(dict(row))
            if district:
                row = conn.execute(select(*[districts.c[f"name_{lang}"] for lang in LANGS])
                                   .where(districts.c.code == district, districts.c.region_code == region)
                                   ).mappings().first()
                names += [dict(row)] if row else []
    return names
