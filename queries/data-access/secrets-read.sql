-- name: secrets-read
-- title: Secrets Manager secrets read, by principal and secret
-- category: data-access
-- description: GetSecretValue and BatchGetSecretValue calls grouped by caller and secret, most reads first:
--   successful reads, denied or failed attempts, source IPs, first and last. Each successful read handed a
--   secret's plaintext to the caller: check that every principal here is the application or person the
--   secret is for. Denied reads of many secrets are someone looking for credentials. A batch call lists the
--   secret ids or filters it asked for.
-- param: eds | | The event data store (id, name or ARN)
-- param: start | 1970-01-01 00:00:00 | Earliest event time (UTC)
-- param: end | 2100-01-01 00:00:00 | Latest event time (UTC)
SELECT
    coalesce(userIdentity.arn, userIdentity.invokedBy, userIdentity.principalId, userIdentity.type)
        AS principal,
    coalesce(element_at(requestParameters, 'secretId'), element_at(requestParameters, 'secretIdList'),
        element_at(requestParameters, 'filters')) AS secret,
    sum(CASE WHEN errorCode IS NULL THEN 1 ELSE 0 END) AS reads,
    sum(CASE WHEN errorCode IS NOT NULL THEN 1 ELSE 0 END) AS failed,
    array_join(array_sort(array_agg(DISTINCT sourceIPAddress)), ', ') AS sourceIps,
    min(eventTime) AS firstRead,
    max(eventTime) AS lastRead
FROM {{eds}}
WHERE eventSource = 'secretsmanager.amazonaws.com'
    AND eventName IN ('GetSecretValue', 'BatchGetSecretValue')
    AND eventTime >= '{{start}}'
    AND eventTime <= '{{end}}'
GROUP BY coalesce(userIdentity.arn, userIdentity.invokedBy, userIdentity.principalId, userIdentity.type),
    coalesce(element_at(requestParameters, 'secretId'), element_at(requestParameters, 'secretIdList'),
        element_at(requestParameters, 'filters'))
ORDER BY reads DESC, failed DESC, principal, secret
