-- name: iam-policy-changes
-- title: IAM permission policy changes
-- category: change-tracking
-- description: Every successful change to IAM permissions, newest first: managed policies attached to or
--   detached from users, groups and roles, inline policies put or deleted, managed policies created,
--   deleted or given a new (default) version, and permissions boundaries set or removed. `target` is the
--   user, group or role changed (the policy itself for policy-level changes). Privilege escalation shows up
--   here, often as a new policy version or an inline policy on the attacker's own identity.
-- param: eds | | The event data store (id, name or ARN)
-- param: start | 1970-01-01 00:00:00 | Earliest event time (UTC)
-- param: end | 2100-01-01 00:00:00 | Latest event time (UTC)
SELECT
    eventTime,
    recipientAccountId,
    eventName,
    coalesce(element_at(requestParameters, 'userName'), element_at(requestParameters, 'groupName'),
        element_at(requestParameters, 'roleName'), element_at(requestParameters, 'policyArn'),
        element_at(requestParameters, 'policyName')) AS target,
    coalesce(element_at(requestParameters, 'policyArn'), element_at(requestParameters, 'policyName'),
        element_at(requestParameters, 'permissionsBoundary'),
        json_extract_scalar(element_at(responseElements, 'policy'), '$.arn')) AS policy,
    element_at(requestParameters, 'setAsDefault') AS setAsDefault,
    userIdentity.arn AS changedBy,
    sourceIPAddress
FROM {{eds}}
WHERE eventSource = 'iam.amazonaws.com'
    AND eventName IN ('AttachUserPolicy', 'AttachGroupPolicy', 'AttachRolePolicy', 'DetachUserPolicy',
        'DetachGroupPolicy', 'DetachRolePolicy', 'PutUserPolicy', 'PutGroupPolicy', 'PutRolePolicy',
        'DeleteUserPolicy', 'DeleteGroupPolicy', 'DeleteRolePolicy', 'CreatePolicy', 'DeletePolicy',
        'CreatePolicyVersion', 'DeletePolicyVersion', 'SetDefaultPolicyVersion', 'PutUserPermissionsBoundary',
        'PutRolePermissionsBoundary', 'DeleteUserPermissionsBoundary', 'DeleteRolePermissionsBoundary')
    AND errorCode IS NULL
    AND eventTime >= '{{start}}'
    AND eventTime <= '{{end}}'
ORDER BY eventTime DESC, eventName, target
