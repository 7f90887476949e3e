-- name: top-apis
-- title: Most called APIs
-- category: activity
-- description: The API calls (service and event name) made most often, with the number of principals and
--   accounts calling each, failures and the first and last call. The top of the list is your baseline
--   traffic; see rare-apis for the other end.
-- param: eds | | The event data store (id, name or ARN)
-- param: start | 1970-01-01 00:00:00 | Earliest event time (UTC)
-- param: end | 2100-01-01 00:00:00 | Latest event time (UTC)
-- param: limit | 25 | Most APIs to list
SELECT
    eventSource,
    eventName,
    count(*) AS calls,
    count(DISTINCT userIdentity.arn) AS principals,
    count(DISTINCT recipientAccountId) AS accounts,
    sum(CASE WHEN errorCode IS NOT NULL AND errorCode <> '' THEN 1 ELSE 0 END) AS errors,
    min(eventTime) AS firstSeen,
    max(eventTime) AS lastSeen
FROM {{eds}}
WHERE eventTime >= '{{start}}'
    AND eventTime <= '{{end}}'
GROUP BY eventSource, eventName
ORDER BY calls DESC, eventSource, eventName
LIMIT {{limit}}
