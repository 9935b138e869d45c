"""Errors raised while reading a document; the CLI and the API translate them at their edge."""


class CorpusError(Exception):
    """Base class: a document could not be read into provisions."""


class EmptyDocument(CorpusError):
    """The file holds no text at all (zero bytes or only whitespace)."""


class NotText(CorpusError):
    """The file is binary or in an encoding we cannot read (UTF-8, UTF-16 with BOM, GB18030)."""


class CatalogError(CorpusError):
    """The catalog file is malformed or names a document that is not there."""


class UnsupportedFormat(CorpusError):
    """The file is of a format policy-qa does not read (the message names it)."""


class DocumentTooLarge(CorpusError):
    """The file, or a part of it once inflated, exceeds a documented limit."""


class CorruptDocument(CorpusError):
    """The file claims a format but cannot be read as one (truncated, damaged, a zip bomb)."""


class EncryptedDocument(CorpusError):
    """The file is password-protected."""


class ScannedDocument(CorpusError):
    """A PDF or OFD whose pages are images: there is no text to read without OCR."""


class NoArticleBody(CorpusError):
    """A web page with no article in it (a list, index or search page)."""


class NotPolicyDocument(CorpusError):
    """The file reads, but holds no policy text (an image, a page of English, a form)."""


class JurisdictionUnknown(CorpusError):
    """Neither the issuer, the title nor the document number says which place it belongs to."""
