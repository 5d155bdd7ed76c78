"""The kinds of organizations (stakeholder families), apart from the models so light code (the command
line's parser) can name them without loading the database layer."""

from __future__ import annotations

import enum


class OrganizationKind(enum.StrEnum):
    """The stakeholder families; each has an equal vote whatever its size."""

    COLLECTIVITE = "collectivite"
    ASSOCIATION = "association"
    ENTREPRISE = "entreprise"
    HABITANT = "habitant"
    UNIVERSITE = "universite"
    FONDATION = "fondation"
    MEDIA = "media"
