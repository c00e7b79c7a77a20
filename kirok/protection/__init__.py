"""Witness protection: compartments, protected fields, consent gate, pseudonyms, read audit, purge."""
