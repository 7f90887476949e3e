-- name: s3-reads-by-bucket-and-principal
-- title: S3 reads by bucket and principal
-- category: data-access
-- description: S3 read data events (GetObject, HeadObject, ListObjects, ...) grouped by bucket and caller,
--   busiest first: requests, distinct objects, bytes sent out, failures, first and last read. Shows who reads
--   which bucket; a principal new to a sensitive bucket, or with many failures, stands out. Needs S3 data
--   events in the store (an advanced event selector on AWS::S3::Object).
-- param: eds | | The event data store (id, name or ARN)
-- param: start | 1970-01-01 00:00:00 | Earliest event time (UTC)
-- param: end | 2100-01-01 00:00:00 | Latest event time (UTC)
-- param: limit | 100 | Most bucket and principal pairs to list
SELECT
    element_at(requestParameters, 'bucketName') AS bucket,
    coalesce(userIdentity.arn, userIdentity.invokedBy, userIdentity.principalId, userIdentity.type)
        AS principal,
    count(*) AS requests,
    count(DISTINCT element_at(requestParameters, 'key')) AS objects,
    CAST(coalesce(sum(try_cast(element_at(additionalEventData, 'bytesTransferredOut') AS double)), 0)
        AS bigint) AS bytesOut,
    sum(CASE WHEN errorCode IS NOT NULL THEN 1 ELSE 0 END) AS failed,
    min(eventTime) AS firstRead,
    max(eventTime) AS lastRead
FROM {{eds}}
WHERE eventSource = 's3.amazonaws.com'
    AND eventCategory = 'Data'
    AND readOnly = true
    AND eventTime >= '{{start}}'
    AND eventTime <= '{{end}}'
GROUP BY element_at(requestParameters, 'bucketName'),
    coalesce(userIdentity.arn, userIdentity.invokedBy, userIdentity.principalId, userIdentity.type)
ORDER BY requests DESC, bucket, principal
LIMIT {{limit}}
