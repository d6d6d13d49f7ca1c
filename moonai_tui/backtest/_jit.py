"""``compiled`` / ``inlined``: numba's ``njit(cache=True, nogil=True)``, made safe to cache.

Numba caches machine code on disk so a fresh process loads the kernels in
milliseconds instead of compiling them for seconds. Where it writes, in numba's
own order:

1. ``$NUMBA_CACHE_DIR`` when set (point it at a writable folder on read-only installs);
2. ``__pycache__`` beside this package, when writable;
3. the per-user cache folder (``~/.cache/numba`` on Linux), when the package is
   read-only (a system site-packages, a container image).

Two problems are handled here:

* **Nowhere to write.** If none of the above is writable numba refuses
  ``cache=True`` with a RuntimeError at decoration time, which would make the
  backtester fail to import. We catch it and compile without a cache: every
  process then pays the compile time once (seconds), with a warning saying why.
* **Stale code across files.** Numba checks a cached function against its *own*
  source file only, yet the loop in ``simulate.py`` has the rules of
  ``kernels.py`` compiled into it: edit ``kernels.py`` alone (a ``git pull``, a
  fix) and the old rules would keep running from the cache. The locators
  registered below (for files of this package only) add a hash of every file in
  ``KERNEL_FILES`` to the freshness stamp, so a change to any of them recompiles
  all of them. Should numba's internals move, we fall back to its default
  locators (and the stale-cache risk) rather than fail.

And one cold-start cost is avoided: on its first compile or cache load numba
imports ``numba.np.arraymath``, which probes for BLAS by importing
``scipy.linalg`` (0.25-0.3 s of CPU here, a third of a fresh backtest process,
mostly scipy cloning numpy's namespace). None of our kernels uses BLAS. When
``scipy.linalg`` is not loaded yet we import that module with it hidden, so the
probe answers "no BLAS". Its only effect: ``np.correlate``/``np.convolve`` in numba code
of this process use numba's own inner-product loop instead of BLAS. ``np.dot``,
``np.linalg`` and friends check again when they are compiled and import scipy then.
"""

from __future__ import annotations

import hashlib
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal, TypeVar, cast

import numba

_F = TypeVar("_F", bound=Callable[..., Any])
_log = logging.getLogger(__name__)

PACKAGE_DIR = Path(__file__).resolve().parent
KERNEL_FILES = ("kernels.py", "simulate.py")
"""The package's files holding compiled code; a change to one recompiles all."""


def kernel_fingerprint() -> str:
    """SHA-256 over the contents of ``KERNEL_FILES``."""
    digest = hashlib.sha256()
    for name in KERNEL_FILES:
        digest.update((PACKAGE_DIR / name).read_bytes())
    return digest.hexdigest()


def compiled(func: _F) -> _F:
    """Compile ``func`` with numba (nopython, GIL released), cached on disk if possible."""
    return _compile(func, "never")


def inlined(func: _F) -> _F:
    """Like :func:`compiled`, and inlined into its numba callers (no call overhead)."""
    return _compile(func, "always")


def _compile(func: _F, inline: Literal["never", "always"]) -> _F:
    try:
        dispatcher = numba.njit(cache=True, nogil=True, inline=inline)(func)
    except RuntimeError as exc:
        _log.warning(
            "numba cannot cache %s (%s); compiling it in memory. "
            "Set NUMBA_CACHE_DIR to a writable folder to keep compiled code.",
            func.__qualname__,
            exc,
        )
        dispatcher = numba.njit(cache=False, nogil=True, inline=inline)(func)
    return cast(_F, dispatcher)


def _install_locators() -> None:
    """Put package-aware copies of numba's three file locators first in its list."""
    try:
        from numba.core import caching

        bases = (
            caching.UserProvidedCacheLocator,
            caching.InTreeCacheLocator,
            caching.UserWideCacheLocator,
        )
        impl = caching.CacheImpl
        current = list(impl._locator_classes)
    except (ImportError, AttributeError):
        _log.debug("numba's cache locators moved; kernel caches track their own file only")
        return
    if any(getattr(c, "_moonai", False) for c in current):
        return
    fingerprint = kernel_fingerprint()
    ours = [_package_locator(base, fingerprint) for base in bases]
    impl._locator_classes = [*ours, *current]


def _package_locator(base: type[Any], fingerprint: str) -> type[Any]:
    def from_function(cls: type[Any], py_func: Callable[..., Any], py_file: str) -> Any:
        if Path(py_file).resolve().parent != PACKAGE_DIR:
            return None
        return super(locator, cls).from_function(py_func, py_file)

    def get_source_stamp(self: Any) -> Any:
        return (super(locator, self).get_source_stamp(), fingerprint)

    namespace = {
        "_moonai": True,
        "from_function": classmethod(from_function),
        "get_source_stamp": get_source_stamp,
    }
    locator: type[Any] = type(f"MoonAI{base.__name__}", (base,), namespace)
    return locator


def _import_arraymath_without_blas_probe() -> None:
    """Import ``numba.np.arraymath`` with scipy hidden (module docstring says why)."""
    hidden = "scipy.linalg"
    if "numba.np.arraymath" in sys.modules or hidden in sys.modules:
        return
    # A None entry makes `import scipy.linalg...` raise ImportError, which the probe
    # handles as "no BLAS".
    sys.modules[hidden] = None  # type: ignore[assignment]
    try:
        import numba.np.arraymath  # noqa: F401
    finally:
        del sys.modules[hidden]


_install_locators()
_import_arraymath_without_blas_probe()
