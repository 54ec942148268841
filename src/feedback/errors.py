"""The one error type for bad input, so pages and the CLI can show it plainly."""


class InputError(ValueError):
    """A file or value a person supplied is unusable.

    The message is for that person: it names the file, the sheet, row or column,
    what is wrong, and what to do. Pages show ``str(err)``; the CLI prints it and
    exits with status 2.
    """
