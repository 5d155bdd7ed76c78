"""Territories: communes, intercommunalités, départements, regions."""
