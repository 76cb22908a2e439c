"""Resource names of the source stack: distinct log groups never share a name, in any region."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from components import naming

Namer = Callable[[str, str, str], str]

REGIONS = ["ap-northeast-1", "us-east-1", "us-gov-west-1", "eu-central-2"]
LOG_GROUP_NAMES = st.text(alphabet="._-/#aZ09", min_size=1, max_size=512)
"""Log-group names drawn from every kind of character a log-group name may hold."""

NAMERS = [
    pytest.param(naming.subscription_filter_resource, id="subscription filter"),
    pytest.param(naming.log_group_resource, id="log group"),
]


@pytest.mark.parametrize("namer", NAMERS)
@pytest.mark.parametrize(
    ("first", "second"),
    [
        pytest.param("/app/a-b", "/app/a/b", id="hyphen against slash"),
        pytest.param("/app/a_b", "/app/a.b", id="underscore against dot"),
        pytest.param("/app/A", "/app/a", id="case"),
        pytest.param("app#1", "app-1", id="hash against hyphen"),
        pytest.param("/" + "a" * 511, "/" + "a" * 510 + "b", id="maximum length, last character"),
    ],
)
def test_log_groups_that_slugging_would_merge_get_distinct_names(
    namer: Namer, first: str, second: str
) -> None:
    assert namer("log-source", "ap-northeast-1", first) != namer("log-source", "ap-northeast-1", second)


@pytest.mark.parametrize("namer", NAMERS)
@given(
    first=st.tuples(st.sampled_from(REGIONS), LOG_GROUP_NAMES),
    second=st.tuples(st.sampled_from(REGIONS), LOG_GROUP_NAMES),
)
def test_two_names_are_equal_only_for_the_same_region_and_log_group(
    namer: Namer, first: tuple[str, str], second: tuple[str, str]
) -> None:
    same_name = namer("log-source", *first) == namer("log-source", *second)
    assert same_name == (first == second)


def test_a_name_keeps_the_log_group_name_readable() -> None:
    assert (
        naming.subscription_filter_resource("log-source", "ap-northeast-1", "/aws/lambda/api")
        == "log-source-filter-ap-northeast-1-/aws/lambda/api"
    )
    assert (
        naming.log_group_resource("log-source", "us-east-1", "/app/web")
        == "log-source-group-us-east-1-/app/web"
    )
    assert naming.account_policy_resource("log-source", "us-east-1") == "log-source-account-policy-us-east-1"


def test_a_thousand_names_are_unique_and_do_not_depend_on_the_other_log_groups() -> None:
    names = [f"/app/{i}/a-b" for i in range(500)] + [f"/app/{i}/a/b" for i in range(500)]

    resources = {name: naming.subscription_filter_resource("log-source", "us-east-1", name) for name in names}
    with_one_more = {
        name: naming.subscription_filter_resource("log-source", "us-east-1", name)
        for name in [*names[:300], "/app/new", *names[300:]]
    }

    assert len(set(resources.values())) == 1000
    assert {name: with_one_more[name] for name in names} == resources
