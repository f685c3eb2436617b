# One image for web (gunicorn), worker and beat (celery); see docker-compose.yml.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# Pango and HarfBuzz for WeasyPrint; Liberation fonts carry the Vietnamese glyphs
# in the PDFs; gettext so compilemessages can run inside the image; postgresql-client for
# scripts/backup.sh and scripts/restore.sh (pg_dump/pg_restore 15, as the compose server).
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libpangocairo-1.0-0 libharfbuzz-subset0 \
        fonts-liberation2 gettext postgresql-client \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 1000 app

WORKDIR /app
# Requirements first, so a code change does not reinstall them.
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .

# Production settings refuse to load without these; collectstatic uses neither, so
# throwaway build arguments do (they are not kept in the image's environment).
ARG SECRET_KEY=collectstatic-only
ARG DATABASE_URL=sqlite:////tmp/collectstatic.sqlite3
RUN DJANGO_SETTINGS_MODULE=config.settings.production python manage.py collectstatic --noinput \
    && mkdir -p /app/media /app/private && chown app:app /app/media /app/private

USER app
ENV DJANGO_SETTINGS_MODULE=config.settings.production
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
