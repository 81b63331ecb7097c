"""Settings of the `db_worker` process a test starts: the test settings, with the database and
the media directories of the test process that started it (passed in the environment)."""

import os
from pathlib import Path

from config.settings.test import *  # noqa: F403

MEDIA_ROOT = Path(os.environ["KEHOACH_TEST_MEDIA_ROOT"])
PRIVATE_MEDIA_ROOT = Path(os.environ["KEHOACH_TEST_PRIVATE_MEDIA_ROOT"])
