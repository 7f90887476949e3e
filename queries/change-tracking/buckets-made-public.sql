-- name: buckets-made-public
-- title: S3 buckets and objects made public
-- category: change-tracking
-- description: Successful S3 changes that can expose data to anyone, newest first: a bucket or account public
--   access block deleted or switched off, a bucket policy allowing Principal "*", or an ACL granting the
--   AllUsers or AuthenticatedUsers groups (or a public canned ACL). `exposure` says which. A policy with
--   Principal "*" may still be narrowed by a Condition: read it before closing the row.
-- param: eds | | The event data store (id, name or ARN)
-- param: start | 1970-01-01 00:00:00 | Earliest event time (UTC)
-- param: end | 2100-01-01 00:00:00 | Latest event time (UTC)
SELECT
    eventTime,
    recipientAccountId,
    eventName,
    element_at(requestParameters, 'bucketName') AS bucket,
    element_at(requestParameters, 'key') AS objectKey,
    CASE
        WHEN eventName IN ('DeleteBucketPublicAccessBlock', 'DeleteAccountPublicAccessBlock')
            THEN 'public access block removed'
        WHEN eventName IN ('PutBucketPublicAccessBlock', 'PutAccountPublicAccessBlock')
            THEN 'public access block switched off'
        WHEN eventName = 'PutBucketPolicy' THEN 'policy allows Principal *'
        WHEN regexp_like(coalesce(element_at(requestParameters, 'AccessControlPolicy'), '')
            || coalesce(element_at(requestParameters, 'x-amz-grant-read'), '')
            || coalesce(element_at(requestParameters, 'x-amz-grant-write'), '')
            || coalesce(element_at(requestParameters, 'x-amz-grant-full-control'), ''), 'AllUsers')
            THEN 'ACL grants AllUsers'
        WHEN regexp_like(coalesce(element_at(requestParameters, 'AccessControlPolicy'), '')
            || coalesce(element_at(requestParameters, 'x-amz-grant-read'), '')
            || coalesce(element_at(requestParameters, 'x-amz-grant-write'), '')
            || coalesce(element_at(requestParameters, 'x-amz-grant-full-control'), ''), 'AuthenticatedUsers')
            THEN 'ACL grants AuthenticatedUsers'
        ELSE 'public canned ACL'
    END AS exposure,
    userIdentity.arn AS changedBy,
    sourceIPAddress
FROM {{eds}}
WHERE eventSource = 's3.amazonaws.com'
    AND errorCode IS NULL
    AND (
        eventName IN ('DeleteBucketPublicAccessBlock', 'DeleteAccountPublicAccessBlock')
        OR (eventName IN ('PutBucketPublicAccessBlock', 'PutAccountPublicAccessBlock')
            AND regexp_like(element_at(requestParameters, 'PublicAccessBlockConfiguration'),
                '"(BlockPublicAcls|IgnorePublicAcls|BlockPublicPolicy|RestrictPublicBuckets)"\s*:\s*false'))
        OR (eventName = 'PutBucketPolicy'
            AND regexp_like(element_at(requestParameters, 'bucketPolicy'),
                '"Principal"\s*:\s*("\*"|\{\s*"AWS"\s*:\s*(\[\s*)?"\*")'))
        OR (eventName IN ('PutBucketAcl', 'PutObjectAcl')
            AND (regexp_like(coalesce(element_at(requestParameters, 'AccessControlPolicy'), '')
                    || coalesce(element_at(requestParameters, 'x-amz-grant-read'), '')
                    || coalesce(element_at(requestParameters, 'x-amz-grant-write'), '')
                    || coalesce(element_at(requestParameters, 'x-amz-grant-full-control'), ''),
                    'acs\.amazonaws\.com/groups/global/(AllUsers|AuthenticatedUsers)')
                OR regexp_like(coalesce(element_at(requestParameters, 'x-amz-acl'), ''),
                    'public-read|authenticated-read')))
    )
    AND eventTime >= '{{start}}'
    AND eventTime <= '{{end}}'
ORDER BY eventTime DESC, eventName, bucket
