"""ALP keeper: observe → estimate → assess risk → optimize → plan → check → simulate → send → confirm → record.

Packages mirror the layers of DESIGN.md: ``market`` (intelligence), ``risk``, ``optimize``, ``execute``, plus
``store``, ``backtest``, ``bot`` and ``cli``. The maths layers are pure functions; chain access lives in thin adapters.
"""

__version__ = "0.1.0"
