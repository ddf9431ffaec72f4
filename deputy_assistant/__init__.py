"""Application shell of deputy-assistant: configuration, model provisioning and the CLI.

Domain packages (corpus, retrieval, speech, storage, suggestions, bot) live at the top level;
this package only wires them together.
"""

__version__ = "0.1.0"
