"""Spending anomalies for agency analysts: detectors, explanations, the scan that stores flags."""
