"""Moon AI: a terminal trading console for ByBit with an AI in the loop."""

__version__ = "0.1.0"
