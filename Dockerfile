# chairbot: the event-day bot, in a slim image that runs as a non-root user and keeps its data in /data.
#   docker build -t chairbot .
#   docker run --rm -e DISCORD_TOKEN=... -v chairbot-data:/data -v "$PWD/schedule:/app/schedule:ro" chairbot
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    CHAIRBOT_DATA_DIR=/data

WORKDIR /app

# Dependencies first, so editing the code does not reinstall them.
COPY pyproject.toml README.md ./
COPY bot ./bot
RUN pip install . \
    && useradd --system --uid 10001 --user-group --home-dir /data --shell /usr/sbin/nologin chairbot \
    && mkdir -p /data \
    && chown chairbot:chairbot /data

COPY schedule ./schedule

USER chairbot
VOLUME ["/data"]
# The web side, when CHAIRBOT_WEB_LISTEN=0.0.0.0:8080 is set.
EXPOSE 8080

ENTRYPOINT ["chairbot"]
CMD ["run"]
