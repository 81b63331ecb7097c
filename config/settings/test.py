"""The test suite: SQLite in memory, or PostgreSQL when DATABASE_URL is set."""

import atexit
import shutil
import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import STORAGES

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
