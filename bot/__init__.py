"""chairbot: a virtual session chair on Discord for hybrid workshops and conferences.

The package is laid out by feature: ``bot.schedule`` owns the schedule model, its importers and the
announcement plan; ``bot.timefmt`` renders instants for readers in many zones; ``bot.cli`` is the command line.
The core never imports discord.py or aiohttp; the Discord and web adapters live in their own subpackages.
"""

__version__ = "0.1.0"
