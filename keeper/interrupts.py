"""Ctrl-C and SIGTERM, as the commands see them once Ape is imported.

Ape installs its own SIGINT/SIGTERM handlers: they run the atexit hooks (which stop a local anvil it started) and
raise SystemExit(130 or 143) rather than KeyboardInterrupt. A command that wants to say it was interrupted must
catch both forms.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

SIGNAL_EXIT_CODES = (130, 143)  # 128 + SIGINT, 128 + SIGTERM


@contextmanager
def on_interrupt(say: Callable[[], None]) -> Iterator[None]:
    """Runs `say` when the body is interrupted, then exits with 130 as a shell expects of an interrupted command."""
    try:
        yield
    except KeyboardInterrupt:
        say()
        raise SystemExit(130) from None
    except SystemExit as exc:
        if exc.code not in SIGNAL_EXIT_CODES:
            raise
        say()
        raise
