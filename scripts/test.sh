#!/usr/bin/env bash
# The test suite, on SQLite and (when reachable) on PostgreSQL at 127.0.0.1:5432.
set -euo pipefail
cd "$(dirname "$0")/.."
. .venv/bin/activate
python -m pytest -q "$@"
PG_URL=${TEST_POSTGRES_URL:-postgresql+asyncpg://postgres@127.0.0.1:5432/test}
if python - "$PG_URL" <<'PY' 2>/dev/null
import asyncio, sys
import asyncpg
async def main(url):
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"), timeout=3)
    await conn.close()
asyncio.run(main(sys.argv[1]))
PY
then
  echo "== storage, bot and broadcasts tests again on PostgreSQL =="
  # (tests/suggestions runs each database test on both engines by itself)
  DATABASE_URL="$PG_URL" python -m pytest -q tests/storage tests/bot tests/broadcasts "$@"
else
  echo "PostgreSQL not reachable at $PG_URL: database tests ran on SQLite only"
fi
