"""Database backends of kehoach (see sqlite3/)."""
