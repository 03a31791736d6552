import time

import jwt
import pytest

from luoshi_kit.errors import Problem
from luoshi_kit.identity import Identity, sign_identity, verify_identity

ME = Identity(person_id="p1", username="u", display_name="U", org_code="520100000000", roles=["deputy"])


def test_signed_identity_round_trips() -> None:
    assert verify_identity(sign_identity(ME, "k" * 32), "k" * 32) == ME


@pytest.mark.parametrize(
    "token",
    [
        sign_identity(ME, "another-key-of-32-characters-xxx"),
        jwt.encode({**ME.model_dump(), "aud": "luoshi-internal", "exp": int(time.time()) - 5}, "k" * 32),
        jwt.encode({**ME.model_dump(), "aud": "luoshi", "exp": int(time.time()) + 60}, "k" * 32),
        "not-a-token",
    ],
    ids=["wrong key", "expired", "wrong audience", "garbage"],
)
def test_forged_or_stale_identity_is_refused(token: str) -> None:
    with pytest.raises(Problem) as info:
        verify_identity(token, "k" * 32)
    assert info.value.status == 401


def test_subtree_visibility() -> None:
    assert ME.can_see("520102000000") and ME.can_see("520100000000D01")
    assert not ME.can_see("520000000000") and not ME.can_see("520200000000")
