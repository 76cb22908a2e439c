"""Stack output names of both stacks, in one place.

The archive stack's outputs are the contract with the source stacks, which read them through
a StackReference; the source stack's outputs tell its users what it subscribed.
"""

DESTINATION_ARNS = "destinationArns"
"""Map of region -> CloudWatch Logs destination ARN (one destination per source region)."""
ARCHIVE_ACCOUNT_ID = "archiveAccountId"
SOURCE_ACCOUNT_IDS = "sourceAccountIds"
"""Account ids the destination policy allows (empty in organization-only mode)."""
ORGANIZATION_ID = "organizationId"
"""The AWS Organizations id the destination policy allows; exported only when configured."""
SUBSCRIPTION_ROLE_REQUIRED = "subscriptionRoleRequired"
"""True when subscriptions must carry a role ARN (organization-form destination policy)."""
BUCKET_NAME = "bucketName"
BUCKET_ARN = "bucketArn"
KMS_KEY_ARN = "kmsKeyArn"
DELIVERY_STREAM_ARNS = "deliveryStreamArns"
"""Map of region -> Firehose delivery stream ARN."""
LAYOUT = "layout"
"""How objects are laid out: ``partitioned`` or ``messages``."""
LOG_PREFIX = "logPrefix"
"""Key prefix under which delivered log objects land."""
PIPELINE_LOG_GROUPS = "pipelineLogGroups"
"""Map of region -> log groups the pipeline itself writes (never to be subscribed back)."""
CHANGE_BUS_ARNS = "subscriptionChangeBusArns"
"""Map of region -> event bus where sources forward the calls that end archiving
(``components.subscription_changes``)."""
ALARM_TOPIC_ARNS = "alarmTopicArns"
"""Map of region -> SNS topic the delivery alarms notify."""
GLUE_DATABASE = "glueDatabase"
GLUE_TABLE = "glueTable"
"""The table over the archive's key layout, with partition projection."""
GLUE_BACKFILL_TABLE = "glueBackfillTable"
"""The table over ``backfill/``, what the export tasks of ``tools.backfill`` write."""
ATHENA_WORKGROUP = "athenaWorkgroup"
QUERY_RESULTS_BUCKET = "queryResultsBucket"

ARCHIVE_REQUIRED = (
    DESTINATION_ARNS,
    ARCHIVE_ACCOUNT_ID,
    SOURCE_ACCOUNT_IDS,
    SUBSCRIPTION_ROLE_REQUIRED,
    PIPELINE_LOG_GROUPS,
    CHANGE_BUS_ARNS,
)
"""Outputs a source stack cannot work without."""

SUBSCRIPTION_DESTINATIONS = "subscriptionDestinations"
"""Source output: region -> the archive destination ARN this stack subscribes to."""
SUBSCRIBED_LOG_GROUPS = "subscribedLogGroups"
"""Source output: region -> names of the log groups with a subscription filter of this stack."""
ACCOUNT_POLICY_NAMES = "accountPolicyNames"
"""Source output: region -> name of the account-level subscription policy (empty map if none)."""
USES_SUBSCRIPTION_ROLE = "usesSubscriptionRole"
"""Source output: whether filters and account policies carry a role ARN (organization form)."""
SUBSCRIPTION_ROLE_ARN = "subscriptionRoleArn"
"""Source output: ARN of the role CloudWatch Logs assumes; exported only when one is used."""
