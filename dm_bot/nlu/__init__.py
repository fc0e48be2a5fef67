"""Understanding DMs (nlu-labels.md): the shipped classifier and how to load it."""

from dm_bot.nlu.classifier import SpacyClassifier, load_classifier

__all__ = ["SpacyClassifier", "load_classifier"]
