"""The organization stack: its config, its pre-flight checks against the archive, the StackSet
template (cfn-lint, parliament, the same builders as LogSource) and what it registers."""

from __future__ import annotations

import json
import warnings
from typing import Any

import pytest
from cfnlint.api import lint

from components import heartbeat, naming, organization_template, outputs, source_policies
from components.archive_reference import ArchiveOutputs, parse_outputs
from components.organization_args import OperationPreferences, OrganizationSourcesArgs
from components.organization_sources import STACK_SET_NAME, plan
from components.stack_config import StackConfig
from components.subscription_changes import bus_arn
from components.validation import ConfigError, aws_regions
from offline.program import run_program

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # parliament imports the deprecated pkg_resources
    from parliament import analyze_policy_string

ARCHIVE_STACK = "organization/log-archive/account-b"
ARCHIVE_ACCOUNT = "222222222222"
ORGANIZATION = "o-abcd123456"
REGIONS = ("ap-northeast-1", "us-east-1")
OU = "ou-ab12-cd34ef56"
STACK_SET = "aws:cloudformation/stackSet:StackSet"
INSTANCES = "aws:cloudformation/stackInstances:StackInstances"


def archive(organization_id: str | None = ORGANIZATION, regions: tuple[str, ...] = REGIONS) -> ArchiveOutputs:
    values: dict[str, Any] = {
        outputs.DESTINATION_ARNS: {
            r: f"arn:aws:logs:{r}:{ARCHIVE_ACCOUNT}:destination:log-archive" for r in regions
        },
        outputs.ARCHIVE_ACCOUNT_ID: ARCHIVE_ACCOUNT,
        outputs.SOURCE_ACCOUNT_IDS: [],
        outputs.SUBSCRIPTION_ROLE_REQUIRED: organization_id is not None,
        outputs.PIPELINE_LOG_GROUPS: {r: [f"/aws/kinesisfirehose/log-archive-{r}"] for r in regions},
        outputs.CHANGE_BUS_ARNS: {r: bus_arn("aws", ARCHIVE_ACCOUNT, r) for r in regions},
        outputs.ORGANIZATION_ID: organization_id,
    }
    return parse_outputs(ARCHIVE_STACK, values, frozenset())


def config(**overrides: Any) -> StackConfig:
    values: dict[str, Any] = {
        "organizationalUnitIds": [OU],
        "archiveStack": ARCHIVE_STACK,
        "organizationId": ORGANIZATION,
        "regions": list(REGIONS),
    }
    values.update(overrides)
    return StackConfig(
        {
            f"log-archive:{key}": value if isinstance(value, str) else json.dumps(value)
            for key, value in values.items()
            if value is not None
        }
    )


def args(**overrides: Any) -> OrganizationSourcesArgs:
    return OrganizationSourcesArgs.from_config(config(**overrides), REGIONS[0])


def test_a_stack_with_organizational_unit_ids_is_the_organization_stack() -> None:
    assert config().kind == "organization"
    parsed = args()
    assert parsed.organizational_unit_ids == (OU,)
    assert parsed.home_region == "ap-northeast-1"
    assert parsed.call_as == "SELF"
    assert parsed.retain_stacks_on_account_removal is False
    assert parsed.operation_preferences == OperationPreferences(
        max_concurrent_percentage=25, failure_tolerance_percentage=10, region_concurrency_type="SEQUENTIAL"
    )


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        pytest.param(
            {"organizationalUnitIds": ["ou-AB12-cd34ef56"]},
            "log-archive:organizationalUnitIds: 'ou-AB12-cd34ef56' is not an OU id or root id.",
            id="ou id with capitals",
        ),
        pytest.param(
            {"organizationalUnitIds": []}, "log-archive:organizationalUnitIds: the list is empty.", id="no ou"
        ),
        pytest.param(
            {"organizationalUnitIds": [OU, OU]},
            f"log-archive:organizationalUnitIds: '{OU}' is listed twice.",
            id="ou listed twice",
        ),
        pytest.param(
            {"organizationId": "o-short"},
            "log-archive:organizationId: 'o-short' is not an organization id.",
            id="bad organization id",
        ),
        pytest.param({"callAs": "ADMIN"}, "log-archive:callAs: 'ADMIN' is not supported", id="bad call as"),
        pytest.param(
            {"retainStacksOnAccountRemoval": '"true"'},
            "log-archive:retainStacksOnAccountRemoval: 'true' is not a boolean.",
            id="retain as a quoted string",
        ),
        pytest.param(
            {"operationPreferences": {"maxConcurrentCount": 5, "maxConcurrentPercentage": 5}},
            "log-archive:operationPreferences.maxConcurrentCount: both maxConcurrentCount and "
            "maxConcurrentPercentage are set",
            id="count and percentage",
        ),
        pytest.param(
            {"operationPreferences": {"maxConcurrentCount": 5, "failureToleranceCount": 1}},
            "log-archive:operationPreferences.maxConcurrentCount: 5 is more than "
            "failureToleranceCount + 1 (2)",
            id="concurrency above tolerance + 1",
        ),
        pytest.param(
            {"operationPreferences": {"maxConcurrentPercentage": 1.5}},
            "log-archive:operationPreferences.maxConcurrentPercentage: 1.5 is not a whole number",
            id="fractional percentage",
        ),
        pytest.param(
            {"heartbeatMinutes": "61"},
            "log-archive:heartbeatMinutes: 61 is out of range. Expected an integer from 0 to 60.",
            id="heartbeat interval over an hour",
        ),
        pytest.param(
            {"logGroups": [{"name": "x"}]},
            "log-archive:logGroups: logGroups is a source-stack key, but this stack is the organization "
            "stack because log-archive:organizationalUnitIds is set",
            id="source key on the organization stack",
        ),
        pytest.param(
            {"sourceRegions": ["us-east-1"]},
            "log-archive:sourceRegions: sourceRegions is an archive-stack key, but this stack is the "
            "organization stack",
            id="archive key on the organization stack",
        ),
    ],
)
def test_a_bad_organization_value_is_refused_naming_the_key(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        args(**overrides)
    assert str(raised.value).startswith(message)


def test_the_organization_stacks_key_is_refused_on_a_source_stack() -> None:
    source = StackConfig({"log-archive:archiveStack": ARCHIVE_STACK, "log-archive:callAs": "SELF"})
    with pytest.raises(ConfigError) as raised:
        source.check_keys(source.kind)
    assert str(raised.value).startswith(
        "log-archive:callAs: callAs is an organization-stack key, but this stack is the source stack "
        "because log-archive:archiveStack is set"
    )


@pytest.mark.parametrize(
    ("archive_outputs", "message"),
    [
        pytest.param(
            archive(organization_id=None),
            f"log-archive:archiveStack: the archive stack {ARCHIVE_STACK} is not in the organization form",
            id="account-list archive",
        ),
        pytest.param(
            archive(organization_id="o-zzzz999999"),
            f"log-archive:organizationId: {ORGANIZATION} is not the organization the archive stack",
            id="other organization",
        ),
        pytest.param(
            archive(regions=("ap-northeast-1",)),
            f"log-archive:regions: the archive stack {ARCHIVE_STACK} has no destination in us-east-1",
            id="region without destination",
        ),
    ],
)
def test_the_archive_is_checked_before_anything_is_registered(
    archive_outputs: ArchiveOutputs, message: str
) -> None:
    with pytest.raises(ConfigError) as raised:
        plan(args(), archive_outputs)
    assert str(raised.value).startswith(message)


def test_a_template_beyond_the_inline_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    size = len(plan(args(), archive()).body.encode())
    monkeypatch.setattr(organization_template, "TEMPLATE_BODY_LIMIT", size - 1)
    with pytest.raises(ConfigError) as raised:
        plan(args(), archive())
    assert f"would be {size} bytes, more than the {size - 1} bytes CloudFormation accepts inline" in str(
        raised.value
    )
    assert str(raised.value).startswith("log-archive:accountPolicy.excludeLogGroups: the StackSet's template")


def template(**overrides: Any) -> dict[str, Any]:
    return plan(
        args(**{"accountPolicy": {"filterPattern": '{ $.level = "${x}" }'}, **overrides}), archive()
    ).template


@pytest.mark.parametrize(
    "overrides",
    [
        pytest.param({}, id="heartbeat with its own filter"),
        pytest.param({"accountPolicy": {"filterPattern": ""}}, id="heartbeat carried by the account policy"),
        pytest.param({"heartbeatMinutes": "0"}, id="heartbeats off"),
    ],
)
def test_the_template_passes_cfn_lint_without_a_single_finding(overrides: dict[str, Any]) -> None:
    body = organization_template.template_body(template(**overrides))
    assert [str(match) for match in lint(body, regions=list(REGIONS))] == []


def test_heartbeats_are_on_every_five_minutes_by_default_and_zero_turns_them_off() -> None:
    assert args().heartbeat_minutes == 5
    assert args(heartbeatMinutes="10").heartbeat_minutes == 10
    resources = template(heartbeatMinutes="0")["Resources"]
    assert sorted(resources) == ["AccountPolicy", "ChangeForwardingRole", "ChangeRule", "SubscriptionRole"]
    assert "DependsOn" not in resources["AccountPolicy"]


def test_each_stack_writes_the_source_stacks_heartbeat_into_its_retained_log_group() -> None:
    resources = template(heartbeatMinutes="10")["Resources"]
    assert resources["HeartbeatLogGroup"] == {
        "Type": "AWS::Logs::LogGroup",
        "DeletionPolicy": "Retain",
        "UpdateReplacePolicy": "Retain",
        "Properties": {
            "LogGroupName": {"Fn::Sub": "/log-archive/heartbeat/${AWS::Region}"},
            "RetentionInDays": 365,
        },
    }
    policy = resources["HeartbeatResourcePolicy"]
    assert policy["Type"] == "AWS::Logs::ResourcePolicy"
    assert policy["Properties"]["PolicyName"] == heartbeat.RESOURCE_POLICY_NAME
    assert json.loads(policy["Properties"]["PolicyDocument"]["Fn::Sub"]) == heartbeat.log_resource_policy(
        "aws", "${AWS::AccountId}", "${AWS::Region}"
    )
    assert resources["HeartbeatRule"] == {
        "Type": "AWS::Events::Rule",
        "DependsOn": ["HeartbeatLogGroup", "HeartbeatResourcePolicy"],
        "Properties": {
            "Name": "log-archive-heartbeat",
            "Description": {
                "Fn::Sub": "Writes a log-archive heartbeat into /log-archive/heartbeat/${AWS::Region} "
                "every 10 minute(s)."
            },
            "ScheduleExpression": "rate(10 minutes)",
            "State": "ENABLED",
            "Targets": [
                {
                    "Id": heartbeat.TARGET_ID,
                    "Arn": {
                        "Fn::Sub": "arn:aws:logs:${AWS::Region}:${AWS::AccountId}:log-group:"
                        "/log-archive/heartbeat/${AWS::Region}"
                    },
                    "InputTransformer": {
                        "InputPathsMap": heartbeat.INPUT_PATHS,
                        "InputTemplate": heartbeat.INPUT_TEMPLATE,
                    },
                }
            ],
        },
    }


def test_the_input_template_is_no_fn_sub_string_so_it_reaches_eventbridge_verbatim() -> None:
    """Outside ``Fn::Sub`` CloudFormation passes the string as it is; it holds no ``${`` either,
    so it would survive one too. ``<time>`` and the like are EventBridge's placeholders."""
    body = json.loads(organization_template.template_body(template()))
    [target] = body["Resources"]["HeartbeatRule"]["Properties"]["Targets"]
    assert target["InputTransformer"]["InputTemplate"] == heartbeat.INPUT_TEMPLATE
    assert "${" not in heartbeat.INPUT_TEMPLATE


def test_under_a_narrower_pattern_the_heartbeat_has_its_own_filter_the_policy_excludes_and_awaits() -> None:
    built = template()
    resources = built["Resources"]
    assert resources["HeartbeatSubscriptionFilter"] == {
        "Type": "AWS::Logs::SubscriptionFilter",
        "Properties": {
            "FilterName": {"Fn::FindInMap": ["Destinations", {"Ref": "AWS::Region"}, "FilterName"]},
            "LogGroupName": {"Ref": "HeartbeatLogGroup"},
            "DestinationArn": {"Fn::FindInMap": ["Destinations", {"Ref": "AWS::Region"}, "Arn"]},
            "FilterPattern": "",
            "RoleArn": resources["AccountPolicy"]["Properties"]["PolicyDocument"]["Fn::Sub"][1]["RoleArn"],
        },
    }
    assert built["Mappings"]["Destinations"] == {
        r: {
            "Arn": f"arn:aws:logs:{r}:{ARCHIVE_ACCOUNT}:destination:log-archive",
            "ChangeBus": bus_arn("aws", ARCHIVE_ACCOUNT, r),
            "FilterName": naming.subscription_filter_name(
                f"arn:aws:logs:{r}:{ARCHIVE_ACCOUNT}:destination:log-archive"
            ),
        }
        for r in REGIONS
    }
    assert resources["AccountPolicy"]["DependsOn"] == ["HeartbeatSubscriptionFilter"]
    criteria = resources["AccountPolicy"]["Properties"]["SelectionCriteria"]["Fn::Sub"]
    assert criteria.endswith('"/log-archive/heartbeat/${AWS::Region}"]')


def test_an_account_policy_sending_every_event_carries_the_heartbeat_and_keeps_it_covered() -> None:
    """Deleting that policy then silences the heartbeat, and the archive's arrival alarm fires."""
    built = template(accountPolicy={"filterPattern": ""})
    resources = built["Resources"]
    assert "HeartbeatSubscriptionFilter" not in resources
    assert "DependsOn" not in resources["AccountPolicy"]
    assert "heartbeat" not in resources["AccountPolicy"]["Properties"]["SelectionCriteria"]
    assert {"HeartbeatLogGroup", "HeartbeatResourcePolicy", "HeartbeatRule"} <= set(resources)
    assert all(set(row) == {"Arn", "ChangeBus"} for row in built["Mappings"]["Destinations"].values())


@pytest.mark.parametrize("pattern", ["", "ERROR"])
def test_seventeen_regions_with_heartbeats_fit_the_inline_template_limit(pattern: str) -> None:
    regions = tuple(sorted(aws_regions()))[:17]
    checked = plan(
        OrganizationSourcesArgs.from_config(
            config(regions=list(regions), accountPolicy={"filterPattern": pattern}), regions[0]
        ),
        archive(regions=regions),
    )
    assert len(checked.body.encode()) < organization_template.TEMPLATE_BODY_LIMIT
    assert ("HeartbeatSubscriptionFilter" in checked.template["Resources"]) == (pattern != "")
    assert [str(match) for match in lint(checked.body, regions=list(regions))] == []


def test_the_role_is_created_once_per_account_in_the_home_region_with_the_source_stacks_documents() -> None:
    built = template()
    role = built["Resources"]["SubscriptionRole"]
    assert role["Condition"] == "IsHomeRegion"
    assert built["Conditions"]["IsHomeRegion"] == {
        "Fn::Equals": [{"Ref": "AWS::Region"}, {"Ref": "HomeRegion"}]
    }
    assert built["Parameters"]["HomeRegion"]["Default"] == "ap-northeast-1"
    assert role["Properties"]["RoleName"] == "log-archive-subscription"
    trust = role["Properties"]["AssumeRolePolicyDocument"]
    expected = source_policies.subscription_role_trust_policy("aws", "${AWS::AccountId}", REGIONS)
    expected_arns = expected["Statement"][0]["Condition"]["StringLike"]["aws:SourceArn"]
    assert trust["Statement"][0]["Condition"]["StringLike"]["aws:SourceArn"] == [
        {"Fn::Sub": arn} for arn in expected_arns
    ]
    assert trust["Statement"][0]["Principal"] == {"Service": "logs.amazonaws.com"}


def test_the_account_policy_is_the_source_stacks_document_per_region() -> None:
    built = template()
    policy = built["Resources"]["AccountPolicy"]["Properties"]
    assert policy["PolicyType"] == "SUBSCRIPTION_FILTER_POLICY"
    assert policy["Scope"] == "ALL"
    assert policy["PolicyName"] == "log-archive-stackset" != naming.ACCOUNT_POLICY_NAME
    text, variables = policy["PolicyDocument"]["Fn::Sub"]
    assert json.loads(text) == {
        "DestinationArn": "${DestinationArn}",
        "FilterPattern": '{ $.level = "${!x}" }',
        "RoleArn": "${RoleArn}",
    }
    assert variables["RoleArn"] == {
        "Fn::If": [
            "IsHomeRegion",
            {"Fn::GetAtt": ["SubscriptionRole", "Arn"]},
            {"Fn::Sub": "arn:aws:iam::${AWS::AccountId}:role/log-archive-subscription"},
        ]
    }
    assert {r: row["Arn"] for r, row in built["Mappings"]["Destinations"].items()} == {
        r: f"arn:aws:logs:{r}:{ARCHIVE_ACCOUNT}:destination:log-archive" for r in REGIONS
    }
    assert policy["SelectionCriteria"] == {
        "Fn::Sub": 'LogGroupName NOT IN ["/aws/kinesisfirehose/log-archive-ap-northeast-1", '
        '"/aws/kinesisfirehose/log-archive-us-east-1", "/log-archive/heartbeat/${AWS::Region}"]'
    }


@pytest.mark.parametrize(
    "document",
    [
        pytest.param(
            source_policies.subscription_role_trust_policy("aws", "111111111111", REGIONS), id="trust"
        ),
        pytest.param(
            source_policies.subscription_role_permissions("aws", "111111111111", REGIONS), id="permissions"
        ),
        pytest.param(
            json.loads(
                template()["Resources"]["HeartbeatResourcePolicy"]["Properties"]["PolicyDocument"]["Fn::Sub"]
                .replace("${AWS::AccountId}", "111111111111")
                .replace("${AWS::Region}", "ap-northeast-1")
            ),
            id="heartbeat log resource policy",
        ),
        pytest.param(
            template()["Resources"]["ChangeForwardingRole"]["Properties"]["Policies"][0]["PolicyDocument"],
            id="change forwarding permissions",
        ),
    ],
)
def test_parliament_finds_nothing_in_the_templates_policy_documents(document: dict[str, Any]) -> None:
    findings = analyze_policy_string(json.dumps(document), ignore_private_auditors=True).findings
    # A trust policy names no Resource: the role itself is the resource (as for the archive's).
    assert [(f.issue, f.detail) for f in findings if f.issue != "MALFORMED"] == []


def test_each_stack_forwards_its_subscription_changes_to_the_archive_bus_of_its_region() -> None:
    built = template()
    rule = built["Resources"]["ChangeRule"]["Properties"]
    assert rule["Name"] == "log-archive-stackset-changes"
    [target] = rule["Targets"]
    assert target["Arn"] == {"Fn::FindInMap": ["Destinations", {"Ref": "AWS::Region"}, "ChangeBus"]}
    assert target["RoleArn"]["Fn::If"][1] == {"Fn::GetAtt": ["ChangeForwardingRole", "Arn"]}
    role = built["Resources"]["ChangeForwardingRole"]
    assert role["Condition"] == "IsHomeRegion"
    trust = role["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Condition"]["ArnLike"]
    assert trust == {
        "aws:SourceArn": {"Fn::Sub": "arn:aws:events:*:${AWS::AccountId}:rule/log-archive-stackset-changes*"}
    }
    # The source stack's pattern, with the region's destination from the mapping and the
    # heartbeat group of the stack's region.
    pattern = rule["EventPattern"]
    destination = {"Fn::FindInMap": ["Destinations", {"Ref": "AWS::Region"}, "Arn"]}
    put = next(c for c in pattern["detail"]["$or"] if c["eventName"] == ["PutSubscriptionFilter"])
    assert put["requestParameters"]["destinationArn"] == [{"anything-but": destination}]
    deleted = next(c for c in pattern["detail"]["$or"] if c["eventName"] == ["DeleteLogGroup"])
    assert deleted["requestParameters"]["logGroupName"] == [
        {"Fn::Sub": "/log-archive/heartbeat/${AWS::Region}"}
    ]


def organization_run(**overrides: Any) -> Any:
    archive_run = run_program(
        "account-b", overrides={"organizationId": ORGANIZATION, "sourceRegions": list(REGIONS)}
    )
    return run_program(
        "organization",
        overrides={"regions": list(REGIONS), **overrides},
        stack_outputs={ARCHIVE_STACK: archive_run.outputs},
    )


def test_the_stack_set_is_service_managed_with_auto_deployment_and_named_iam() -> None:
    run = organization_run(retainStacksOnAccountRemoval=True, callAs="DELEGATED_ADMIN")
    stack_set = run.one(STACK_SET).inputs
    assert stack_set["name"] == STACK_SET_NAME
    assert stack_set["permissionModel"] == "SERVICE_MANAGED"
    assert stack_set["autoDeployment"] == {"enabled": True, "retainStacksOnAccountRemoval": True}
    assert stack_set["capabilities"] == ["CAPABILITY_NAMED_IAM"]
    assert stack_set["callAs"] == "DELEGATED_ADMIN"
    assert stack_set["managedExecution"] == {"active": True}
    assert stack_set["operationPreferences"] == {
        "maxConcurrentPercentage": 25,
        "failureTolerancePercentage": 10,
        "regionConcurrencyType": "SEQUENTIAL",
        "regionOrders": list(REGIONS),
    }
    assert json.loads(stack_set["templateBody"])["Resources"]["SubscriptionRole"]["Type"] == "AWS::IAM::Role"


def test_one_stack_instances_resource_covers_every_ou_and_region_home_region_first() -> None:
    second = "r-ab12"
    run = organization_run(organizationalUnitIds=[OU, second])
    instances = run.one(INSTANCES).inputs
    assert instances["deploymentTargets"] == {"organizationalUnitIds": [OU, second]}
    assert instances["regions"] == list(REGIONS)
    assert instances["callAs"] == "SELF"
    assert instances["operationPreferences"]["regionOrders"] == list(REGIONS)
    assert instances["operationPreferences"]["regionConcurrencyType"] == "SEQUENTIAL"
    assert run.one(INSTANCES).dependencies == (run.one(STACK_SET).urn,)
    assert run.outputs["organizationalUnitIds"] == [OU, second]
    assert run.outputs["stackSetRegions"] == list(REGIONS)
