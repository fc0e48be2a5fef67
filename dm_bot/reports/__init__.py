"""The owners' numbers: the figures of a period from the store's facts, the CSV export, and their formatting."""
