"""Tests of the pure allocation engine and the pabulib format."""
