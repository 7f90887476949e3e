-- name: principal-errors
-- title: Errors one principal got
-- category: investigation
-- description: Every failed call by the principals whose ARN contains `principal`, oldest first, with the
--   error code and message. Many AccessDenied errors across services mean the identity was testing what it
--   could do.
-- param: eds | | The event data store (id, name or ARN)
-- param: principal | | Text the principal's ARN contains (user name, session name or ARN)
-- param: start | 1970-01-01 00:00:00 | Earliest event time (UTC)
-- param: end | 2100-01-01 00:00:00 | Latest event time (UTC)
SELECT
    eventTime,
    userIdentity.arn AS principal,
    sourceIPAddress,
    eventSource,
    eventName,
    errorCode,
    errorMessage,
    eventID
FROM {{eds}}
WHERE userIdentity.arn LIKE '%{{principal}}%'
    AND errorCode IS NOT NULL
    AND errorCode <> ''
    AND eventTime >= '{{start}}'
    AND eventTime <= '{{end}}'
ORDER BY eventTime, eventID
