"""Config parsing of a source stack: every bad value names its key and the accepted form."""

from __future__ import annotations

import json
from typing import Any

import pytest

from components.source_args import (
    DEFAULT_RETENTION_DAYS,
    AccountPolicySource,
    LogGroupSource,
    LogSourceArgs,
)
from components.stack_config import StackConfig
from components.validation import ConfigError

ACCOUNT = "111111111111"
REGION = "ap-northeast-1"
ARCHIVE_STACK = "organization/log-archive/account-b"


def from_config(**values: Any) -> LogSourceArgs:
    values.setdefault("archiveStack", ARCHIVE_STACK)
    config = StackConfig(
        {f"log-archive:{k}": v if isinstance(v, str) else json.dumps(v) for k, v in values.items()}
    )
    return LogSourceArgs.from_config(config, ACCOUNT, REGION)


def test_a_log_group_without_options_takes_the_documented_defaults() -> None:
    args = from_config(logGroups=[{"name": "delivery-test"}])
    assert args == LogSourceArgs(
        archive_stack=ARCHIVE_STACK,
        account_id=ACCOUNT,
        regions=(REGION,),
        log_groups=(LogGroupSource(name="delivery-test"),),
        account_policy=None,
    )


def test_every_key_is_read() -> None:
    args = from_config(
        regions=["ap-northeast-1", "us-east-1"],
        logGroups=[
            {"name": "/app/web", "filterPattern": "ERROR", "create": True, "retentionDays": 30},
            {"name": "/app/worker", "create": True},
            {"name": "/aws/lambda/existing", "create": False},
        ],
        accountPolicy={"filterPattern": "{$.level = error}", "excludeLogGroups": ["/noisy"]},
    )
    assert args.regions == ("ap-northeast-1", "us-east-1")
    assert args.log_groups == (
        LogGroupSource("/app/web", "ERROR", create=True, retention_days=30),
        LogGroupSource("/app/worker", "", create=True, retention_days=DEFAULT_RETENTION_DAYS),
        LogGroupSource("/aws/lambda/existing", "", create=False, retention_days=None),
    )
    assert args.account_policy == AccountPolicySource("{$.level = error}", ("/noisy",))


def test_an_empty_account_policy_covers_every_event_of_every_log_group() -> None:
    args = from_config(accountPolicy={})
    assert args.log_groups == ()
    assert args.account_policy == AccountPolicySource(filter_pattern="", exclude_log_groups=())


def test_log_group_names_of_every_allowed_character_and_maximum_length_are_accepted() -> None:
    longest = "/" + "a" * 511
    names = ["/app/a-b", "/app/a/b", "app.a_b#1", "A", longest]
    args = from_config(logGroups=[{"name": name} for name in names])
    assert [source.name for source in args.log_groups] == names


def test_a_pattern_of_exactly_the_limit_is_accepted() -> None:
    args = from_config(logGroups=[{"name": "a", "filterPattern": "x" * 1024}])
    assert args.log_groups[0].filter_pattern == "x" * 1024


LOG_GROUPS_FORM = "Expected a list of {name, filterPattern?, create?, retentionDays?, kmsKeyArn?} objects"


@pytest.mark.parametrize(
    ("values", "message"),
    [
        pytest.param(
            {},
            "log-archive:logGroups: nothing to archive: neither logGroups nor accountPolicy is set."
            f" {LOG_GROUPS_FORM}",
            id="neither log groups nor account policy",
        ),
        pytest.param(
            {"logGroups": []},
            "log-archive:logGroups: nothing to archive",
            id="empty log group list and no account policy",
        ),
        pytest.param(
            {"logGroups": {"name": "a"}},
            "log-archive:logGroups: got {'name': 'a'}. " + LOG_GROUPS_FORM,
            id="log groups as an object instead of a list",
        ),
        pytest.param(
            {"logGroups": ["a"]},
            "log-archive:logGroups[0]: got 'a'. " + LOG_GROUPS_FORM,
            id="log group as a bare string",
        ),
        pytest.param(
            {"logGroups": [{"name": "a", "filterPatern": "ERROR"}]},
            "log-archive:logGroups[0]: unknown key 'filterPatern' (did you mean 'filterPattern'?). "
            + LOG_GROUPS_FORM,
            id="misspelled filterPattern",
        ),
        pytest.param(
            {"logGroups": [{"filterPattern": ""}]},
            "log-archive:logGroups[0].name: None is not a string. Expected a log "
            "group name of 1-512 characters from [.-_/#A-Za-z0-9].",
            id="name missing",
        ),
        pytest.param(
            {"logGroups": [{"name": ""}]},
            "log-archive:logGroups[0].name: '' is not a valid log group name",
            id="empty name",
        ),
        pytest.param(
            {"logGroups": [{"name": "/app/" + "a" * 508}]},
            "is not a valid log group name. Expected a log group name of 1-512 characters",
            id="name of 513 characters",
        ),
        pytest.param(
            {"logGroups": [{"name": "/app/web:prod"}]},
            "log-archive:logGroups[0].name: '/app/web:prod' is not a valid log group name",
            id="colon in the name",
        ),
        pytest.param(
            {"logGroups": [{"name": 42}]},
            "log-archive:logGroups[0].name: 42 is not a string",
            id="name as a number",
        ),
        pytest.param(
            {"logGroups": [{"name": "a"}, {"name": "b"}, {"name": "a"}]},
            "log-archive:logGroups[2].name: 'a' is listed twice. Expected each log group once.",
            id="duplicate log group",
        ),
        pytest.param(
            {"logGroups": [{"name": "a", "filterPattern": "x" * 1025}]},
            "log-archive:logGroups[0].filterPattern: the pattern has 1025 characters. Expected a "
            "CloudWatch Logs filter pattern of at most 1024 characters, its double quotes, braces, "
            'brackets and parentheses balanced ("" matches every event).',
            id="filter pattern over 1024 characters",
        ),
        pytest.param(
            {"logGroups": [{"name": "a", "filterPattern": ["ERROR"]}]},
            "log-archive:logGroups[0].filterPattern: ['ERROR'] is not a string",
            id="filter pattern as a list",
        ),
        pytest.param(
            {"logGroups": [{"name": "a", "create": "yes"}]},
            "log-archive:logGroups[0].create: 'yes' is not a boolean. Expected true or false.",
            id="create as a string",
        ),
        pytest.param(
            {"logGroups": [{"name": "a", "create": True, "retentionDays": 10}]},
            "log-archive:logGroups[0].retentionDays: 10 is not accepted. Expected one of 1, 3, 5,"
            " 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,"
            " 3288, 3653.",
            id="retention CloudWatch does not offer",
        ),
        pytest.param(
            {"logGroups": [{"name": "a", "create": True, "retentionDays": True}]},
            "log-archive:logGroups[0].retentionDays: True is not a whole number in plain ASCII digits",
            id="retention as a boolean",
        ),
        pytest.param(
            {"logGroups": [{"name": "a", "retentionDays": 30}]},
            "log-archive:logGroups[0].retentionDays: retention applies only to a log group the "
            'stack creates. Expected "create": true with it',
            id="retention on an existing log group",
        ),
        pytest.param(
            {"accountPolicy": ["/noisy"]},
            "log-archive:accountPolicy: got ['/noisy']. Expected an object {filterPattern?, "
            "excludeLogGroups?}",
            id="account policy as a list",
        ),
        pytest.param(
            {"accountPolicy": {"exclude": ["/noisy"]}},
            "log-archive:accountPolicy: unknown key 'exclude' (did you mean 'excludeLogGroups'?)",
            id="misspelled excludeLogGroups",
        ),
        pytest.param(
            {"accountPolicy": {"excludeLogGroups": ["/noisy", "/noisy"]}},
            "log-archive:accountPolicy.excludeLogGroups: '/noisy' is listed twice",
            id="duplicate exclusion",
        ),
        pytest.param(
            {"accountPolicy": {"excludeLogGroups": ["bad name"]}},
            "log-archive:accountPolicy.excludeLogGroups: 'bad name' is not a valid log group name. "
            "Expected a list of log group names",
            id="invalid excluded name",
        ),
        pytest.param(
            {"accountPolicy": {"excludeLogGroups": "/noisy"}},
            "log-archive:accountPolicy.excludeLogGroups: got '/noisy', not a list",
            id="exclusions as a string",
        ),
        pytest.param(
            {"accountPolicy": {"filterPattern": "x" * 1025}},
            "log-archive:accountPolicy.filterPattern: the pattern has 1025 characters",
            id="account policy pattern over 1024 characters",
        ),
        pytest.param(
            {"logGroups": [{"name": "a"}], "excludeLogGroups": ["/noisy"]},
            "log-archive:excludeLogGroups: exclusions apply only to the account policy. Expected"
            ' accountPolicy: {"excludeLogGroups": [...]}.',
            id="exclusions without an account policy",
        ),
        pytest.param(
            {"logGroups": [{"name": "a"}], "regions": []},
            "log-archive:regions: the list is empty",
            id="empty region list",
        ),
        pytest.param(
            {"logGroups": [{"name": "a"}], "regions": ["tokyo"]},
            "log-archive:regions: 'tokyo' is not an AWS region. Expected a non-empty list of region "
            "codes of the commercial aws partition",
            id="region that is not a region code",
        ),
        pytest.param(
            {"logGroups": [{"name": "a"}], "archiveStack": "account-b"},
            "log-archive:archiveStack: 'account-b' is not a full stack name. Expected "
            "<organization>/<project>/<stack>, e.g. organization/log-archive/account-b.",
            id="archive stack without organization and project",
        ),
        pytest.param(
            {"logGroups": "[{name: a"},
            "log-archive:logGroups: '[{name: a' is not valid YAML/JSON",
            id="log groups that are not JSON",
        ),
    ],
)
def test_bad_config_fails_naming_the_key_and_the_accepted_form(values: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        from_config(**values)
    assert message in str(raised.value)


def test_parsing_the_same_config_twice_gives_equal_args() -> None:
    values: dict[str, Any] = {
        "logGroups": [{"name": f"/app/{i}", "create": i % 2 == 0} for i in range(50)],
        "accountPolicy": {"excludeLogGroups": ["/noisy"]},
    }
    assert from_config(**values) == from_config(**values)


KEY_TOKYO = f"arn:aws:kms:ap-northeast-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
KEY_VIRGINIA = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/mrk-0123456789abcdef0123456789abcdef"


def test_a_created_log_group_takes_one_key_in_a_one_region_stack() -> None:
    args = from_config(logGroups=[{"name": "/app/web", "create": True, "kmsKeyArn": KEY_TOKYO}])
    assert args.log_groups[0].kms_key_arns == {REGION: KEY_TOKYO}


def test_a_created_log_group_takes_a_key_per_region() -> None:
    args = from_config(
        regions=["ap-northeast-1", "us-east-1"],
        logGroups=[
            {
                "name": "/app/web",
                "create": True,
                "kmsKeyArn": {"us-east-1": KEY_VIRGINIA, "ap-northeast-1": KEY_TOKYO},
            }
        ],
    )
    assert args.log_groups[0].kms_key_arns == {"ap-northeast-1": KEY_TOKYO, "us-east-1": KEY_VIRGINIA}


@pytest.mark.parametrize(
    ("entry", "regions", "key", "problem"),
    [
        pytest.param(
            {"kmsKeyArn": KEY_TOKYO},
            None,
            "logGroups[0].kmsKeyArn",
            "a key applies only to a log group the stack creates (an existing one keeps its own)",
            id="key-on-an-existing-log-group",
        ),
        pytest.param(
            {"create": True, "kmsKeyArn": KEY_TOKYO},
            ["ap-northeast-1", "us-east-1"],
            "logGroups[0].kmsKeyArn",
            "one key ARN for 2 regions (ap-northeast-1, us-east-1): a key serves one region",
            id="one-key-for-two-regions",
        ),
        pytest.param(
            {"create": True, "kmsKeyArn": {"ap-northeast-1": KEY_TOKYO}},
            ["ap-northeast-1", "us-east-1"],
            "logGroups[0].kmsKeyArn",
            "names regions ap-northeast-1, the stack's are ap-northeast-1, us-east-1",
            id="a-region-without-key",
        ),
        pytest.param(
            {"create": True, "kmsKeyArn": KEY_VIRGINIA},
            None,
            "logGroups[0].kmsKeyArn.ap-northeast-1",
            "the key's region is us-east-1, the log group's is ap-northeast-1",
            id="key-of-another-region",
        ),
        pytest.param(
            {"create": True, "kmsKeyArn": KEY_TOKYO.replace(ACCOUNT, "999999999999")},
            None,
            "logGroups[0].kmsKeyArn.ap-northeast-1",
            f"the key's account is 999999999999, the log group's is {ACCOUNT}",
            id="key-of-another-account",
        ),
        pytest.param(
            {"create": True, "kmsKeyArn": KEY_TOKYO.replace("arn:aws:", "arn:aws-cn:")},
            None,
            "logGroups[0].kmsKeyArn.ap-northeast-1",
            "the key's partition is aws-cn, the log group's is aws",
            id="key-of-another-partition",
        ),
        pytest.param(
            {"create": True, "kmsKeyArn": "alias/logs"},
            None,
            "logGroups[0].kmsKeyArn.ap-northeast-1",
            "'alias/logs' is not a KMS key ARN",
            id="alias-not-arn",
        ),
        pytest.param(
            {"create": True, "kmsKeyArn": ["x"]},
            None,
            "logGroups[0].kmsKeyArn",
            "got ['x']",
            id="a-list",
        ),
    ],
)
def test_bad_log_group_keys_are_refused_naming_the_entry(
    entry: dict[str, Any], regions: list[str] | None, key: str, problem: str
) -> None:
    values: dict[str, Any] = {"logGroups": [{"name": "/app/web", **entry}]}
    if regions is not None:
        values["regions"] = regions
    with pytest.raises(ConfigError) as raised:
        from_config(**values)
    assert raised.value.key == f"log-archive:{key}"
    assert str(raised.value).startswith(
        f"log-archive:{key}: {problem}. Expected with create: true, a KMS key"
    )
