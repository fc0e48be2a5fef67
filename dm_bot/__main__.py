"""`python -m dm_bot` runs the same CLI as `dm-bot`."""

from dm_bot.cli import main

raise SystemExit(main())
