"""Simulated users: several Streamlit ``AppTest`` sessions of the app at once, in ONE process.

A server process runs every browser tab's session in its own thread, under one Streamlit runtime (one
cache storage for ``st.cache_data``/``st.cache_resource``, one media file manager) and one script cache
(each page compiled once for all). Streamlit's ``AppTest`` runs the same scripts through the same script
runner, but it was made for one test at a time: each run installs a fresh mock runtime and script cache,
and takes the runtime away again when the run ends. :func:`one_server_process` makes the AppTests of this
process share one runtime and one script cache, as the sessions of a server do; a
:class:`SimulatedUser` is one session (its own session state, as a browser tab), signed in through the
login form as its own account, whose page runs are timed and checked for errors; :func:`run_at_once`
starts several users' walks at the same moment, each in its own thread.

What it is for: the load run of ``benchmarks/bench_load.py`` (many users on one server: the server's
work per page run, shared caches or not) and tests that need several concurrent sessions. It measures
what the server does, not the network or the drawing in a browser (the browser tests give those).

Example (the store has accounts ``ana`` and ``bob``)::

    with one_server_process():
        users = [SimulatedUser("ana", password), SimulatedUser("bob", password)]
        run_at_once(users, lambda u: (u.sign_in(), u.open_page("pages/cases.py")))
    assert not [e for u in users for e in u.errors]
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from typing import TYPE_CHECKING, Any

from workbench.ui.serve import APP

if TYPE_CHECKING:
    from streamlit.testing.v1 import AppTest

    from workbench.identity import Principal
    from workbench.store.filters import CaseFilter

__all__ = ["SimulatedUser", "local_page_run", "one_server_process", "run_at_once"]

_lock = threading.Lock()  # one_server_process is process-wide: no two at once


@contextmanager
def one_server_process() -> Iterator[None]:
    """Within the block, every ``AppTest`` of this process runs under ONE runtime and ONE script cache.

    ``AppTest.run`` installs a fresh mock ``Runtime`` (with its own cache storage) for each run and
    removes it when the run ends, which is right for one test at a time but pulls the runtime from under
    the other sessions' runs when several run at once. Here the process gets one runtime (one media file
    manager, one cache storage manager: what a server process has) and AppTest's own swap is pointed at a
    subclass, where it changes nothing. Likewise one script cache (AppTest makes one per run, so 20
    sessions compiled the pages at once, which Python 3.11's ``ast`` module does not survive:
    "SystemError: AST constructor recursion depth mismatch"), and the "pages directory" flag, which
    AppTest resets before each run where a server sets it once (another session's reset in the middle of
    a run sent that run down the legacy pages path). And AppTest's "test mode" option (``global.appTest``,
    under which widgets leave their ``format_func`` where AppTest reads them back): each run patches
    Streamlit's ``config.get_option`` for its duration, and two runs that overlap undo each other's patch
    (the second run lost it in the middle, then failed with a ``KeyError`` on its next widget); here it
    is set once for the whole block.

    Everything is put back when the block ends, so AppTests after it run as usual.
    """
    from unittest.mock import MagicMock

    from streamlit import config
    from streamlit.components.v2.component_manager import BidiComponentManager
    from streamlit.runtime import Runtime
    from streamlit.runtime.caching.storage.dummy_cache_storage import MemoryCacheStorageManager
    from streamlit.runtime.dataframe_source_manager import DataframeSourceManager
    from streamlit.runtime.media_file_manager import MediaFileManager
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
    from streamlit.testing.v1 import app_test, util

    if not _lock.acquire(blocking=False):
        raise RuntimeError("one_server_process() is already active in this process")
    saved = (Runtime._instance, app_test.Runtime, app_test.ScriptCache, app_test.PagesManager)
    saved_config = (config.get_option, app_test.patch_config_options)
    try:
        runtime = MagicMock(spec=Runtime)
        runtime.media_file_mgr = MediaFileManager(MemoryMediaFileStorage("/mock/media"))
        runtime.dataframe_source_mgr = DataframeSourceManager()
        runtime.cache_storage_manager = MemoryCacheStorageManager()
        components = BidiComponentManager()
        components.discover_and_register_components(start_file_watching=False)
        runtime.bidi_component_registry = components
        Runtime._instance = runtime

        class _Swapped(Runtime):  # AppTest's per-run swap lands here, not on the process's runtime
            pass

        shared_cache = app_test.ScriptCache()

        class _Pages(app_test.PagesManager):  # AppTest's per-run reset of the pages flag lands here
            pass

        app_test.Runtime = _Swapped  # type: ignore[misc]
        app_test.ScriptCache = lambda: shared_cache  # type: ignore[misc,assignment]
        app_test.PagesManager = _Pages  # type: ignore[misc]
        config.get_option = util.build_mock_config_get_option({"global.appTest": True})  # type: ignore[assignment]
        app_test.patch_config_options = lambda overrides: nullcontext()  # type: ignore[assignment,return-value]
        yield
    finally:
        Runtime._instance, app_test.Runtime, app_test.ScriptCache, app_test.PagesManager = saved  # type: ignore[misc]
        config.get_option, app_test.patch_config_options = saved_config
        _lock.release()


def _get(at: AppTest, key: str) -> Any:
    """``at``'s session state at ``key``, or None (AppTest's ``in`` does not see the app's own keys)."""
    try:
        return at.session_state[key]
    except KeyError:
        return None


class SimulatedUser:
    """One user's session: an ``AppTest`` of the app's entry script, signed in as ``name``.

    Every step (:meth:`sign_in`, :meth:`open_page`, :meth:`change_filter`, or any function given to
    :meth:`step`) is timed into :attr:`times` as ``(label, seconds)``, and what went wrong in it (an
    exception in the page, an error box, a run that failed or timed out) lands in :attr:`errors`, each
    message prefixed with the user's name and the step's label; a step never raises.
    """

    def __init__(self, name: str, password: str, *, timeout: float = 90, entry: str | None = None) -> None:
        from streamlit.testing.v1 import AppTest

        self.name, self._password = name, password
        self.at: AppTest = AppTest.from_file(entry or str(APP), default_timeout=timeout)
        self.times: list[tuple[str, float]] = []
        self.errors: list[str] = []
        self._opened = False

    def __repr__(self) -> str:
        return f"SimulatedUser({self.name!r})"

    def _note(self, label: str, what: str) -> None:
        self.errors.append(f"{self.name} {label}: {what}"[:300])

    def step(self, label: str, fn: Callable[[], object]) -> None:
        """Run ``fn`` (which drives :attr:`at`) as the step ``label``: timed, its errors noted."""
        t0 = time.perf_counter()
        try:
            fn()
        except Exception as exc:  # a timeout or a crash of the run is an error of the session
            self._note(label, f"{type(exc).__name__}: {exc}")
        self.times.append((label, time.perf_counter() - t0))
        for exception in self.at.exception:
            self._note(label, f"exception {exception.value}")
        for box in self.at.error:
            self._note(label, f"error box {box.value}")

    @property
    def principal(self) -> Principal | None:
        """Who this session is signed in as (None before the sign-in, or when it was refused)."""
        from workbench.ui.session import _KEY, SignedIn

        value = _get(self.at, _KEY)
        return value.principal if isinstance(value, SignedIn) else None

    def sign_in(self, label: str = "sign in") -> bool:
        """Open the app (the login form), sign in through it, land on the first page; whether it worked."""

        def go() -> None:
            at = self.at
            if not self._opened:
                at.run()
                self._opened = True
            at.text_input(key="login_name").set_value(self.name)
            at.text_input(key="login_password").set_value(self._password)
            at.button(key="login_submit").click()
            at.run()

        self.step(label, go)
        principal = self.principal
        if principal is None or principal.user != self.name:
            self._note(label, "not signed in")
            return False
        return True

    def open_page(self, page: str, label: str | None = None) -> None:
        """Switch to ``page`` (a path relative to the entry script, e.g. ``pages/cases.py``) and run it."""

        def go() -> None:
            self.at.switch_page(page)
            self.at.run()

        self.step(label or page, go)

    def set_filter(self, flt: CaseFilter) -> None:
        """Set the session's case filter (the sidebar's shared state) without running the page."""
        from workbench.ui.state import _KEY, AppState

        state = _get(self.at, _KEY)
        if not isinstance(state, AppState):
            state = AppState()
            self.at.session_state[_KEY] = state
        state.filter = flt

    def change_filter(self, flt: CaseFilter, label: str) -> None:
        """Set the case filter as the sidebar would, then run the current page again."""

        def go() -> None:
            self.set_filter(flt)
            self.at.run()

        self.step(label, go)


def run_at_once(users: Sequence[SimulatedUser], walk: Callable[[SimulatedUser], Any]) -> float:
    """Run ``walk(user)`` for every user at the same moment, each in its own thread; the wall seconds.

    Call it inside :func:`one_server_process` (sessions of one server). An exception that escapes a walk
    is noted in that user's :attr:`~SimulatedUser.errors` rather than lost with its thread.
    """
    if not users:
        return 0.0
    start = threading.Barrier(len(users))

    def go(user: SimulatedUser) -> None:
        start.wait()
        try:
            walk(user)
        except Exception as exc:
            user._note("walk", f"{type(exc).__name__}: {exc}")

    t0 = time.perf_counter()
    threads = [threading.Thread(target=go, args=(u,), name=u.name) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - t0


def local_page_run(
    page: str, *, purpose: tuple[str, str] | None = None, timeout: float = 3600
) -> tuple[float, float, AppTest]:
    """One session of the app in local mode (``WORKBENCH_ROLE`` and ``WORKBENCH_DB_URL`` from the
    environment, no sign-in): the entry script run once, then ``page`` opened; returns the page run's wall
    and CPU seconds (this process) and the session, for the caller to read what the page shows. With
    ``purpose`` (reference, text), the session has declared it, as a user does before personal data."""
    from streamlit.testing.v1 import AppTest

    from workbench.identity import Purpose

    at = AppTest.from_file(str(APP), default_timeout=timeout)
    at.run()
    if purpose is not None:
        at.session_state["_workbench_local_purposes"] = {"": Purpose(*purpose)}
    at.switch_page(page)
    t0, c0 = time.perf_counter(), time.process_time()
    at.run()
    return time.perf_counter() - t0, time.process_time() - c0, at
