"""The approval rule: N distinct members other than the author, at least one of them a lead."""

from __future__ import annotations

import pytest

from commons.expenses.rules import count_approvals, lead_must_approve_next


def test_the_default_needs_one_lead() -> None:
    nobody = count_approvals(1, [])
    assert (nobody.missing, nobody.describe_missing()) == (1, "il manque 1 approbation d'un porteur du projet")
    assert lead_must_approve_next(nobody, is_lead=False)
    assert not lead_must_approve_next(nobody, is_lead=True)
    assert count_approvals(1, [True]).missing == 0


def test_several_approvals_leave_room_for_a_lead() -> None:
    one_member = count_approvals(3, [False])
    assert one_member.missing == 2
    assert one_member.describe_missing() == "il manque 2 approbations, dont celle d'un porteur du projet"
    assert not lead_must_approve_next(one_member, is_lead=False)
    two_members = count_approvals(3, [False, False])
    assert two_members.missing == 1 and lead_must_approve_next(two_members, is_lead=False)
    with_lead = count_approvals(3, [True, False])
    assert with_lead.describe_missing() == "il manque 1 approbation"
    assert not lead_must_approve_next(with_lead, is_lead=False)
    assert count_approvals(3, [True, False, False]).describe_missing() == "elle a toutes ses approbations"


@pytest.mark.parametrize(
    ("required", "approvals", "missing"),
    [
        (1, [False], 1),  # enough people, but no lead among them (a lead left, or N was lowered)
        (2, [True, True, True], 0),  # more than enough
        (4, [True], 3),  # N raised after approvals were given
    ],
)
def test_missing_counts_people_and_the_lead(required: int, approvals: list[bool], missing: int) -> None:
    assert count_approvals(required, approvals).missing == missing
