-- name: principal-apis
-- title: Which APIs one principal called
-- category: investigation
-- description: For the principals whose ARN contains `principal`: one row per API with the number of calls,
--   failures, regions and first and last call, most called first. A quick picture of what an identity
--   normally does, and of anything it did only once.
-- param: eds | | The event data store (id, name or ARN)
-- param: principal | | Text the principal's ARN contains (user name, session name or ARN)
-- param: start | 1970-01-01 00:00:00 | Earliest event time (UTC)
-- param: end | 2100-01-01 00:00:00 | Latest event time (UTC)
SELECT
    eventSource,
    eventName,
    count(*) AS calls,
    sum(CASE WHEN errorCode IS NOT NULL AND errorCode <> '' THEN 1 ELSE 0 END) AS errors,
    array_join(array_sort(array_agg(DISTINCT awsRegion)), ', ') AS regions,
    min(eventTime) AS firstCall,
    max(eventTime) AS lastCall
FROM {{eds}}
WHERE userIdentity.arn LIKE '%{{principal}}%'
    AND eventTime >= '{{start}}'
    AND eventTime <= '{{end}}'
GROUP BY eventSource, eventName
ORDER BY calls DESC, eventSource, eventName
