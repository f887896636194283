"""Domain errors that the web layer maps to 404/403/400 and the CLI prints."""


class DomainError(Exception):
    status = 400


class NotFound(DomainError):
    status = 404


class Forbidden(DomainError):
    status = 403


class Invalid(DomainError):
    status = 400


class Conflict(DomainError):
    """Someone else changed the thing first: reload and try again."""

    status = 409
