-- name: kms-decrypt-spikes
-- title: KMS Decrypt spikes per principal and hour
-- category: data-access
-- description: Hours in which one principal called KMS Decrypt at least `threshold` times, largest first,
--   with the keys, failures and source IPs involved. Bulk decryption is what reading a whole encrypted store
--   (or every secret) looks like; compare the hour against the principal's usual rate. AWS services
--   decrypting for a principal appear under the service's name.
-- param: eds | | The event data store (id, name or ARN)
-- param: start | 1970-01-01 00:00:00 | Earliest event time (UTC)
-- param: end | 2100-01-01 00:00:00 | Latest event time (UTC)
-- param: threshold | 50 | Least number of Decrypt calls in one hour for it to be listed
SELECT
    date_trunc('hour', eventTime) AS hour,
    coalesce(userIdentity.arn, userIdentity.invokedBy, userIdentity.principalId, userIdentity.type)
        AS principal,
    count(*) AS decrypts,
    sum(CASE WHEN errorCode IS NOT NULL THEN 1 ELSE 0 END) AS failed,
    count(DISTINCT coalesce(element_at(resources, 1).ARN, element_at(requestParameters, 'keyId'))) AS keys,
    array_join(array_sort(array_agg(DISTINCT sourceIPAddress)), ', ') AS sourceIps,
    min(eventTime) AS firstCall,
    max(eventTime) AS lastCall
FROM {{eds}}
WHERE eventSource = 'kms.amazonaws.com'
    AND eventName = 'Decrypt'
    AND eventTime >= '{{start}}'
    AND eventTime <= '{{end}}'
GROUP BY date_trunc('hour', eventTime),
    coalesce(userIdentity.arn, userIdentity.invokedBy, userIdentity.principalId, userIdentity.type)
HAVING count(*) >= {{threshold}}
ORDER BY decrypts DESC, hour, principal
