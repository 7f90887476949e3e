-- name: principal-activity
-- title: Everything one principal did
-- category: investigation
-- description: Every call made by the principals whose ARN contains `principal` (a user name, role session
--   name, role name or full ARN), oldest first: when, where from, what, and whether it failed. Role sessions
--   are included when their session name matches, so a user name also finds what the user did through assumed
--   roles. Narrow with start/end for busy principals.
-- param: eds | | The event data store (id, name or ARN)
-- param: principal | | Text the principal's ARN contains (user name, session name or ARN)
-- param: start | 1970-01-01 00:00:00 | Earliest event time (UTC)
-- param: end | 2100-01-01 00:00:00 | Latest event time (UTC)
SELECT
    eventTime,
    userIdentity.arn AS principal,
    recipientAccountId,
    awsRegion,
    sourceIPAddress,
    eventSource,
    eventName,
    errorCode,
    eventID
FROM {{eds}}
WHERE userIdentity.arn LIKE '%{{principal}}%'
    AND eventTime >= '{{start}}'
    AND eventTime <= '{{end}}'
ORDER BY eventTime, eventID
