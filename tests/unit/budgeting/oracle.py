"""pabutools, the reference library, run on our plain data: the oracle of the rule tests."""

from __future__ import annotations

from pabutools.election import ApprovalBallot, ApprovalProfile, Cardinality_Sat, Cost_Sat, Instance, Project
from pabutools.rules import exhaustion_by_budget_increase, greedy_utilitarian_welfare, method_of_equal_shares

from commons.budgeting.rules import ApprovalElection, Satisfaction

SAT_CLASSES = {"cost": Cost_Sat, "cardinality": Cardinality_Sat}


def to_pabutools(election: ApprovalElection) -> tuple[Instance, ApprovalProfile]:
    """The same election for pabutools; a voter of weight w becomes w identical ballots."""
    projects = {project: Project(project, cost) for project, cost in election.costs.items()}
    instance = Instance(projects.values(), budget_limit=election.budget)
    ballots = []
    for voter, ballot in enumerate(election.ballots):
        for _ in range(election.voter_weight(voter)):
            ballots.append(ApprovalBallot(projects[project] for project in ballot))
    return instance, ApprovalProfile(ballots)


def greedy(election: ApprovalElection, sat: Satisfaction) -> list[str]:
    instance, profile = to_pabutools(election)
    outcome = greedy_utilitarian_welfare(instance, profile, sat_class=SAT_CLASSES[sat])
    return [project.name for project in outcome]


def equal_shares(election: ApprovalElection, sat: Satisfaction) -> list[str]:
    instance, profile = to_pabutools(election)
    outcome = method_of_equal_shares(instance, profile, sat_class=SAT_CLASSES[sat])
    return [project.name for project in outcome]


def equal_shares_add1(election: ApprovalElection, sat: Satisfaction) -> list[str]:
    instance, profile = to_pabutools(election)
    outcome = exhaustion_by_budget_increase(
        instance,
        profile,
        method_of_equal_shares,
        {"sat_class": SAT_CLASSES[sat], "voter_budget_increment": 1},
        exhaustive_stop=False,
    )
    return [project.name for project in outcome]
