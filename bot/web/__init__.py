"""The web adapter: the event's pages and feeds over HTTP, served by ``aiohttp.web`` in the bot's own process.

It owns the routes, the Jinja2 templates (autoescaped), the static files and the HTTP concerns around them
(security headers, error pages, calendar files). Every rule stays in the application core (:mod:`bot.chair`);
this package only reads the core's state and renders it. It never imports discord or the Discord adapter.
"""
