"""Deterministic, realistic demo data: institutions, monthly budget lines, planted anomalies."""
