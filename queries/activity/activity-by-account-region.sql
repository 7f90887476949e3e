-- name: activity-by-account-region
-- title: Activity per account and region
-- category: activity
-- description: One row per account and region: events, write calls, failures, principals, services and the
--   first and last event. Regions with few events, few principals and a late first event are the ones to
--   check: nobody should be working in a region your organization does not use.
-- param: eds | | The event data store (id, name or ARN)
-- param: start | 1970-01-01 00:00:00 | Earliest event time (UTC)
-- param: end | 2100-01-01 00:00:00 | Latest event time (UTC)
SELECT
    recipientAccountId,
    awsRegion,
    count(*) AS events,
    sum(CASE WHEN readOnly = false THEN 1 ELSE 0 END) AS writes,
    sum(CASE WHEN errorCode IS NOT NULL AND errorCode <> '' THEN 1 ELSE 0 END) AS errors,
    count(DISTINCT userIdentity.arn) AS principals,
    count(DISTINCT eventSource) AS services,
    min(eventTime) AS firstSeen,
    max(eventTime) AS lastSeen
FROM {{eds}}
WHERE eventTime >= '{{start}}'
    AND eventTime <= '{{end}}'
GROUP BY recipientAccountId, awsRegion
ORDER BY recipientAccountId, events DESC, awsRegion
