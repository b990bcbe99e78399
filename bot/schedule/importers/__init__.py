"""Importers: each turns one foreign schedule format into the native schedule document (a plain ``dict``).

* :mod:`~bot.schedule.importers.pretalx`: pretalx / c3voc / frab ``schedule.json``;
* :mod:`~bot.schedule.importers.frab`: frab / Pentabarf ``schedule.xml``;
* :mod:`~bot.schedule.importers.plaintext`: the tentative schedule of a workshop proposal;
* :mod:`~bot.schedule.importers.markdown_table`: the markdown table a workshop page publishes.

Importers report only what is wrong with their own format; everything else (zones, times, overlaps, duplicate
ids) is checked once, for every format, by :func:`bot.schedule.document.build_schedule`. Reading files and
choosing the format is :mod:`bot.schedule.loader`'s business.
"""
