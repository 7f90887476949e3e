-- name: access-denied-by-principal
-- title: Access denied, by principal
-- category: errors
-- description: Who is being refused: one row per principal with the number of calls denied by IAM
--   (AccessDenied, AccessDeniedException, UnauthorizedOperation and their variants), the APIs denied, the
--   source IPs and the first and last denial. A few denials are normal; a principal probing many different
--   APIs is enumerating its permissions, which is what stolen credentials do first.
-- param: eds | | The event data store (id, name or ARN)
-- param: start | 1970-01-01 00:00:00 | Earliest event time (UTC)
-- param: end | 2100-01-01 00:00:00 | Latest event time (UTC)
-- param: limit | 50 | Most principals to list
SELECT
    COALESCE(userIdentity.arn, userIdentity.invokedBy, userIdentity.type) AS principal,
    userIdentity.type AS identityType,
    count(*) AS denied,
    count(DISTINCT eventName) AS deniedApiCount,
    array_join(array_sort(array_agg(DISTINCT eventName)), ', ') AS deniedApis,
    array_join(array_sort(array_agg(DISTINCT sourceIPAddress)), ', ') AS sourceIps,
    min(eventTime) AS firstDenied,
    max(eventTime) AS lastDenied
FROM {{eds}}
WHERE (errorCode LIKE '%AccessDenied%' OR errorCode LIKE '%Unauthorized%')
    AND eventTime >= '{{start}}'
    AND eventTime <= '{{end}}'
GROUP BY COALESCE(userIdentity.arn, userIdentity.invokedBy, userIdentity.type), userIdentity.type
ORDER BY denied DESC, principal
LIMIT {{limit}}
