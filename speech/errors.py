"""Typed errors of the speech package; each carries a message for the user in Simplified Chinese."""

from __future__ import annotations


class AudioError(ValueError):
    """Base class: the audio cannot be used. ``user_message`` is safe to show to the user."""

    default_message = "无法处理这段语音，请重新录制后再试。"

    def __init__(self, user_message: str | None = None, *, detail: str = ""):
        self.user_message = user_message or self.default_message
        self.detail = detail
        super().__init__(self.user_message + (f"（{detail}）" if detail else ""))


class AudioTooLong(AudioError):
    default_message = "语音太长，请控制在 60 秒以内。"


class AudioTooLarge(AudioError):
    default_message = "文件太大，请发送不超过 20 MB 的语音。"


class NotAudio(AudioError):
    default_message = "无法识别该文件的音频内容，请发送语音消息或 OGG、MP3、M4A、WAV 格式的音频。"
    # A Telegram voice note is audio by construction: when it does not decode, the recording itself is damaged,
    # and "please send a voice message" would tell the sender to do what they just did.
    voice_note_message = "这条语音无法解码，可能已损坏。请重新录制，或直接发送文字。"

    def message_for(self, *, voice_note: bool) -> str:
        """The user's message; for a voice note, unless a more specific one was given, ``voice_note_message``."""
        if voice_note and self.user_message == self.default_message:
            return self.voice_note_message
        return self.user_message


class SilentAudio(AudioError):
    default_message = "这段语音没有声音，请靠近话筒重新录制。"


class NoSpeech(AudioError):
    default_message = "没有识别出说话内容，请在安静处靠近话筒、用普通话重新录制。"


class RecognizerBusy(AudioError):
    default_message = "当前语音识别请求较多，请稍后再试。"
