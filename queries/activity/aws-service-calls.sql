-- name: aws-service-calls
-- title: Calls made by AWS services
-- category: activity
-- description: Calls AWS services made on your behalf (userIdentity.type AWSService), such as S3 or Secrets
--   Manager calling KMS to encrypt and decrypt: one row per calling service (invokedBy), target service and
--   API. This is expected background; knowing it lets you set it aside when hunting for human activity.
-- param: eds | | The event data store (id, name or ARN)
-- param: start | 1970-01-01 00:00:00 | Earliest event time (UTC)
-- param: end | 2100-01-01 00:00:00 | Latest event time (UTC)
SELECT
    COALESCE(userIdentity.invokedBy, sourceIPAddress) AS invokedBy,
    eventSource,
    eventName,
    count(*) AS calls,
    count(DISTINCT recipientAccountId) AS accounts,
    sum(CASE WHEN errorCode IS NOT NULL AND errorCode <> '' THEN 1 ELSE 0 END) AS errors,
    min(eventTime) AS firstSeen,
    max(eventTime) AS lastSeen
FROM {{eds}}
WHERE userIdentity.type = 'AWSService'
    AND eventTime >= '{{start}}'
    AND eventTime <= '{{end}}'
GROUP BY COALESCE(userIdentity.invokedBy, sourceIPAddress), eventSource, eventName
ORDER BY calls DESC, invokedBy, eventSource, eventName
