"""Errors a user can cause, each reaching the user as one line that says what to do.

Anything else is a bug and keeps its traceback.
"""


class KioskError(Exception):
    """Base of every user-facing error; `exit_code` is what the CLI exits with."""

    exit_code = 1


class ConfigError(KioskError):
    """The configuration file or a command-line value is invalid."""

    exit_code = 2


class SourceError(KioskError):
    """A frame source cannot be opened or read: missing file, no camera, unreadable video."""


class CameraStoppedError(SourceError):
    """A live camera stopped delivering frames."""


class CameraUnavailableError(SourceError):
    """A live camera that is set up but cannot be opened now (unplugged, not detected, busy):
    the live loop shows the camera fault and keeps retrying instead of exiting."""


class TrackerError(KioskError):
    """The landmark models cannot be created or run."""


class OutputError(KioskError):
    """An output file cannot be written."""


class GpioError(KioskError):
    """GPIO pins cannot be opened: not a Pi, no pin library, a pin in use or wrongly named."""


class StorageError(KioskError):
    """The shift database cannot be opened, read or written: path, permissions, a newer schema."""


class StorageBusyError(StorageError):
    """The shift database is there and usable but cannot be written now (locked by another
    process, the disk full): the live loop keeps its records in memory and tries again."""


class AuthError(KioskError):
    """A dashboard user or token cannot be created or found."""


class ServeError(KioskError):
    """The dashboard cannot be served: the address is in use or not on this machine."""
