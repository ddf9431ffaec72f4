"""Ingestion: the built-in corpus (``corpus/data``), file loaders and structure-aware chunking."""

from pathlib import Path

from .chunking import chunk_document
from .document import Block, Chunk, Document
from .loaders import LoadError, load_path, iter_files

BUILTIN_DIR = Path(__file__).resolve().parent / "data"

__all__ = ["BUILTIN_DIR", "Block", "Chunk", "Document", "LoadError", "chunk_document", "iter_files", "load_path"]
