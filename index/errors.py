"""Errors of the index stage; the CLI and the API translate them at their edge."""


class IndexError_(Exception):
    """Base class for index problems (the trailing underscore avoids shadowing IndexError)."""


class IndexNotFound(IndexError_):
    """No index folder (or no manifest) where one was expected."""


class IndexMismatch(IndexError_):
    """The index folder was built differently from what is asked now (format, encoder,
    analyzer, corrupted files); the message says what differs and how to rebuild."""


class EngineError(IndexError_):
    """The engine backend cannot be started, reached or used (seekdb, OceanBase); the message
    names the engine's address (never its password) and what to do."""
