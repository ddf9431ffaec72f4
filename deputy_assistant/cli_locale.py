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
_PATH_KINDS = {"File": "文件", "Directory": "文件夹", "Path": "路径"}
# (greater?, or equal?) -> the Chinese comparison: “应不小于 1。”
_COMPARISONS = {("greater", True): "不小于", ("greater", False): "大于",
                ("less", True): "不大于", ("less", False): "小于"}

# The usage line's label (click's HelpFormatter.write_usage default), on help screens and above usage errors.
USAGE_PREFIX = ("Usage: ", "用法：")
# Plain (TYPER_USE_RICH=0) help and errors: typer's gettext strings, and the lines UsageError.show writes itself.
PLAIN_TEXTS = {"Arguments": "参数", "Options": "选项", "Commands": "命令", "required": "必填",
               "default: {default}": "默认：{default}", "env var: {var}": "环境变量：{var}", "(dynamic)": "（动态）",
               "Aborted!": "已中止。"}


def _or_list(choices: str) -> str:
    """pydantic's “'a', 'b' or 'c'” as “'a'、'b' 或 'c'”."""
    head, sep, last = choices.rpartition(" or ")
    return f"{head.replace(', ', '、')} 或 {last}" if sep else choices

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
    # pydantic, which typer validates values with
    (re.compile(r"Input should be a valid integer.*"), lambda m: "须为整数。"),
    (re.compile(r"Input should be a valid number.*"), lambda m: "须为数字。"),
    (re.compile(r"Input should be a finite number.*"), lambda m: "须为有限的数字。"),
    (re.compile(r"Input should be a valid boolean.*"), lambda m: "须为是或否（true/false、yes/no、1/0）。"),
    (re.compile(r"Input should be (greater|less) than( or equal to)? (\S+)"),
     lambda m: f"应{_COMPARISONS[m[1], bool(m[2])]} {m[3]}。"),
    (re.compile(r"Input should be ('.*')"), lambda m: f"应为 {_or_list(m[1])} 之一。"),
    (re.compile(r"(?:Value )?(.+?) is not a valid (integer|int|float|number)\."),
     lambda m: f"{m[1]} 须为{'整数' if m[2] in ('integer', 'int') else '数字'}。"),
    (re.compile(r"(.+?) is not one of (.+)\."), lambda m: f"{m[1]} 不是可选值（{m[2]}）。"),
    (re.compile(r"(.+?) is not in the range (.+)\."), lambda m: f"{m[1]} 不在范围 {m[2]} 内。"),
    (re.compile(r"(File|Directory|Path) (.+?) does not exist\."), lambda m: f"{_PATH_KINDS[m[1]]} {m[2]} 不存在。"),
    (re.compile(r"(File|Directory|Path) (.+?) is a (file|directory)\."),
     lambda m: f"{_PATH_KINDS[m[1]]} {m[2]} 是{'文件，应为文件夹' if m[3] == 'file' else '文件夹，应为文件'}。"),
    (re.compile(r"(File|Directory|Path) (.+?) is not (readable|writable)\."),
     lambda m: f"{_PATH_KINDS[m[1]]} {m[2]} 不可{'读' if m[3] == 'readable' else '写'}（请检查权限）。"),
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
    _install_help_option_text()
    _install_usage_prefix()
    _install_plain_texts()
    try:
        rich_utils = importlib.import_module("typer.rich_utils")
    except ImportError:  # typer without rich prints plain text (``_install_plain_texts``)
        return
    for const, (english, chinese) in PANEL_TEXTS.items():
        if getattr(rich_utils, const, None) == english:
            setattr(rich_utils, const, chinese)
    highlighter = getattr(rich_utils, "OptionHighlighter", None)
    usage_pattern = rf"(?P<usage>{USAGE_PREFIX[1]})"
    if highlighter is not None and usage_pattern not in getattr(highlighter, "highlights", [usage_pattern]):
        highlighter.highlights = [*highlighter.highlights, usage_pattern]  # the label styled as typer styles Usage:
    original = getattr(rich_utils, "rich_format_error", None)
    if original is None or getattr(original, "_chinese", False):
        return

    def rich_format_error(exc) -> None:
        # typer recognises its no-arguments help by class name, which the wrapper would hide
        original(exc if type(exc).__name__ == "NoArgsIsHelpError" else _Translated(exc))

    rich_format_error._chinese = True  # type: ignore[attr-defined]
    rich_utils.rich_format_error = rich_format_error


def _install_usage_prefix() -> None:
    """“用法：deputy-assistant …” for “Usage: deputy-assistant …”: every usage line (help screens, rich or plain, and
    the line above a usage error: ``Context.get_usage``) is written by ``HelpFormatter.write_usage``, whose default
    prefix is click's English."""
    english, chinese = USAGE_PREFIX
    for module_name in ("typer._click.formatting", "click.formatting"):
        try:
            formatter = getattr(importlib.import_module(module_name), "HelpFormatter")
        except (ImportError, AttributeError):
            continue
        original = getattr(formatter, "write_usage", None)
        if original is None or getattr(original, "_chinese", False):
            continue

        def write_usage(self, prog, args="", prefix=None, _original=original):  # noqa: ANN001, ANN202
            return _original(self, prog, args, chinese if prefix in (None, english) else prefix)

        write_usage._chinese = True  # type: ignore[attr-defined]
        formatter.write_usage = write_usage


def _install_plain_texts() -> None:
    """The plain path (``TYPER_USE_RICH=0``): help headings and [默认：…] from typer's gettext calls, and a usage
    error's “Try … for help.” / “Error: …” lines."""
    try:
        core = importlib.import_module("typer.core")
        exceptions = importlib.import_module("typer._click.exceptions")
        utils = importlib.import_module("typer._click.utils")
        compat = importlib.import_module("typer._click._compat")
    except ImportError:
        return
    gettext = getattr(core, "_", None)
    if callable(gettext) and not getattr(gettext, "_chinese", False):
        def chinese_gettext(message: str, _gettext=gettext) -> str:  # noqa: ANN001
            return PLAIN_TEXTS.get(message) or _gettext(message)

        chinese_gettext._chinese = True  # type: ignore[attr-defined]
        core._ = chinese_gettext
    usage_error = getattr(exceptions, "UsageError", None)
    if usage_error is None or getattr(usage_error.show, "_chinese", False):
        return

    def show(self, file=None) -> None:  # noqa: ANN001 - UsageError.show's, in Chinese
        file = file if file is not None else compat.get_text_stderr()
        color = None
        if self.ctx is not None:
            color = self.ctx.color
            hint = ""
            if self.ctx.command.get_help_option(self.ctx) is not None:
                hint = f"运行 '{self.ctx.command_path} {self.ctx.help_option_names[0]}' 查看帮助。\n"
            utils.echo(f"{self.ctx.get_usage()}\n{hint}", file=file, color=color)
        utils.echo(f"错误：{translate(self.format_message())}", file=file, color=color)

    show._chinese = True  # type: ignore[attr-defined]
    usage_error.show = show


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
