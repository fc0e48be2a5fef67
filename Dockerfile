# dm-bot service image: slim Python 3.11, non-root, `dm-bot serve`.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app

COPY requirements.lock ./
RUN pip install -r requirements.lock

COPY pyproject.toml README.md ./
COPY dm_bot ./dm_bot
COPY intents ./intents
COPY playbooks ./playbooks
RUN pip install --no-deps -e . && useradd --create-home --uid 10001 dmbot && mkdir -p /app/var && chown dmbot /app/var

USER dmbot
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s \
  CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=2).status == 200 else 1)"
CMD ["dm-bot", "serve", "--host", "0.0.0.0", "--port", "8080"]
