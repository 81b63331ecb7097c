"""The test settings with a read replica: `replica` is Django's test mirror of `default` (the same
test database reached through a second connection), as a replica of production is a copy of
the primary. Only kehoach/core/tests/test_routers.py runs under it (it starts itself in a
second pytest with ``--ds=config.settings.test_replica``)."""

import os

from .test import *  # noqa: F403
from .test import DATABASES

DATABASES = {
    "default": {
        **DATABASES["default"],
        # Its own test database on PostgreSQL: this run happens while another one (the suite
        # that started it) uses test_<name>. SQLite's test file is already unique per process.
        "TEST": {
            **DATABASES["default"].get("TEST", {}),
            **(
                {"NAME": f"test_{DATABASES['default']['NAME']}_replica_{os.getpid()}"}
                if DATABASES["default"]["ENGINE"] != "kehoach.core.backends.sqlite3"
                else {}
            ),
        },
    },
}
DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}
