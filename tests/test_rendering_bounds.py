"""The time and memory bounds of renderings, alone and within a rendering session (one
document's fragments and conditions share the set-up; each rendering keeps its own timer)."""

from __future__ import annotations

import signal
import time
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import pytest

from clausegen import templating
from clausegen.templating import RenderBoundError, bounded_rendering, rendering_session

resource = pytest.importorskip("resource")
linux_memory = pytest.mark.skipif(
    not Path("/proc/self/statm").exists()
    or resource.getrlimit(resource.RLIMIT_AS)[0] != resource.RLIM_INFINITY,
    reason="limite d'espace d'adressage déjà fixée ou /proc absent")


def _spin_forever() -> None:
    while True:
        time.sleep(0.01)


@pytest.mark.parametrize("in_session", [False, True])
def test_a_runaway_rendering_is_interrupted(in_session: bool) -> None:
    with rendering_session() if in_session else nullcontext():
        with pytest.raises(RenderBoundError, match="fragment : rendu interrompu après 0.3 s"), \
                bounded_rendering("fragment", seconds=0.3):
            _spin_forever()
        with bounded_rendering("suivant", seconds=0.3):
            pass  # the session goes on after a refused rendering


def test_each_rendering_of_a_session_has_its_own_time_limit() -> None:
    with rendering_session():
        for _ in range(3):  # 1.2 s in all, 0.4 s each: only a per-session limit would stop them
            with bounded_rendering("fragment", seconds=0.8):
                time.sleep(0.4)


@linux_memory
@pytest.mark.parametrize("in_session", [False, True])
def test_an_allocation_past_the_headroom_is_refused(in_session: bool,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(templating, "MEMORY_HEADROOM", 256 * 1024 * 1024)
    with rendering_session() if in_session else nullcontext():
        with pytest.raises(RenderBoundError, match="fragment : mémoire insuffisante"), \
                bounded_rendering("fragment"):
            bytearray(1024 * 1024 * 1024)
        with bounded_rendering("suivant"):
            bytearray(16 * 1024 * 1024)


@linux_memory
def test_a_session_restores_the_limits_and_the_handler() -> None:
    before = (resource.getrlimit(resource.RLIMIT_AS), signal.getsignal(signal.SIGALRM))
    with rendering_session():
        assert resource.getrlimit(resource.RLIMIT_AS)[0] != resource.RLIM_INFINITY
        assert signal.getsignal(signal.SIGALRM) is not before[1]
        with rendering_session(), bounded_rendering("fragment"):  # nested: the outer one's bounds
            pass
        assert resource.getrlimit(resource.RLIMIT_AS)[0] != resource.RLIM_INFINITY
    assert (resource.getrlimit(resource.RLIMIT_AS), signal.getsignal(signal.SIGALRM)) == before
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_a_document_sets_the_bounds_up_once_not_per_fragment(monkeypatch: pytest.MonkeyPatch) -> None:
    from clausegen.api.marche import open_library, read_dossier, render_piece
    from tests.conftest import NETTOYAGE

    original = templating._memory_limit
    set_ups: list[int] = []

    def counted(extra: int) -> Any:
        set_ups.append(extra)
        return original(extra)

    monkeypatch.setattr(templating, "_memory_limit", counted)
    _data, document = render_piece(read_dossier(NETTOYAGE), "ccap", library=open_library())
    assert len(document.fragments) > 20
    assert len(set_ups) <= 2  # the assembly's session and the skeleton's fields
