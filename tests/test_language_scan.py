"""The English-word scan of tests/language_scan.py catches English and lets the allow-list pass."""
from tests.language_scan import english_in


def test_scan_catches_english_and_allows_the_list():
    assert english_in([["text", "Loading..."], ["title", "Zoom in"], ["text", "Page 1 of 5"]]) != []
    assert len(english_in([["text", "Скачать CSV"], ["aria-label", "Фильтр"], ["text", "KZ-11 · 5 ₸"]])) == 0
    assert english_in([["placeholder", "Search…"]]) == ["placeholder: 'Search…'"]
