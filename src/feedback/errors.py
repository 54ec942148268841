"""The one error type for bad input, so pages and the CLI can show it plainly."""


class InputError(ValueError):
    """A file or value a person supplied is unusable.

    The message is for that person: it names the file, the sheet, row or column,
    what is wrong, and what to do. Pages show ``str(err)``; the CLI prints it and
    exits with status 2.
    """


class Refused(PermissionError):
    """The person's role does not allow this change; nothing was written.

    The message says what they may not do and whom to ask, e.g. "Only editors
    can change responses: ask an admin for access." Pages show ``str(err)``.
    ``user``, ``action`` and ``regions`` say who tried what, for the access log.
    """

    def __init__(self, message: str, *, user=None, action: str = "", regions: tuple[str, ...] = ()):
        super().__init__(message)
        self.user = user
        self.action = action
        self.regions = regions
