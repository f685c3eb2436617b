# The English UI keeps the Vietnamese date and number formats (dd/mm/yyyy).
from config.formats.vi.formats import *  # noqa: F401,F403
