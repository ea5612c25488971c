"""The whole quick-start manual: 管理者編 on the admin's PC, then 利用者編 on the user's PC (all 37 steps)."""

import time

import pytest

import spec
from pages.walkthrough import walk_manual

from .conformance import recorder_for


@pytest.mark.walkthrough
def test_walkthrough_admin_then_user_on_two_pcs(request, admin_pc, user_pc, contract):
    """I-1.1 … II-2.6 in order; every step's screen is the one the manual names."""
    recorder = recorder_for(request.node)
    started = time.perf_counter()
    result = walk_manual(admin_pc, user_pc, contract, recorder=recorder)
    seconds = time.perf_counter() - started
    request.node.user_properties.append(("walkthrough_seconds", round(seconds, 2)))
    print(f"\nfull walkthrough: {seconds:.1f} s")
    assert result.steps == list(spec.STEP_IDS)
    assert admin_pc.certificates == [result.admin_certificate]
    assert user_pc.certificates == [result.user_certificate]
