-- name: rare-apis
-- title: Rarely called APIs
-- category: activity
-- description: APIs called at most `max_calls` times in the window, with who called them and from where. Rare
--   calls are where the interesting things hide: StopLogging, DeleteDetector, AttachUserPolicy, a bucket
--   policy change. Most rows are harmless one-off administration; each deserves a glance.
-- param: eds | | The event data store (id, name or ARN)
-- param: start | 1970-01-01 00:00:00 | Earliest event time (UTC)
-- param: end | 2100-01-01 00:00:00 | Latest event time (UTC)
-- param: max_calls | 5 | Most calls an API may have to count as rare
SELECT
    eventSource,
    eventName,
    count(*) AS calls,
    array_join(array_sort(array_agg(DISTINCT COALESCE(userIdentity.arn, userIdentity.invokedBy,
        userIdentity.type))), ', ') AS principals,
    array_join(array_sort(array_agg(DISTINCT sourceIPAddress)), ', ') AS sourceIps,
    min(eventTime) AS firstSeen,
    max(eventTime) AS lastSeen
FROM {{eds}}
WHERE eventTime >= '{{start}}'
    AND eventTime <= '{{end}}'
GROUP BY eventSource, eventName
HAVING count(*) <= {{max_calls}}
ORDER BY calls, eventSource, eventName
