"""Reading archive outputs synchronously: plain, secret or absent."""

from __future__ import annotations

from typing import Any, cast

import pulumi
import pytest
from pulumi.stack_reference import StackReferenceOutputDetails

from components.archive_reference import read_outputs


class Reference:
    """Answers ``get_output_details`` as ``pulumi.StackReference`` does, from fixed details."""

    def __init__(self, details: StackReferenceOutputDetails) -> None:
        self.details = details
        self.asked: list[str] = []

    async def get_output_details(self, name: str) -> StackReferenceOutputDetails:
        self.asked.append(name)
        return self.details


@pytest.mark.parametrize(
    ("details", "expected"),
    [
        pytest.param(
            StackReferenceOutputDetails(value=["111111111111"]), (["111111111111"], False), id="plain"
        ),
        pytest.param(
            StackReferenceOutputDetails(secret_value="o-abcdef1234"), ("o-abcdef1234", True), id="secret"
        ),
        pytest.param(StackReferenceOutputDetails(value=False), (False, False), id="plain false"),
        pytest.param(StackReferenceOutputDetails(), (None, False), id="absent"),
    ],
)
def test_an_output_is_read_as_a_plain_value_with_its_secretness(
    details: StackReferenceOutputDetails, expected: tuple[Any, bool]
) -> None:
    reference = Reference(details)

    assert read_outputs(cast(pulumi.StackReference, reference), ["organizationId"]) == {
        "organizationId": expected
    }
    assert reference.asked == ["organizationId"]
