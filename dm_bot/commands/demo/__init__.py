"""`dm-bot demo`: the whole product on a fresh database with weeks of history made by the real pipeline."""
