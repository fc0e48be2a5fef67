"""Evaluation commands of eval-cli.md: `dm-bot eval messages` and `dm-bot eval conversations`."""
