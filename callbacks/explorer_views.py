"""Moved to layouts/explorer_views.py (view builders live in layouts/); this name keeps old imports working."""
from layouts.explorer_views import *  # noqa: F401,F403
from layouts.explorer_views import _publication_text  # noqa: F401
