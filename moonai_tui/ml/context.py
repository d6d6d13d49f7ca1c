"""Process-wide state of the ``ml`` strategy, which (like every strategy) gets only its
parameters: the engine or a command calls :func:`configure` with its settings (otherwise
the default config file is read once), and registry changes made in this process bump a
generation so running strategies reload their model. Kept tiny so the engine can call it at
start without loading any of the ML stack.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class MlDefaults:
    """Settings the ``ml`` strategy needs but a strategy is not given."""

    database_url: str
    min_confidence: float


_defaults: MlDefaults | None = None


def configure(database_url: str, min_confidence: float) -> None:
    """Tell ``ml`` strategies which database and confidence threshold to use; the engine
    and commands call this with their settings (a ``--config`` other than the default)."""
    global _defaults
    _defaults = MlDefaults(database_url, min_confidence)


def defaults() -> MlDefaults:
    """What :func:`configure` set, else the default config file's values."""
    global _defaults
    if _defaults is None:
        from moonai_tui.config import load_settings

        settings = load_settings()
        _defaults = MlDefaults(settings.database_url, settings.ml.min_confidence)
    return _defaults


_generation = 0


def models_changed() -> None:
    """Note that the registry changed here (promote, roll back, retrain): ``ml`` strategies
    in this process load the now-active model at their next bar."""
    global _generation
    _generation += 1


def generation() -> int:
    """How many times :func:`models_changed` was called in this process."""
    return _generation
