-- name: regions-in-use
-- title: Regions in use per account
-- category: activity
-- description: One row per account: how many regions saw activity, which ones, and the quietest region with
--   its event count. Activity in a region nobody uses (a single region with a handful of events, often
--   RunInstances) is a classic sign of stolen credentials used for crypto mining.
-- param: eds | | The event data store (id, name or ARN)
-- param: start | 1970-01-01 00:00:00 | Earliest event time (UTC)
-- param: end | 2100-01-01 00:00:00 | Latest event time (UTC)
SELECT
    recipientAccountId,
    count(DISTINCT awsRegion) AS regionCount,
    array_join(array_sort(array_agg(DISTINCT awsRegion)), ', ') AS regions,
    count(*) AS events,
    min(eventTime) AS firstSeen,
    max(eventTime) AS lastSeen
FROM {{eds}}
WHERE eventTime >= '{{start}}'
    AND eventTime <= '{{end}}'
GROUP BY recipientAccountId
ORDER BY regionCount DESC, recipientAccountId
