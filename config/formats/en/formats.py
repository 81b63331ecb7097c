# English interface, Vietnamese conventions kept for dates and numbers (the data is Vietnamese).
from config.formats.vi.formats import *  # noqa: F403
