"""Stack output names: the contract between the archive stack and the source stacks.

The archive stack exports these; source stacks read them through a StackReference.
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
ALARM_TOPIC_ARNS = "alarmTopicArns"
"""Map of region -> SNS topic the delivery alarms notify."""
GLUE_DATABASE = "glueDatabase"
GLUE_TABLE = "glueTable"
"""The table over the archive's key layout, with partition projection."""
ATHENA_WORKGROUP = "athenaWorkgroup"
QUERY_RESULTS_BUCKET = "queryResultsBucket"

ARCHIVE_REQUIRED = (
    DESTINATION_ARNS,
    ARCHIVE_ACCOUNT_ID,
    SOURCE_ACCOUNT_IDS,
    SUBSCRIPTION_ROLE_REQUIRED,
    PIPELINE_LOG_GROUPS,
)
"""Outputs a source stack cannot work without."""
