-- name: read-write-by-service
-- title: Read and write calls per service
-- category: activity
-- description: For every service: read-only calls, write calls (readOnly false), calls that say neither
--   (unspecified), and the share of writes (writePct, 0-100). Services that are normally read-only in your
--   accounts (IAM, CloudTrail, GuardDuty) but show writes deserve a look with the change-tracking samples.
-- param: eds | | The event data store (id, name or ARN)
-- param: start | 1970-01-01 00:00:00 | Earliest event time (UTC)
-- param: end | 2100-01-01 00:00:00 | Latest event time (UTC)
SELECT
    eventSource,
    count(*) AS calls,
    sum(CASE WHEN readOnly = true THEN 1 ELSE 0 END) AS reads,
    sum(CASE WHEN readOnly = false THEN 1 ELSE 0 END) AS writes,
    sum(CASE WHEN readOnly IS NULL THEN 1 ELSE 0 END) AS unspecified,
    round(100.0 * sum(CASE WHEN readOnly = false THEN 1 ELSE 0 END) / count(*), 2) AS writePct
FROM {{eds}}
WHERE eventTime >= '{{start}}'
    AND eventTime <= '{{end}}'
GROUP BY eventSource
ORDER BY calls DESC, eventSource
