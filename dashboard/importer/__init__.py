"""Importing budget data from files: institutions, budget lines and region boundaries.

The command line (`python -m dashboard import …`) and the web upload call the same
functions in `dashboard.importer.run` and `dashboard.importer.boundaries`.
"""
