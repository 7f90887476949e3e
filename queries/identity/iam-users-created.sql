-- name: iam-users-created
-- title: IAM users created
-- category: identity
-- description: Every successful CreateUser call, newest first: the new user's name, who created it, from
--   which IP and with which tool. In accounts that use federation or IAM Identity Center, new IAM users are
--   rare and each one should match a ticket; an unexpected user is a classic persistence step.
-- param: eds | | The event data store (id, name or ARN)
-- param: start | 1970-01-01 00:00:00 | Earliest event time (UTC)
-- param: end | 2100-01-01 00:00:00 | Latest event time (UTC)
SELECT
    eventTime,
    recipientAccountId,
    element_at(requestParameters, 'userName') AS newUser,
    userIdentity.type AS creatorType,
    userIdentity.arn AS creator,
    sourceIPAddress,
    userAgent
FROM {{eds}}
WHERE eventSource = 'iam.amazonaws.com'
    AND eventName = 'CreateUser'
    AND errorCode IS NULL
    AND eventTime >= '{{start}}'
    AND eventTime <= '{{end}}'
ORDER BY eventTime DESC, newUser
