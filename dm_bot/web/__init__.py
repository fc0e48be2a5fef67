"""Driving web adapters: webhooks, the staff inbox, stats pages, health and metrics."""
