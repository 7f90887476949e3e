-- name: bucket-policy-changes
-- title: S3 bucket policy changes
-- category: change-tracking
-- description: Every successful PutBucketPolicy and DeleteBucketPolicy, newest first: the bucket, how many
--   statements the new policy has, whether any statement names Principal "*" (anyone, unless a Condition
--   narrows it), the policy text, and who changed it. Bucket policies decide who outside the account can
--   read the data; a new cross-account principal or a wildcard deserves a second look.
-- param: eds | | The event data store (id, name or ARN)
-- param: start | 1970-01-01 00:00:00 | Earliest event time (UTC)
-- param: end | 2100-01-01 00:00:00 | Latest event time (UTC)
SELECT
    eventTime,
    recipientAccountId,
    eventName,
    element_at(requestParameters, 'bucketName') AS bucket,
    json_array_length(json_extract(element_at(requestParameters, 'bucketPolicy'), '$.Statement'))
        AS statements,
    regexp_like(coalesce(element_at(requestParameters, 'bucketPolicy'), ''),
        '"Principal"\s*:\s*("\*"|\{\s*"AWS"\s*:\s*(\[\s*)?"\*")') AS allowsAnyone,
    element_at(requestParameters, 'bucketPolicy') AS policy,
    userIdentity.arn AS changedBy,
    sourceIPAddress
FROM {{eds}}
WHERE eventSource = 's3.amazonaws.com'
    AND eventName IN ('PutBucketPolicy', 'DeleteBucketPolicy')
    AND errorCode IS NULL
    AND eventTime >= '{{start}}'
    AND eventTime <= '{{end}}'
ORDER BY eventTime DESC, bucket, eventName
