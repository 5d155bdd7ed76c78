"""Calls for commons (appels à communs): the défi a funder posts."""
