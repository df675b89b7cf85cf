# Shortcuts for the commands in README.md.
PY ?= python3

.PHONY: run test demo-full bench migrate

run:  ## install and run on SQLite with demo data (http://127.0.0.1:8050)
	$(PY) -m pip install -r requirements.txt && $(PY) -m dashboard run

test:  ## install test tools and run the whole suite
	$(PY) -m pip install -r requirements-dev.txt && $(PY) -m pytest

migrate:
	$(PY) -m dashboard migrate

demo-full:  ## full-country demo (17,000 institutions, 2020-2025) into DATABASE_URL
	$(PY) -m dashboard demo --institutions 17000 --years 2020-2025 --replace

bench:
	$(PY) bench/demo_load.py
