"""Errors of the question-answering stage; the CLI and the API translate them at their edge."""


class BadQuery(ValueError):
    """The query (or its jurisdiction, or k) cannot be answered as given; the message says why."""


class UnknownJurisdiction(BadQuery):
    """The query names as its jurisdiction a place the gazetteer does not know."""
