"""The CLI's commands beyond serving: chat, demo, stats, users, and the supervisor of `serve --processes N`."""
