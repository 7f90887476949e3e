-- name: s3-data-events-by-bucket-per-day
-- title: S3 data events per bucket and day
-- category: data-access
-- description: Daily S3 object-level activity per bucket: reads, writes, deletes, failures, distinct callers
--   and bytes read out. A baseline of normal volume per bucket; a day far above it (or a bucket with
--   activity it never had) is where to look first. Needs S3 data events in the store.
-- param: eds | | The event data store (id, name or ARN)
-- param: start | 1970-01-01 00:00:00 | Earliest event time (UTC)
-- param: end | 2100-01-01 00:00:00 | Latest event time (UTC)
SELECT
    date(eventTime) AS day,
    element_at(requestParameters, 'bucketName') AS bucket,
    count(*) AS events,
    sum(CASE WHEN readOnly = true THEN 1 ELSE 0 END) AS reads,
    sum(CASE WHEN readOnly = false AND eventName NOT LIKE 'Delete%' THEN 1 ELSE 0 END) AS writes,
    sum(CASE WHEN eventName LIKE 'Delete%' THEN 1 ELSE 0 END) AS deletes,
    sum(CASE WHEN errorCode IS NOT NULL THEN 1 ELSE 0 END) AS failed,
    count(DISTINCT coalesce(userIdentity.arn, userIdentity.invokedBy, userIdentity.principalId)) AS callers,
    CAST(coalesce(sum(try_cast(element_at(additionalEventData, 'bytesTransferredOut') AS double)), 0)
        AS bigint) AS bytesOut
FROM {{eds}}
WHERE eventSource = 's3.amazonaws.com'
    AND eventCategory = 'Data'
    AND eventTime >= '{{start}}'
    AND eventTime <= '{{end}}'
GROUP BY date(eventTime), element_at(requestParameters, 'bucketName')
ORDER BY day, bucket
