-- name: errors-by-source-ip
-- title: Errors by source IP address
-- category: errors
-- description: Source IP addresses ranked by failed calls, with their total calls, error share (errorPct,
--   0-100), access denials, principals and error codes seen. An address outside your known ranges with many
--   denials, or one used by several principals that all fail, is a lead to follow with ip-activity.
-- param: eds | | The event data store (id, name or ARN)
-- param: start | 1970-01-01 00:00:00 | Earliest event time (UTC)
-- param: end | 2100-01-01 00:00:00 | Latest event time (UTC)
-- param: limit | 50 | Most addresses to list
SELECT
    sourceIPAddress,
    sum(CASE WHEN errorCode IS NOT NULL AND errorCode <> '' THEN 1 ELSE 0 END) AS errors,
    count(*) AS calls,
    round(100.0 * sum(CASE WHEN errorCode IS NOT NULL AND errorCode <> '' THEN 1 ELSE 0 END) / count(*), 2)
        AS errorPct,
    sum(CASE WHEN errorCode LIKE '%AccessDenied%' OR errorCode LIKE '%Unauthorized%' THEN 1 ELSE 0 END)
        AS accessDenied,
    count(DISTINCT userIdentity.arn) AS principals,
    array_join(array_sort(array_agg(DISTINCT errorCode)), ', ') AS errorCodes,
    min(eventTime) AS firstSeen,
    max(eventTime) AS lastSeen
FROM {{eds}}
WHERE eventTime >= '{{start}}'
    AND eventTime <= '{{end}}'
GROUP BY sourceIPAddress
HAVING sum(CASE WHEN errorCode IS NOT NULL AND errorCode <> '' THEN 1 ELSE 0 END) > 0
ORDER BY errors DESC, sourceIPAddress
LIMIT {{limit}}
