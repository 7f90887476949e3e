-- name: errors-by-api
-- title: Errors by service and API
-- category: errors
-- description: Which calls fail and how: one row per service, API and error code with the number of failures,
--   the principals that got them and a sample error message. Use it to tell a misconfigured job (one
--   principal, one API, many failures) from a broad problem (many principals).
-- param: eds | | The event data store (id, name or ARN)
-- param: start | 1970-01-01 00:00:00 | Earliest event time (UTC)
-- param: end | 2100-01-01 00:00:00 | Latest event time (UTC)
-- param: limit | 100 | Most rows to list
SELECT
    eventSource,
    eventName,
    errorCode,
    count(*) AS errors,
    count(DISTINCT userIdentity.arn) AS principals,
    substr(min(errorMessage), 1, 200) AS sampleMessage,
    min(eventTime) AS firstSeen,
    max(eventTime) AS lastSeen
FROM {{eds}}
WHERE errorCode IS NOT NULL
    AND errorCode <> ''
    AND eventTime >= '{{start}}'
    AND eventTime <= '{{end}}'
GROUP BY eventSource, eventName, errorCode
ORDER BY errors DESC, eventSource, eventName, errorCode
LIMIT {{limit}}
