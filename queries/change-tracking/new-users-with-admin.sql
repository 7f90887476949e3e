-- name: new-users-with-admin
-- title: New IAM users given administrator rights
-- category: change-tracking
-- description: IAM users created in the window that were then given full administrator rights: the managed
--   AdministratorAccess policy attached, or an inline policy allowing every action. One row per grant, with
--   who created the user, who granted the rights and the minutes in between. A user created and made admin
--   within minutes by someone other than your provisioning pipeline is a backdoor account.
-- param: eds | | The event data store (id, name or ARN)
-- param: start | 1970-01-01 00:00:00 | Earliest event time (UTC)
-- param: end | 2100-01-01 00:00:00 | Latest event time (UTC)
SELECT
    created.recipientAccountId AS recipientAccountId,
    element_at(created.requestParameters, 'userName') AS userName,
    created.eventTime AS createdAt,
    created.userIdentity.arn AS createdBy,
    granted.eventTime AS grantedAt,
    granted.eventName AS grantEvent,
    coalesce(element_at(granted.requestParameters, 'policyArn'),
        'inline:' || element_at(granted.requestParameters, 'policyName')) AS policy,
    granted.userIdentity.arn AS grantedBy,
    date_diff('minute', created.eventTime, granted.eventTime) AS minutesAfterCreation,
    granted.sourceIPAddress AS sourceIPAddress
FROM {{eds}} created
JOIN {{eds}} granted
    ON element_at(granted.requestParameters, 'userName') = element_at(created.requestParameters, 'userName')
    AND granted.recipientAccountId = created.recipientAccountId
    AND granted.eventTime >= created.eventTime
WHERE created.eventSource = 'iam.amazonaws.com'
    AND created.eventName = 'CreateUser'
    AND created.errorCode IS NULL
    AND created.eventTime >= '{{start}}'
    AND created.eventTime <= '{{end}}'
    AND granted.eventSource = 'iam.amazonaws.com'
    AND granted.errorCode IS NULL
    AND granted.eventTime >= '{{start}}'
    AND (
        (granted.eventName = 'AttachUserPolicy'
            AND element_at(granted.requestParameters, 'policyArn') LIKE '%:policy/AdministratorAccess')
        OR (granted.eventName = 'PutUserPolicy'
            AND regexp_like(element_at(granted.requestParameters, 'policyDocument'),
                '"Effect"\s*:\s*"Allow"[^{}]*"Action"\s*:\s*(\[\s*)?"\*"'
                || '|"Action"\s*:\s*(\[\s*)?"\*"[^{}]*"Effect"\s*:\s*"Allow"'))
    )
ORDER BY createdAt DESC, userName, grantedAt
