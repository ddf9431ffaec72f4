"""Chinese for typer's own messages: usage errors and help panel titles.

Typer writes its usage errors ("No such option: --x", "Missing argument 'paths'.") and panel titles in
English whatever the locale, beside our Chinese messages. ``install()`` translates the titles (module
constants, read when help or an error is printed) and each usage error's message as it is printed.
A message no pattern knows (a typer upgrade, a pydantic conversion detail) stays as it is.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable

# typer.rich_utils constant -> Chinese, replaced only while it still holds typer's English text.
PANEL_TEXTS: dict[str, tuple[str, str]] = {
    "ARGUMENTS_PANEL_TITLE": ("Arguments", "参数"),
    "OPTIONS_PANEL_TITLE": ("Options", "选项"),
    "COMMANDS_PANEL_TITLE": ("Commands", "命令"),
    "ERRORS_PANEL_TITLE": ("Error", "错误"),
    "ABORTED_TEXT": ("Aborted.", "已中止。"),
    "RICH_HELP": ("Try [blue]'{command_path} {help_option}'[/] for help.",
                  "运行 [blue]'{command_path} {help_option}'[/] 查看帮助。"),
    "DEFAULT_STRING": ("[default: {}]", "[默认：{}]"),
    "ENVVAR_STRING": ("[env var: {}]", "[环境变量：{}]"),
    "REQUIRED_LONG_STRING": ("[required]", "[必填]"),
    "DEPRECATED_STRING": ("(deprecated) ", "（已弃用）"),
}

# The --help option's own help line (click and typer's vendored click both hard-code it).
HELP_OPTION_TEXT = ("Show this message and exit.", "显示本帮助并退出。")

_PARAM_KINDS = {"argument": "参数", "option": "选项", "parameter": "参数"}

# (pattern over the whole English message, Chinese template or function of the match), first match wins.
_Rule = tuple[re.Pattern[str], Callable[[re.Match[str]], str]]
_RULES: list[_Rule] = [
    (re.compile(r"(?s)(.*?)\.? Did you mean (.+)\?"), lambda m: f"{translate(m[1]).rstrip('。')}。是否想用 {m[2]}？"),
    (re.compile(r"(?s)(.*) \(Possible options: (.+)\)"), lambda m: f"{translate(m[1])}（可用：{m[2]}）"),
    (re.compile(r"No such option:? '?([^']+?)'?\.?"), lambda m: f"没有选项 {m[1]}"),
    (re.compile(r"No such command '?([^']+?)'?\.?"), lambda m: f"没有命令 '{m[1]}'。"),
    (re.compile(r"Missing command\."), lambda m: "缺少命令。"),
    (re.compile(r"Missing (argument|option|parameter) ?(.*?)\.(?: (.*))?"),
     lambda m: f"缺少{_PARAM_KINDS[m[1]]} {m[2]}。" + (translate(m[3]) if m[3] else "")),
    (re.compile(r"Missing parameter: (.+)"), lambda m: f"缺少参数：{m[1]}"),
    (re.compile(r"Got unexpected extra argument(?:s|\(s\))? \((.*)\)"), lambda m: f"多余的参数（{m[1]}）"),
    (re.compile(r"Option '(.+)' requires (?:an argument|\d+ arguments)\."), lambda m: f"选项 '{m[1]}' 需要取值。"),
    (re.compile(r"Option '(.+)' does not take a value\."), lambda m: f"选项 '{m[1]}' 不接受取值。"),
    (re.compile(r"(?s)Invalid value for (.+?): (.*)"), lambda m: f"{m[1]} 的取值无效：{translate(m[2])}"),
    (re.compile(r"(?s)Invalid value: (.*)"), lambda m: f"取值无效：{translate(m[1])}"),
    (re.compile(r"Input should be a valid integer.*"), lambda m: "须为整数"),
    (re.compile(r"Input should be a valid number.*"), lambda m: "须为数字"),
    (re.compile(r"(?:Value )?(.+?) is not a valid (integer|int|float|number)\."),
     lambda m: f"{m[1]} 须为{'整数' if m[2] in ('integer', 'int') else '数字'}"),
    (re.compile(r"(.+?) is not one of (.+)\."), lambda m: f"{m[1]} 不是可选值（{m[2]}）"),
    (re.compile(r"(.+?) is not in the range (.+)\."), lambda m: f"{m[1]} 不在范围 {m[2]} 内"),
    (re.compile(r"(File|Directory|Path) (.+?) does not exist\."),
     lambda m: f"{ {'File': '文件', 'Directory': '文件夹', 'Path': '路径'}[m[1]]} {m[2]} 不存在"),
]


def translate(message: str) -> str:
    """Chinese for one of typer's usage messages; unknown messages come back unchanged."""
    text = message.strip()
    for pattern, render in _RULES:
        if m := pattern.fullmatch(text):
            return render(m)
    return message


class _Translated:
    """The exception as rich_format_error reads it, with its message in Chinese."""

    def __init__(self, exc: BaseException) -> None:
        self._exc = exc

    def __getattr__(self, name: str):
        return getattr(self._exc, name)

    def format_message(self) -> str:
        return translate(self._exc.format_message())


def install() -> None:
    """Idempotent; a typer without these hooks is left alone."""
    try:
        rich_utils = importlib.import_module("typer.rich_utils")
    except ImportError:  # typer without rich prints plain English
        return
    for const, (english, chinese) in PANEL_TEXTS.items():
        if getattr(rich_utils, const, None) == english:
            setattr(rich_utils, const, chinese)
    _install_help_option_text()
    original = getattr(rich_utils, "rich_format_error", None)
    if original is None or getattr(original, "_chinese", False):
        return

    def rich_format_error(exc) -> None:
        # typer recognises its no-arguments help by class name, which the wrapper would hide
        original(exc if type(exc).__name__ == "NoArgsIsHelpError" else _Translated(exc))

    rich_format_error._chinese = True  # type: ignore[attr-defined]
    rich_utils.rich_format_error = rich_format_error


def _install_help_option_text() -> None:
    """“--help  Show this message and exit.” in Chinese: the help option is built on first use by
    ``Command.get_help_option`` (click, and typer's vendored copy); its help is set on the way out."""
    english, chinese = HELP_OPTION_TEXT
    for module_name in ("typer._click.core", "click.core"):
        try:
            command = getattr(importlib.import_module(module_name), "Command")
        except (ImportError, AttributeError):
            continue
        original = getattr(command, "get_help_option", None)
        if original is None or getattr(original, "_chinese", False):
            continue

        def get_help_option(self, ctx, _original=original):  # noqa: ANN001, ANN202
            option = _original(self, ctx)
            if option is not None and getattr(option, "help", None) == english:
                option.help = chinese
            return option

        get_help_option._chinese = True  # type: ignore[attr-defined]
        command.get_help_option = get_help_option
