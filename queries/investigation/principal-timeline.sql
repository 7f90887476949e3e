-- name: principal-timeline
-- title: One principal's activity hour by hour
-- category: investigation
-- description: A summary of what the principals whose ARN contains `principal` did in each hour: calls,
--   failures, write calls, the APIs called, the source IPs and regions. Read it top to bottom to see the
--   phases of an incident (reconnaissance, denials, changes, data access) before diving into
--   principal-activity for the details of one hour.
-- param: eds | | The event data store (id, name or ARN)
-- param: principal | | Text the principal's ARN contains (user name, session name or ARN)
-- param: start | 1970-01-01 00:00:00 | Earliest event time (UTC)
-- param: end | 2100-01-01 00:00:00 | Latest event time (UTC)
SELECT
    date_trunc('hour', eventTime) AS hour,
    count(*) AS calls,
    sum(CASE WHEN errorCode IS NOT NULL AND errorCode <> '' THEN 1 ELSE 0 END) AS errors,
    sum(CASE WHEN readOnly = false THEN 1 ELSE 0 END) AS writes,
    array_join(array_sort(array_agg(DISTINCT eventName)), ', ') AS apis,
    array_join(array_sort(array_agg(DISTINCT sourceIPAddress)), ', ') AS sourceIps,
    array_join(array_sort(array_agg(DISTINCT awsRegion)), ', ') AS regions
FROM {{eds}}
WHERE userIdentity.arn LIKE '%{{principal}}%'
    AND eventTime >= '{{start}}'
    AND eventTime <= '{{end}}'
GROUP BY date_trunc('hour', eventTime)
ORDER BY hour
