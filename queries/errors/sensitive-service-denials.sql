-- name: sensitive-service-denials
-- title: Denied calls to sensitive services
-- category: errors
-- description: Calls to IAM, STS, KMS, Secrets Manager, CloudTrail, GuardDuty, Config and Organizations that
--   were refused as unauthorized, one row per principal, service and API. These services hold credentials,
--   keys and the audit trail itself; a principal denied here is trying to reach something it was not given.
-- param: eds | | The event data store (id, name or ARN)
-- param: start | 1970-01-01 00:00:00 | Earliest event time (UTC)
-- param: end | 2100-01-01 00:00:00 | Latest event time (UTC)
SELECT
    COALESCE(userIdentity.arn, userIdentity.invokedBy, userIdentity.type) AS principal,
    eventSource,
    eventName,
    errorCode,
    count(*) AS denied,
    array_join(array_sort(array_agg(DISTINCT sourceIPAddress)), ', ') AS sourceIps,
    min(eventTime) AS firstDenied,
    max(eventTime) AS lastDenied
FROM {{eds}}
WHERE eventSource IN ('iam.amazonaws.com', 'sts.amazonaws.com', 'kms.amazonaws.com',
        'secretsmanager.amazonaws.com', 'cloudtrail.amazonaws.com', 'guardduty.amazonaws.com',
        'config.amazonaws.com', 'organizations.amazonaws.com')
    AND (errorCode LIKE '%AccessDenied%' OR errorCode LIKE '%Unauthorized%')
    AND eventTime >= '{{start}}'
    AND eventTime <= '{{end}}'
GROUP BY COALESCE(userIdentity.arn, userIdentity.invokedBy, userIdentity.type),
    eventSource, eventName, errorCode
ORDER BY denied DESC, principal, eventSource, eventName, errorCode
