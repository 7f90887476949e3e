-- name: top-error-codes
-- title: Most frequent error codes
-- category: errors
-- description: The error codes returned most often, with how many principals and APIs got each one and when
--   it was first and last seen. Throttling and not-found errors are usually noise; a sudden rise in
--   AccessDenied or UnauthorizedOperation is worth a closer look (see access-denied-by-principal).
-- param: eds | | The event data store (id, name or ARN)
-- param: start | 1970-01-01 00:00:00 | Earliest event time (UTC)
-- param: end | 2100-01-01 00:00:00 | Latest event time (UTC)
-- param: limit | 25 | Most error codes to list
SELECT
    errorCode,
    count(*) AS errors,
    count(DISTINCT userIdentity.arn) AS principals,
    count(DISTINCT eventSource || ':' || eventName) AS apis,
    count(DISTINCT recipientAccountId) AS accounts,
    min(eventTime) AS firstSeen,
    max(eventTime) AS lastSeen
FROM {{eds}}
WHERE errorCode IS NOT NULL
    AND errorCode <> ''
    AND eventTime >= '{{start}}'
    AND eventTime <= '{{end}}'
GROUP BY errorCode
ORDER BY errors DESC, errorCode
LIMIT {{limit}}
