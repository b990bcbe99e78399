"""The schedule: its model, the native document and the importers that produce it, validation with clear
errors, the announcement plan, and the organizers' changes on the day. Pure (nothing from discord.py or aiohttp)
except ``source``, the connector that downloads a schedule from a URL with aiohttp.
"""

from bot.schedule.errors import Problem, ScheduleError, UsageError
from bot.schedule.model import Event, Kind, Links, Poster, Schedule, Session, Speaker

__all__ = [
    "Event",
    "Kind",
    "Links",
    "Poster",
    "Problem",
    "Schedule",
    "ScheduleError",
    "Session",
    "Speaker",
    "UsageError",
]
