# deputy-assistant: the Telegram bot and the core library, CPU only.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DEPUTY_DATA_DIR=/data \
    DEPUTY_MODELS_DIR=/models \
    DEPUTY_INDEX_DIR=/index

WORKDIR /app

# The CPU build of torch first, so sentence-transformers never pulls a CUDA build.
RUN pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu

COPY pyproject.toml README.md ./
COPY deputy_assistant ./deputy_assistant
COPY corpus ./corpus
COPY retrieval ./retrieval
COPY speech ./speech
COPY storage ./storage
COPY bot ./bot
COPY suggestions ./suggestions
COPY broadcasts ./broadcasts
RUN pip install . "python-telegram-bot[webhooks]>=22,<23"

RUN useradd --create-home --uid 10001 deputy \
    && mkdir -p /data /models /index \
    && chown -R deputy /data /models /index
USER deputy

VOLUME ["/data", "/models", "/index"]
EXPOSE 8443

# Models are fetched (and verified) on first start into the /models volume, then reused.
CMD ["sh", "-c", "deputy-assistant models fetch && deputy-assistant db upgrade && exec deputy-assistant bot run"]
