-- name: admin-policy-grants
-- title: Administrator access granted to users, groups and roles
-- category: identity
-- description: Successful calls that give a user, group or role full administrator rights, newest first: the
--   AWS managed AdministratorAccess policy attached, or an inline policy put whose statement allows every
--   action ("Action": "*"). `target` is the user, group or role that received the rights; `grantedBy` who
--   did it. Each row is a new administrator: check it against a change request.
-- param: eds | | The event data store (id, name or ARN)
-- param: start | 1970-01-01 00:00:00 | Earliest event time (UTC)
-- param: end | 2100-01-01 00:00:00 | Latest event time (UTC)
SELECT
    eventTime,
    recipientAccountId,
    eventName,
    CASE
        WHEN eventName LIKE '%UserPolicy' THEN 'user'
        WHEN eventName LIKE '%GroupPolicy' THEN 'group'
        ELSE 'role'
    END AS targetType,
    coalesce(element_at(requestParameters, 'userName'), element_at(requestParameters, 'groupName'),
        element_at(requestParameters, 'roleName')) AS target,
    coalesce(element_at(requestParameters, 'policyArn'),
        'inline:' || element_at(requestParameters, 'policyName')) AS policy,
    userIdentity.arn AS grantedBy,
    sourceIPAddress
FROM {{eds}}
WHERE eventSource = 'iam.amazonaws.com'
    AND errorCode IS NULL
    AND (
        (eventName IN ('AttachUserPolicy', 'AttachGroupPolicy', 'AttachRolePolicy')
            AND element_at(requestParameters, 'policyArn') LIKE '%:policy/AdministratorAccess')
        OR (eventName IN ('PutUserPolicy', 'PutGroupPolicy', 'PutRolePolicy')
            AND regexp_like(element_at(requestParameters, 'policyDocument'),
                '"Effect"\s*:\s*"Allow"[^{}]*"Action"\s*:\s*(\[\s*)?"\*"'
                || '|"Action"\s*:\s*(\[\s*)?"\*"[^{}]*"Effect"\s*:\s*"Allow"'))
    )
    AND eventTime >= '{{start}}'
    AND eventTime <= '{{end}}'
ORDER BY eventTime DESC, target, eventName
