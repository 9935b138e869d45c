"""Errors raised while reading a document; the CLI and the API translate them at their edge."""


class CorpusError(Exception):
    """Base class: a document could not be read into provisions."""


class EmptyDocument(CorpusError):
    """The file holds no text at all (zero bytes or only whitespace)."""


class NotText(CorpusError):
    """The file is binary or in an encoding we cannot read (UTF-8, UTF-16 with BOM, GB18030)."""


class CatalogError(CorpusError):
    """The catalog file is malformed or names a document that is not there."""
