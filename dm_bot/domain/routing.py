"""Which account (spa location) an event belongs to: by the receiving platform account (service-contract.md)."""

from __future__ import annotations

from collections.abc import Mapping

from dm_bot.domain.playbook import Playbook


class Router:
    """Routes by (channel, receiving account id); one loaded playbook takes every unnamed account."""

    def __init__(self, playbooks: Mapping[str, Playbook]) -> None:
        self._playbooks = dict(playbooks)
        self._owner: dict[tuple[str, str], str] = {}
        for account_id, playbook in self._playbooks.items():
            for channel in ("instagram", "messenger", "tiktok"):
                for platform_id in playbook.platform_accounts.ids(channel):
                    self._owner[(channel, platform_id)] = account_id

    def account_for(self, channel: str, platform_account_id: str) -> str | None:
        owner = self._owner.get((channel, platform_account_id))
        if owner is None and len(self._playbooks) == 1:
            return next(iter(self._playbooks))
        return owner

    def playbook(self, account_id: str) -> Playbook:
        return self._playbooks[account_id]

    @property
    def accounts(self) -> list[str]:
        return sorted(self._playbooks)
