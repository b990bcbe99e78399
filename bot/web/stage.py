"""(being written)"""

from aiohttp import web


def setup(app: web.Application) -> None:
    """Add this part's routes to ``app``."""
