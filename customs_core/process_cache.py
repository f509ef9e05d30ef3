"""A value computed once per process and recomputed when older than `max_age` or cleared.

Used for small, slow-changing tables read on every write (reference rows, the active risk
ruleset). Signals clear the copy in the process that changed the rows; other processes see
the change within `max_age` seconds.
"""

import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class ProcessCache(Generic[T]):
    def __init__(self, loader: Callable[[], T], *, max_age: float):
        self.loader, self.max_age = loader, max_age
        self._lock = threading.Lock()
        self._value: T | None = None
        self._loaded_at = 0.0

    def _fresh(self) -> bool:
        return self._value is not None and time.monotonic() - self._loaded_at <= self.max_age

    def get(self) -> T:
        if not self._fresh():
            with self._lock:
                if not self._fresh():
                    self._value = self.loader()
                    self._loaded_at = time.monotonic()
        return self._value

    def clear(self, **_signal_kwargs) -> None:
        self._value = None
