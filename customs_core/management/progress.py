"""Progress bars for management commands: shown on a terminal, silent in logs and CI."""

from collections.abc import Iterable

from tqdm import tqdm


def progress_for(stream, verbosity: int = 1):
    """A function wrapping an iterable in a tqdm bar when `stream` is a terminal."""
    enabled = verbosity >= 1 and hasattr(stream, "isatty") and stream.isatty()

    def progress(items: Iterable, *, desc: str = "", total: int | None = None, unit: str = "it"):
        if not enabled:
            return items
        return tqdm(items, desc=desc, total=total, unit=unit, file=stream._out
                    if hasattr(stream, "_out") else stream, dynamic_ncols=True, leave=False)

    return progress
