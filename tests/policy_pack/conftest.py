"""One policy pack process per stack and mode for the whole session, launched as the CLI launches it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from offline.analyzer import PolicyPackProcess
from offline.program import stack_config
from tests.policy_pack.world import PackFactory


@pytest.fixture(scope="session")
def packs() -> Iterator[PackFactory]:
    """``packs(stack, preview)``: the running pack for that stack's config and mode, started
    on first use and terminated at the end of the session."""
    running: dict[tuple[str, bool], PolicyPackProcess] = {}

    def get(stack: str, preview: bool) -> PolicyPackProcess:
        if (stack, preview) not in running:
            process = PolicyPackProcess(stack=stack, preview=preview, config=stack_config(stack))
            running[(stack, preview)] = process
            process.start()
        return running[(stack, preview)]

    try:
        yield get
    finally:
        for process in running.values():
            process.close()


@pytest.fixture
def archive_pack(packs: PackFactory) -> Iterator[PolicyPackProcess]:
    """The archive stack's pack in update mode, with the default configuration restored after."""
    pack = packs("account-b", False)
    yield pack
    pack.configure()


@pytest.fixture
def preview_pack(packs: PackFactory) -> PolicyPackProcess:
    return packs("account-b", True)
