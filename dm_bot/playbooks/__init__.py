"""Playbook files: strict YAML loading whose errors name the file, the line and the field."""

from dm_bot.playbooks.loader import PlaybookError, check_playbooks, load_playbook, load_playbooks

__all__ = ["PlaybookError", "check_playbooks", "load_playbook", "load_playbooks"]
