-- name: error-events
-- title: Failed calls with their error messages
-- category: errors
-- description: The failed calls themselves, newest first: who, what, from where, the error code and message.
--   Narrow it with `error_code`, a LIKE pattern on the error code (e.g. AccessDenied%, %NotFound%); the
--   default % lists every failure.
-- param: eds | | The event data store (id, name or ARN)
-- param: start | 1970-01-01 00:00:00 | Earliest event time (UTC)
-- param: end | 2100-01-01 00:00:00 | Latest event time (UTC)
-- param: error_code | % | LIKE pattern the error code must match
-- param: limit | 500 | Most events to list
SELECT
    eventTime,
    recipientAccountId,
    awsRegion,
    COALESCE(userIdentity.arn, userIdentity.invokedBy, userIdentity.type) AS principal,
    sourceIPAddress,
    eventSource,
    eventName,
    errorCode,
    errorMessage,
    eventID
FROM {{eds}}
WHERE errorCode IS NOT NULL
    AND errorCode <> ''
    AND errorCode LIKE '{{error_code}}'
    AND eventTime >= '{{start}}'
    AND eventTime <= '{{end}}'
ORDER BY eventTime DESC, eventID
LIMIT {{limit}}
