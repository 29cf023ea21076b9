"""mopstui: the incident war-room for marketing operations, in a terminal."""

__version__ = "0.1.0"
