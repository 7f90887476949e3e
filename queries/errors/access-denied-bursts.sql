-- name: access-denied-bursts
-- title: Bursts of access denied errors
-- category: errors
-- description: Hours in which one principal was denied at least `threshold` times: one row per principal and
--   hour, with the APIs and source IPs involved. A burst of denials across several services is the typical
--   trace of someone trying out credentials they should not have (permission enumeration).
-- param: eds | | The event data store (id, name or ARN)
-- param: start | 1970-01-01 00:00:00 | Earliest event time (UTC)
-- param: end | 2100-01-01 00:00:00 | Latest event time (UTC)
-- param: threshold | 10 | Fewest denials in one hour that make a burst
SELECT
    date_trunc('hour', eventTime) AS hour,
    COALESCE(userIdentity.arn, userIdentity.invokedBy, userIdentity.type) AS principal,
    count(*) AS denied,
    count(DISTINCT eventSource) AS services,
    array_join(array_sort(array_agg(DISTINCT eventName)), ', ') AS deniedApis,
    array_join(array_sort(array_agg(DISTINCT sourceIPAddress)), ', ') AS sourceIps,
    min(eventTime) AS firstDenied,
    max(eventTime) AS lastDenied
FROM {{eds}}
WHERE (errorCode LIKE '%AccessDenied%' OR errorCode LIKE '%Unauthorized%')
    AND eventTime >= '{{start}}'
    AND eventTime <= '{{end}}'
GROUP BY date_trunc('hour', eventTime), COALESCE(userIdentity.arn, userIdentity.invokedBy, userIdentity.type)
HAVING count(*) >= {{threshold}}
ORDER BY hour, denied DESC, principal
