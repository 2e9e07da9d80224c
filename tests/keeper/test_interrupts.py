"""Both forms of an interruption (KeyboardInterrupt, and Ape's SystemExit(130/143)) are reported, then exit 130."""

from __future__ import annotations

import pytest

from keeper.interrupts import on_interrupt


@pytest.mark.parametrize("raised", [KeyboardInterrupt(), SystemExit(130), SystemExit(143)])
def test_an_interruption_is_reported_and_exits_as_interrupted(raised):
    said = []
    with pytest.raises(SystemExit) as exited, on_interrupt(lambda: said.append("stopped")):
        raise raised
    assert said == ["stopped"] and exited.value.code in (130, 143)


def test_other_exits_and_errors_pass_through_unreported():
    said = []
    with pytest.raises(SystemExit) as exited, on_interrupt(lambda: said.append("stopped")):
        raise SystemExit(2)
    assert exited.value.code == 2
    with pytest.raises(ValueError), on_interrupt(lambda: said.append("stopped")):
        raise ValueError("bad input")
    assert said == []
