-- name: principals-reading-many-secrets
-- title: Principals that read many different secrets within an hour
-- category: data-access
-- description: Hours in which one caller asked Secrets Manager for the values of at least `min_secrets`
--   distinct secrets, widest first: distinct secrets, successful and failed reads, the secrets' names and
--   the minutes between first and last request. An application reads its own one or two secrets; one
--   identity sweeping through many secrets in minutes is harvesting credentials.
-- param: eds | | The event data store (id, name or ARN)
-- param: start | 1970-01-01 00:00:00 | Earliest event time (UTC)
-- param: end | 2100-01-01 00:00:00 | Latest event time (UTC)
-- param: min_secrets | 3 | Least number of distinct secrets read in one hour for a principal to be listed
SELECT
    date_trunc('hour', eventTime) AS hour,
    coalesce(userIdentity.arn, userIdentity.invokedBy, userIdentity.principalId, userIdentity.type)
        AS principal,
    count(DISTINCT element_at(requestParameters, 'secretId')) AS secrets,
    sum(CASE WHEN errorCode IS NULL THEN 1 ELSE 0 END) AS reads,
    sum(CASE WHEN errorCode IS NOT NULL THEN 1 ELSE 0 END) AS failed,
    date_diff('minute', min(eventTime), max(eventTime)) AS spanMinutes,
    array_join(array_sort(array_agg(DISTINCT element_at(requestParameters, 'secretId'))), ', ') AS secretIds
FROM {{eds}}
WHERE eventSource = 'secretsmanager.amazonaws.com'
    AND eventName = 'GetSecretValue'
    AND eventTime >= '{{start}}'
    AND eventTime <= '{{end}}'
GROUP BY date_trunc('hour', eventTime),
    coalesce(userIdentity.arn, userIdentity.invokedBy, userIdentity.principalId, userIdentity.type)
HAVING count(DISTINCT element_at(requestParameters, 'secretId')) >= {{min_secrets}}
ORDER BY secrets DESC, hour, principal
