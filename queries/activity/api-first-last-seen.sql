-- name: api-first-last-seen
-- title: First and last use of every API
-- category: activity
-- description: Every API (service and event name) with its first and last call, the number of days it was
--   called on and its total calls, newest first. APIs whose first call is recent are new behaviour in your
--   accounts; compare with the period before to tell new deployments from intrusions.
-- param: eds | | The event data store (id, name or ARN)
-- param: start | 1970-01-01 00:00:00 | Earliest event time (UTC)
-- param: end | 2100-01-01 00:00:00 | Latest event time (UTC)
SELECT
    eventSource,
    eventName,
    min(eventTime) AS firstSeen,
    max(eventTime) AS lastSeen,
    count(DISTINCT date(eventTime)) AS activeDays,
    count(*) AS calls,
    count(DISTINCT userIdentity.arn) AS principals
FROM {{eds}}
WHERE eventTime >= '{{start}}'
    AND eventTime <= '{{end}}'
GROUP BY eventSource, eventName
ORDER BY firstSeen DESC, eventSource, eventName
