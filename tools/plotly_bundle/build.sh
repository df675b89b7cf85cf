#!/usr/bin/env bash
# Rebuild assets/vendor/plotly/plotly.min.js from the npm packages pinned in package.json.
# plotly.js' own bundles use the same esbuild settings; the maplibre CSS (map traces only) is dropped.
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund --ignore-scripts
out=../../assets/vendor/plotly/plotly.min.js
./node_modules/.bin/esbuild entry.js --bundle --minify --format=iife --global-name=Plotly --target=es2016 \
  --define:global=window --define:define.amd=false --loader:.css=empty --legal-comments=none --outfile="$out"
# Keep plotly.js' licence header on the file.
{ printf '/*! plotly.js v4.1.1 (bar, box, scatter, treemap) | Copyright (c) 2016-2024 Plotly Technologies Inc. | MIT License */\n'; cat "$out"; } > "$out.tmp"
mv "$out.tmp" "$out"
ls -l "$out"
