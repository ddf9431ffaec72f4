"""Errors raised while provisioning models; messages are for operators, in Chinese."""


class ProvisionError(RuntimeError):
    """No source could provide a model."""


class SourceUnavailable(ProvisionError):
    """A source cannot be reached or does not hold the model (try the next one)."""


class IntegrityError(ProvisionError):
    """Downloaded bytes do not match the pinned sha256."""


class ModelMissingError(RuntimeError):
    """A model is needed but has not been provisioned."""

    def __init__(self, name: str, where: str):
        super().__init__(
            f"模型 {name} 尚未准备好（应位于 {where}）。请先运行：deputy-assistant models fetch"
        )
        self.name = name
