"""The one error type for a value that cannot be read or stored.

It lives here, below every app, so that the text and date helpers can raise it and every
importer reports it with the file, row and field it came from.
"""


class FieldError(ValueError):
    """A value that cannot be read; the message is written for the person who typed it."""
