-- name: s3-object-deletes
-- title: S3 object deletions by bucket and principal
-- category: data-access
-- description: DeleteObject, DeleteObjects and DeleteObjectVersion data events grouped by bucket and caller,
--   most first: requests, distinct keys, failures, first and last. Mass deletion from one principal is
--   ransomware's or a saboteur's last step; deleting object versions defeats versioning. Needs S3 data events
--   (write) in the store.
-- param: eds | | The event data store (id, name or ARN)
-- param: start | 1970-01-01 00:00:00 | Earliest event time (UTC)
-- param: end | 2100-01-01 00:00:00 | Latest event time (UTC)
SELECT
    element_at(requestParameters, 'bucketName') AS bucket,
    coalesce(userIdentity.arn, userIdentity.invokedBy, userIdentity.principalId, userIdentity.type)
        AS principal,
    count(*) AS requests,
    count(DISTINCT element_at(requestParameters, 'key')) AS objectKeys,
    sum(CASE WHEN eventName = 'DeleteObjectVersion' OR element_at(requestParameters, 'versionId') IS NOT NULL
        THEN 1 ELSE 0 END) AS versionDeletes,
    sum(CASE WHEN errorCode IS NOT NULL THEN 1 ELSE 0 END) AS failed,
    min(eventTime) AS firstDelete,
    max(eventTime) AS lastDelete
FROM {{eds}}
WHERE eventSource = 's3.amazonaws.com'
    AND eventName IN ('DeleteObject', 'DeleteObjects', 'DeleteObjectVersion')
    AND eventTime >= '{{start}}'
    AND eventTime <= '{{end}}'
GROUP BY element_at(requestParameters, 'bucketName'),
    coalesce(userIdentity.arn, userIdentity.invokedBy, userIdentity.principalId, userIdentity.type)
ORDER BY requests DESC, bucket, principal
