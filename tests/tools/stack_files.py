"""Temporary ``Pulumi.<stack>.yaml`` files for the tests of the stack ordering."""

from __future__ import annotations

from pathlib import Path

import yaml


def archive_stack(directory: Path, name: str, region: str | None = "ap-northeast-1") -> None:
    config: dict[str, object] = {"aws:allowedAccountIds": ["222222222222"]}
    if region is not None:
        config["aws:region"] = region
    (directory / f"Pulumi.{name}.yaml").write_text(yaml.safe_dump({"config": config}))


def source_stack(directory: Path, name: str, archive: str, region: str | None = "ap-northeast-1") -> None:
    config: dict[str, object] = {"log-archive:archiveStack": archive}
    if region is not None:
        config["aws:region"] = region
    (directory / f"Pulumi.{name}.yaml").write_text(yaml.safe_dump({"config": config}))
