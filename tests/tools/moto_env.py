"""Fake credentials for the moto tests of the tools: no profile, no real AWS."""

from __future__ import annotations

import pytest


def fake_credentials(monkeypatch: pytest.MonkeyPatch, region: str) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(name, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", region)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
