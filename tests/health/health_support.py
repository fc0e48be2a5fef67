"""Ids and tokens shared by the channel health tests (the demo playbook's platform accounts)."""

IG = "17841400000000001"
PAGE = "100000000000001"
TT = "7000000000000000001"
TOKENS = {IG: "ig-token", PAGE: "page-token"}
