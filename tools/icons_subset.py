"""Rebuild the Bootstrap Icons subset the pages load: only the icons the code names.

  pip install fonttools==4.66.1 && python tools/icons_subset.py

The full font is 130 KB, which a phone on 3G spends 0.65 s on; the subset is a few KB. Reads
the full assets/vendor/bootstrap-icons.min.css and fonts/bootstrap-icons.woff2 (kept as the
source), writes bootstrap-icons-subset.min.css and fonts/bootstrap-icons-subset.woff2. A test
(tests/test_mobile_network.py) fails when the code names an icon the subset lacks.
"""
from __future__ import annotations

import hashlib
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "assets" / "vendor"
SOURCES = ("layouts", "callbacks", "dashboard", "assets")
ICON = re.compile(r"\bbi-[a-z0-9]+(?:-[a-z0-9]+)*")
RULE = re.compile(r'\.(bi-[a-z0-9-]+)::before\{content:"\\([0-9a-f]+)"\}')


def used_icons(root: Path = ROOT) -> set[str]:
    """`bi-…` names in the app's Python and JavaScript (vendored files excluded)."""
    found = set()
    for folder in SOURCES:
        for path in (root / folder).rglob("*"):
            if path.suffix in (".py", ".js") and "vendor" not in path.parts:
                found |= set(ICON.findall(path.read_text(encoding="utf-8")))
    return found


def subset_rules(css: str) -> dict[str, str]:
    """Icon name → code point, from a Bootstrap Icons stylesheet."""
    return dict(RULE.findall(css))


def main() -> int:
    from fontTools import subset

    css = (VENDOR / "bootstrap-icons.min.css").read_text(encoding="utf-8")
    codes = subset_rules(css)
    wanted = sorted(used_icons())
    unknown = [name for name in wanted if name not in codes]
    if unknown:
        print(f"not in Bootstrap Icons: {unknown}", file=sys.stderr)
        return 1
    font_out = VENDOR / "fonts" / "bootstrap-icons-subset.woff2"
    options = subset.Options(flavor="woff2", layout_features=[], name_IDs=[], notdef_outline=False)
    font = subset.load_font(str(VENDOR / "fonts" / "bootstrap-icons.woff2"), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[int(codes[name], 16) for name in wanted])
    subsetter.subset(font)
    subset.save_font(font, str(font_out), options)
    version = hashlib.sha256(font_out.read_bytes()).hexdigest()[:16]
    head = css[:css.index(".bi-")]  # licence, @font-face and the shared .bi::before rule
    head = re.sub(r'src:url\([^}]*', f'src:url("fonts/bootstrap-icons-subset.woff2?v={version}") format("woff2")', head)
    rules = "".join(f'.{name}::before{{content:"\\{codes[name]}"}}' for name in wanted)
    (VENDOR / "bootstrap-icons-subset.min.css").write_text(head + rules + "\n", encoding="utf-8")
    print(f"{len(wanted)} icons, font {font_out.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
