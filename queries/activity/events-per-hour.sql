-- name: events-per-hour
-- title: Events per hour
-- category: activity
-- description: Event volume hour by hour: events, failed calls, write (non-read-only) calls, and how many
--   principals, source IPs and APIs were active. Set `start` and `end` to a window of interest; hours with no
--   events at all are not listed. Spikes or activity at unusual hours stand out when read top to bottom.
-- param: eds | | The event data store (id, name or ARN)
-- param: start | 1970-01-01 00:00:00 | Earliest event time (UTC)
-- param: end | 2100-01-01 00:00:00 | Latest event time (UTC)
SELECT
    date_trunc('hour', eventTime) AS hour,
    count(*) AS events,
    sum(CASE WHEN errorCode IS NOT NULL AND errorCode <> '' THEN 1 ELSE 0 END) AS errors,
    sum(CASE WHEN readOnly = false THEN 1 ELSE 0 END) AS writes,
    count(DISTINCT userIdentity.arn) AS principals,
    count(DISTINCT sourceIPAddress) AS sourceIps,
    count(DISTINCT eventSource || ':' || eventName) AS apis
FROM {{eds}}
WHERE eventTime >= '{{start}}'
    AND eventTime <= '{{end}}'
GROUP BY date_trunc('hour', eventTime)
ORDER BY hour
