"""The map's big layers as bytes made once per data version: institution points in geobuf, and
their brotli and gzip copies (see dashboard/web/map_api.py for the endpoints).

Geobuf (https://github.com/mapbox/geobuf, decoded by dash-leaflet's GeoJSON layer with
`format="geobuf"`) carries a point as two varints and its properties as small integers: 50,000
institutions are ~1.4 MB raw and ~360 KB brotli, against 5.9 MB / 480 KB as GeoJSON with
sector names. Each feature's message is encoded once per data version; a year or a sector subset
is a join of its sectors' features, and its compressed copies are made on first use and kept in a
bounded LRU (all sectors of a year is one entry, like any subset).
"""
from __future__ import annotations

import threading
from collections import OrderedDict

from dashboard import reference as ref
from dashboard.web.static_cache import compress

POINT_DECIMALS = 3  # ~100 m: enough to place a building on a city map, and compact
# Sector of a point as an index into this tuple (the browser colours by it: layouts/explorer.py);
# a code the reference does not know gets the index past the end (drawn grey).
SECTOR_CODES = ref.SECTOR_CODES
SECTOR_INDEX = {code: i for i, code in enumerate(SECTOR_CODES)}
ENCODINGS = ("br", "gzip")


def _varint(n: int) -> bytes:
    if n < 0x80:  # fast paths: ids, sectors and coordinates inside Kazakhstan take 1-3 bytes
        return bytes((n,))
    if n < 0x4000:
        return bytes((n & 0x7F | 0x80, n >> 7))
    if n < 0x200000:
        return bytes((n & 0x7F | 0x80, n >> 7 & 0x7F | 0x80, n >> 14))
    out = bytearray()
    while n > 0x7F:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def _zigzag(n: int) -> int:
    return (n << 1) ^ (n >> 63)


def _field(tag: int, payload: bytes) -> bytes:
    """A length-delimited protobuf field (tag byte already shifted: field << 3 | 2)."""
    return bytes((tag,)) + _varint(len(payload)) + payload


# Geobuf header: keys ["id", "s"], 2 dimensions, precision; then field 4, the FeatureCollection.
_HEADER = _field(0x0A, b"id") + _field(0x0A, b"s") + b"\x10\x02\x18" + _varint(POINT_DECIMALS)
_PROPERTIES = _field(0x72, b"\x00\x00\x01\x01")  # (key 0, value 0), (key 1, value 1)
_SCALE = 10 ** POINT_DECIMALS


def point_feature(institution_id: int, lat: float, lon: float, sector: int) -> bytes:
    """One point as a FeatureCollection entry (field 1): geometry, then values id and s.
    Every length here is below 128 (at most two 10-byte varints per part), so one byte each."""
    coords = _varint(_zigzag(round(lon * _SCALE))) + _varint(_zigzag(round(lat * _SCALE)))
    ident, kind = _varint(institution_id), _varint(sector)
    feature = b"".join((bytes((0x0A, len(coords) + 2, 0x1A, len(coords))), coords,
                        bytes((0x6A, len(ident) + 1, 0x18)), ident, bytes((0x6A, len(kind) + 1, 0x18)), kind,
                        _PROPERTIES))
    return bytes((0x0A, len(feature))) + feature


def collection(features: list[bytes]) -> bytes:
    """A geobuf FeatureCollection of already encoded features."""
    return _HEADER + _field(0x22, b"".join(features))


def sector_index(code: str) -> int:
    return SECTOR_INDEX.get(code, len(SECTOR_CODES))


class Body:
    """A response body and its compressed copies, each made once on first use."""

    __slots__ = ("plain", "_encoded", "_lock")

    def __init__(self, plain: bytes):
        self.plain = plain
        self._encoded: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def encoded(self, encoding: str | None) -> bytes:
        """The body in `encoding` ("br", "gzip"; None: plain)."""
        if encoding is None:
            return self.plain
        found = self._encoded.get(encoding)
        if found is None:
            with self._lock:  # concurrent first requests compress once
                found = self._encoded.get(encoding)
                if found is None:
                    found = self._encoded[encoding] = compress(self.plain, encoding, fast=True)
        return found


class PointsCache:
    """Institution points per data version: features encoded once and joined per year and sector
    (a body of any sector set is then a join of at most 14 blobs); bodies per (year, sectors) in an
    LRU holding at most `max_bytes` of plain bodies (their compressed copies add about half again;
    a whole year at 50,000 institutions is 1.4 MB plain). `load_features(conn)` gives
    (id, lat, lon, sector code) of every institution, `load_year(conn, year)` the ids with a
    budget that year, `load_year_asof(conn, year, asof)` those that had one right after publication
    `asof` (a citable view, queries/asof.py): such a body is made from the same features and kept
    in the same LRU; the sector blobs of the last ASOF_YEARS pinned (year, publication) pairs are
    kept too, so another sector set of a pinned view does not read the history again."""

    ASOF_YEARS = 16

    def __init__(self, load_features, load_year, max_bytes: int = 16 << 20, load_year_asof=None):
        self.load_features, self.load_year, self.load_year_asof = load_features, load_year, load_year_asof
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._version: int | None = None
        self._features: dict[int, tuple[int, bytes]] | None = None
        # year -> {sector index: that sector's encoded features, joined}: a body is their join
        self._years: dict[int, dict[int, bytes]] = {}
        self._asof_years: OrderedDict[tuple[int, int], dict[int, bytes]] = OrderedDict()
        self._bodies: OrderedDict[tuple, Body] = OrderedDict()

    def _reset(self, version: int) -> None:
        if self._version != version:
            self._version, self._features, self._years, self._bodies = version, None, {}, OrderedDict()
            self._asof_years = OrderedDict()

    @staticmethod
    def _by_sector(features: dict[int, tuple[int, bytes]], ids) -> dict[int, bytes]:
        grouped: dict[int, list[bytes]] = {}
        for i in ids:
            if i in features:
                sector, feature = features[i]
                grouped.setdefault(sector, []).append(feature)
        return {sector: b"".join(parts) for sector, parts in sorted(grouped.items())}

    def body(self, conn, version: int, year: int, sectors: tuple[str, ...] = (), asof: int | None = None) -> Body:
        """The geobuf body of `year`'s points, every sector (empty `sectors`) or only those; with
        `asof`, of the institutions that had a budget that year right after that publication."""
        key = (year, tuple(sorted(set(sectors))), asof)
        with self._lock:
            self._reset(version)
            found = self._bodies.get(key)
            if found is not None:
                self._bodies.move_to_end(key)
                return found
            features = self._features
            by_sector = self._years.get(year) if asof is None else self._asof_years.get((year, asof))
        if by_sector is None:
            if features is None:
                features = {i: (sector_index(s), point_feature(i, lat, lon, sector_index(s)))
                            for i, lat, lon, s in self.load_features(conn)}
            by_sector = self._by_sector(features, self.load_year(conn, year) if asof is None
                                        else self.load_year_asof(conn, year, asof))
        wanted = {sector_index(s) for s in key[1]}
        found = Body(collection([blob for sector, blob in by_sector.items() if not wanted or sector in wanted]))
        with self._lock:
            if self._version == version:
                self._features = self._features or features
                if asof is None:
                    self._years.setdefault(year, by_sector)
                else:
                    self._asof_years[(year, asof)] = by_sector
                    self._asof_years.move_to_end((year, asof))
                    while len(self._asof_years) > self.ASOF_YEARS:
                        self._asof_years.popitem(last=False)
                self._bodies[key] = found
                while len(self._bodies) > 1 and sum(len(b.plain) for b in self._bodies.values()) > self.max_bytes:
                    self._bodies.popitem(last=False)
        return found
