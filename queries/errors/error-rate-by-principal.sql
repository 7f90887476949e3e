-- name: error-rate-by-principal
-- title: Error rate per principal
-- category: errors
-- description: For every principal with at least `min_calls` calls: calls, failed calls, the share that
--   failed (errorPct, 0-100), and how many of the failures were access denials. Healthy automation fails
--   rarely; a principal with a high error rate is misconfigured, or is someone trying calls they are not
--   allowed to make.
-- param: eds | | The event data store (id, name or ARN)
-- param: start | 1970-01-01 00:00:00 | Earliest event time (UTC)
-- param: end | 2100-01-01 00:00:00 | Latest event time (UTC)
-- param: min_calls | 10 | Fewest calls a principal must have made to be listed
SELECT
    COALESCE(userIdentity.arn, userIdentity.invokedBy, userIdentity.type) AS principal,
    count(*) AS calls,
    sum(CASE WHEN errorCode IS NOT NULL AND errorCode <> '' THEN 1 ELSE 0 END) AS errors,
    round(100.0 * sum(CASE WHEN errorCode IS NOT NULL AND errorCode <> '' THEN 1 ELSE 0 END) / count(*), 2)
        AS errorPct,
    sum(CASE WHEN errorCode LIKE '%AccessDenied%' OR errorCode LIKE '%Unauthorized%' THEN 1 ELSE 0 END)
        AS accessDenied,
    min(eventTime) AS firstSeen,
    max(eventTime) AS lastSeen
FROM {{eds}}
WHERE eventTime >= '{{start}}'
    AND eventTime <= '{{end}}'
GROUP BY COALESCE(userIdentity.arn, userIdentity.invokedBy, userIdentity.type)
HAVING count(*) >= {{min_calls}}
ORDER BY errorPct DESC, errors DESC, principal
