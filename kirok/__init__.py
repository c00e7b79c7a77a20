"""Kirok (기록): testimony and evidence of grave human-rights violations, recorded for accountability."""

__version__ = "0.1.0"
