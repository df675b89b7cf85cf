"""HTTP glue: Flask routes and guards."""
