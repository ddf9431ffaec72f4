"""docker-compose.yml and the Dockerfile stay consistent (Docker itself does not run in CI)."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def test_compose_has_bot_postgres_and_volumes():
    spec = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    services = spec["services"]
    assert set(services) == {"bot", "db"}
    assert services["db"]["image"].startswith("postgres:")
    bot = services["bot"]
    assert bot["depends_on"]["db"]["condition"] == "service_healthy"
    env = bot["environment"]
    assert env["DATABASE_URL"].startswith("postgresql+asyncpg://") and "@db:5432/" in env["DATABASE_URL"]
    assert {"TELEGRAM_BOT_TOKEN", "TELEGRAM_API_BASE_URL"} <= set(env)
    mounts = {v.split(":")[1]: v.split(":")[0] for v in bot["volumes"]}
    for path, env_name in (("/models", "DEPUTY_MODELS_DIR"), ("/index", "DEPUTY_INDEX_DIR"), ("/data", "DEPUTY_DATA_DIR")):
        assert env[env_name] == path and mounts[path] in spec["volumes"]
    assert "pgdata" in spec["volumes"]
    command = " ".join(bot["command"])
    # models fetched on first start, then migrations, then the bot
    assert command.index("models fetch") < command.index("db upgrade") < command.index("bot run")


def test_dockerfile_copies_every_package_the_bot_imports():
    docker = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    for pkg in ("deputy_assistant", "corpus", "retrieval", "speech", "storage", "bot"):
        assert f"COPY {pkg} ./{pkg}" in docker
    assert "torch==2.13.0" in docker and "whl/cpu" in docker
