"""Settings shared by the cross-app and browser tests in tests/."""

import os

# Playwright's sync API runs an asyncio event loop in the test thread; Django would otherwise
# refuse database access from the test itself ("You cannot call this from an async context").
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
