# The SOP bot in a container. See README.md, "Running as a service" (Docker).
#
#   docker build -t sopbot .                                   # .docx documents only
#   docker build -t sopbot --build-arg WITH_LIBREOFFICE=true .  # PDF copies too (+~500 MB)
#   docker run --rm sopbot                                     # no config: the offline demo
#   docker run -d --name sopbot --restart unless-stopped \
#       --env-file /etc/sopbot/sopbot.env \
#       -v /etc/sopbot/config.toml:/app/config.toml:ro \
#       -v sopbot-data:/app/data sopbot
#
# config.toml keeps its [storage] paths relative ("data/..."), so everything the bot
# writes (database, files, documents, backups) lands in the /app/data volume.
# The audit key: SOPBOT_AUDIT_KEY in sopbot.env (README, "The audit key"); a key file
# beside the read-only config would live in the container and die with it.

# --- the Python layer: the OS packages and the dependencies, rebuilt only when they change
FROM python:3.11-slim AS python-layer

ARG WITH_LIBREOFFICE=false
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# tzdata: Asia/Jakarta and friends (zoneinfo reads the OS database first). LibreOffice and
# metric-compatible fonts only when asked for: the bot sends .docx alone without them.
RUN set -eux; \
    apt-get update; \
    apt-get install -y --no-install-recommends tzdata; \
    if [ "$WITH_LIBREOFFICE" = "true" ]; then \
        apt-get install -y --no-install-recommends \
            libreoffice-writer-nogui fonts-liberation2 fonts-crosextra-carlito \
            fonts-crosextra-caladea fonts-dejavu-core; \
    fi; \
    rm -rf /var/lib/apt/lists/*

WORKDIR /app
# The dependencies alone (pinned in pyproject.toml), so a code change reuses this layer.
COPY pyproject.toml ./
RUN python -c "import tomllib; d = tomllib.load(open('pyproject.toml', 'rb')); \
print('\n'.join(d['project']['dependencies']))" > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

# --- the bot
FROM python-layer AS bot

# The code belongs to root and cannot be changed by the process that runs it.
COPY bot ./bot
COPY handlers ./handlers
COPY storage ./storage
COPY demo ./demo
COPY fakegram ./fakegram
COPY templates ./templates
COPY manage.py config.example.toml README.md ./

RUN useradd --system --uid 10001 --user-group --home-dir /nonexistent --no-create-home \
        --shell /usr/sbin/nologin sopbot \
    && mkdir -p /app/data /app/demo-out \
    && chown sopbot:sopbot /app/data /app/demo-out

USER sopbot
# LibreOffice and fontconfig keep their caches under $HOME.
ENV HOME=/tmp
VOLUME ["/app/data"]

# python -m bot run: the bot with /app/config.toml; without one, the offline demo.
CMD ["python", "-m", "bot", "run"]
