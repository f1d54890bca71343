"""Prompt templates, stored as files and loaded by name."""
