"""Development: `make run` on a laptop, SQLite under var/, demo data on."""

from config.env import env_bool, env_str

from .base import *  # noqa: F403
from .base import VAR_DIR

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env_str("SECRET_KEY", "dev-only-not-secret-kehoach-local-laptop")
KEHOACH_DEMO = env_bool("KEHOACH_DEMO", True)
VAR_DIR.mkdir(parents=True, exist_ok=True)
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
