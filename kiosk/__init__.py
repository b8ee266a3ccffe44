"""counter-kiosk: body-language nudges for service-counter staff.

Frames in, numbers out: see ../README.md and STYLE.md for the flow of data.
"""

__version__ = "0.1.0"
