"""chairbot: a virtual session chair on Discord for hybrid workshops and conferences.

One application core with adapters around it:

- the core: ``bot.chair`` (:class:`~bot.chair.Chair`, the event day: the schedule in force and its changes, the
  announcer, reminders, the stage, the Events-tab plan, health), ``bot.schedule`` (model, importers, validation,
  plan), ``bot.qa`` (the durable Q&A queue), ``bot.announce`` (outbox, announcer, announcement texts),
  ``bot.events_tab``, ``bot.health``, ``bot.results``, ``bot.render`` (replies to people's commands),
  ``bot.messages`` and ``bot.timefmt`` (plain-text and time rendering), ``bot.db`` (every SQLite connection),
  ``bot.config``; its ports are in ``bot.ports``;
- the adapters: ``bot.on_discord`` (the Discord bot), ``bot.console`` (the rehearsal), ``bot.http_fetch``
  (schedules from a URL);
- the wiring: ``bot.app`` builds settings, stores, core and adapters; ``bot.cli`` is the command line.

The core never imports discord.py or aiohttp, the adapters never import each other, and only ``bot.app`` imports
the adapters: import-linter contracts in ``pyproject.toml`` hold this in CI.
"""

__version__ = "0.1.0"
