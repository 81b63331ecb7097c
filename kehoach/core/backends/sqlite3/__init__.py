"""Django's SQLite backend with a decimal reader that never raises (D43)."""
