"""Why the extractor refused an input: one base class, flat named subclasses, stable codes."""

from __future__ import annotations


class ExtractionError(Exception):
    """Base for every input the extractor rejects; ``code`` is stable, ``str()`` is for people."""

    code = "E_EXTRACTION"

    def __init__(self, message: str, *, source: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.source = source

    def __str__(self) -> str:
        return f"{self.source}: {self.message}" if self.source else self.message


class EmptyMinutesError(ExtractionError):
    code = "E_EMPTY"


class MinutesTooLargeError(ExtractionError):
    code = "E_TOO_LARGE"


class BinaryInputError(ExtractionError):
    code = "E_BINARY"


class UndecodableInputError(ExtractionError):
    code = "E_UNDECODABLE"


class UnsupportedFormatError(ExtractionError):
    code = "E_UNSUPPORTED"


class SourceNotFoundError(ExtractionError):
    code = "E_NOT_FOUND"


class CorruptDocumentError(ExtractionError):
    """A PDF or DOCX that is damaged, truncated, or not built as its format requires."""

    code = "E_CORRUPT"


class EncryptedDocumentError(ExtractionError):
    """A PDF or DOCX that needs a password to open."""

    code = "E_ENCRYPTED"


class NoTextLayerError(ExtractionError):
    """A PDF whose pages carry no text (a scan): it would need OCR, which we do not do."""

    code = "E_NO_TEXT_LAYER"


class FormatMismatchError(ExtractionError):
    """A file whose content is another type than its suffix says (a ``.pdf`` that is really text)."""

    code = "E_FORMAT_MISMATCH"
