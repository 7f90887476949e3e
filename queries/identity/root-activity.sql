-- name: root-activity
-- title: Everything the root user did
-- category: identity
-- description: Every call made with the account's root credentials, newest first: sign-ins, API calls and
--   their outcome. AWS advises against using root for anything but a few account tasks, so every row here
--   deserves an explanation.
-- param: eds | | The event data store (id, name or ARN)
-- param: start | 1970-01-01 00:00:00 | Earliest event time (UTC)
-- param: end | 2100-01-01 00:00:00 | Latest event time (UTC)
SELECT
    eventTime,
    recipientAccountId,
    eventSource,
    eventName,
    sourceIPAddress,
    userAgent,
    errorCode
FROM {{eds}}
WHERE userIdentity.type = 'Root'
    AND eventTime >= '{{start}}'
    AND eventTime <= '{{end}}'
ORDER BY eventTime DESC
