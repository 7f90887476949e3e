-- name: errors-per-hour
-- title: Errors per hour
-- category: errors
-- description: For every hour with at least one failed call: calls, failures, access denials, throttled
--   calls, the error share (errorPct, 0-100) and how many principals failed. Read it as a time line: a spike
--   in denials from few principals marks an incident's start, a spike in throttling marks a load or abuse
--   burst.
-- param: eds | | The event data store (id, name or ARN)
-- param: start | 1970-01-01 00:00:00 | Earliest event time (UTC)
-- param: end | 2100-01-01 00:00:00 | Latest event time (UTC)
SELECT
    date_trunc('hour', eventTime) AS hour,
    count(*) AS calls,
    sum(CASE WHEN errorCode IS NOT NULL AND errorCode <> '' THEN 1 ELSE 0 END) AS errors,
    sum(CASE WHEN errorCode LIKE '%AccessDenied%' OR errorCode LIKE '%Unauthorized%' THEN 1 ELSE 0 END)
        AS accessDenied,
    sum(CASE WHEN regexp_like(errorCode, 'Throttl|TooManyRequests|SlowDown|RateExceeded')
        OR errorCode LIKE '%LimitExceeded' THEN 1 ELSE 0 END) AS throttled,
    round(100.0 * sum(CASE WHEN errorCode IS NOT NULL AND errorCode <> '' THEN 1 ELSE 0 END) / count(*), 2)
        AS errorPct,
    count(DISTINCT CASE WHEN errorCode IS NOT NULL AND errorCode <> '' THEN userIdentity.arn END)
        AS failingPrincipals
FROM {{eds}}
WHERE eventTime >= '{{start}}'
    AND eventTime <= '{{end}}'
GROUP BY date_trunc('hour', eventTime)
HAVING sum(CASE WHEN errorCode IS NOT NULL AND errorCode <> '' THEN 1 ELSE 0 END) > 0
ORDER BY hour
