"""Voice search: offline Mandarin recognition (Vosk) tuned to deputies' vocabulary.

Entry points: ``speech.recognizer.Recognizer.shared()`` (``await .transcribe(audio)``),
``speech.voice.ask_voice`` / ``aask_voice`` and the ``transcribe`` command in ``speech.cli``.
Errors for the user: ``speech.errors.AudioError`` subclasses carry a Chinese ``user_message``.
"""

from .errors import AudioError, AudioTooLarge, AudioTooLong, NoSpeech, NotAudio, RecognizerBusy, SilentAudio

__all__ = ["AudioError", "AudioTooLarge", "AudioTooLong", "NoSpeech", "NotAudio", "RecognizerBusy", "SilentAudio"]
