-- name: ip-principals
-- title: Principals that used one source IP address
-- category: investigation
-- description: Every principal that made calls from the source address `ip`, with its identity type, calls,
--   failures, write calls, user agents and first and last call. One address shared by root, a user and a role
--   session from another account is a strong sign the same actor holds all of them.
-- param: eds | | The event data store (id, name or ARN)
-- param: ip | | The source IP address, exactly as recorded
-- param: start | 1970-01-01 00:00:00 | Earliest event time (UTC)
-- param: end | 2100-01-01 00:00:00 | Latest event time (UTC)
SELECT
    COALESCE(userIdentity.arn, userIdentity.invokedBy, userIdentity.type) AS principal,
    userIdentity.type AS identityType,
    count(*) AS calls,
    sum(CASE WHEN errorCode IS NOT NULL AND errorCode <> '' THEN 1 ELSE 0 END) AS errors,
    sum(CASE WHEN readOnly = false THEN 1 ELSE 0 END) AS writes,
    array_join(array_sort(array_agg(DISTINCT userAgent)), ' | ') AS userAgents,
    min(eventTime) AS firstSeen,
    max(eventTime) AS lastSeen
FROM {{eds}}
WHERE sourceIPAddress = '{{ip}}'
    AND eventTime >= '{{start}}'
    AND eventTime <= '{{end}}'
GROUP BY COALESCE(userIdentity.arn, userIdentity.invokedBy, userIdentity.type), userIdentity.type
ORDER BY firstSeen, principal
