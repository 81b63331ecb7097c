"""The test suite: SQLite in a file of a temporary directory, or PostgreSQL when DATABASE_URL
is set."""

import atexit
import os
import secrets
import shutil
import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import DATABASES, STORAGES

SECRET_KEY = "test-only-not-secret"
DEBUG = False
KEHOACH_DEMO = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
AXES_FAILURE_LIMIT = 5
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# Uploaded files (resolution scans, workbooks, photos) go to a directory of this run, removed
# when it ends, never to var/.
_MEDIA_TMP = tempfile.mkdtemp(prefix="kehoach-test-media-")
atexit.register(shutil.rmtree, _MEDIA_TMP, ignore_errors=True)
MEDIA_ROOT = Path(_MEDIA_TMP) / "public"
PRIVATE_MEDIA_ROOT = Path(_MEDIA_TMP) / "private"

# SQLite: the test database is a file (on /dev/shm, a file system in memory, when there is one),
# not Django's shared-cache memory database: threads of one test (two people saving at once,
# tests/test_concurrency.py) need real file locks, which wait for the busy timeout; a shared-cache
# memory database answers "database table is locked" at once instead. Django creates the file
# when the run needs a database and deletes it at the end (SQLite its -wal and -shm files); a
# process that needs no database leaves nothing behind.
if DATABASES["default"]["ENGINE"] == "kehoach.core.backends.sqlite3":
    _shm = Path("/dev/shm")
    _db_dir = _shm if _shm.is_dir() and os.access(_shm, os.W_OK) else Path(tempfile.gettempdir())
    _db_name = _db_dir / f"kehoach-test-{os.getpid()}-{secrets.token_hex(4)}.sqlite3"
    DATABASES["default"]["TEST"] = {"NAME": str(_db_name)}
    for _suffix in ("", "-wal", "-shm", "-journal"):  # after an interrupted run
        atexit.register(Path(f"{_db_name}{_suffix}").unlink, missing_ok=True)
