"""``deputy-assistant bot run [--webhook]``."""

from __future__ import annotations

from typing import Annotated

import typer

app = typer.Typer(help="Telegram 机器人", no_args_is_help=True)


@app.callback()
def _group() -> None:
    """Telegram 机器人。"""


@app.command("run")
def run(
    webhook: Annotated[bool, typer.Option("--webhook", help="以 webhook 方式运行（默认长轮询）")] = False,
    port: Annotated[int, typer.Option("--port", help="webhook 监听端口")] = 0,
) -> None:
    """启动机器人（令牌取自 TELEGRAM_BOT_TOKEN，API 地址取自 TELEGRAM_API_BASE_URL）。"""
    from dataclasses import replace

    from bot.runner import RunOptions, run as run_bot

    opts = RunOptions.from_settings(webhook=webhook)
    if port:
        opts = replace(opts, port=port)
    run_bot(opts)


if __name__ == "__main__":
    app()
