-- name: kms-usage-by-key
-- title: KMS key usage by key
-- category: data-access
-- description: Cryptographic calls per KMS key, busiest first: decrypts, encrypts, data keys generated, other
--   calls, failures, how many distinct principals used the key and how many of its calls came from AWS
--   services. A key suddenly used by many principals, or failing often, is being tried by someone without
--   the right grant.
-- param: eds | | The event data store (id, name or ARN)
-- param: start | 1970-01-01 00:00:00 | Earliest event time (UTC)
-- param: end | 2100-01-01 00:00:00 | Latest event time (UTC)
SELECT
    coalesce(element_at(resources, 1).ARN, element_at(requestParameters, 'keyId')) AS keyArn,
    count(*) AS calls,
    sum(CASE WHEN eventName = 'Decrypt' THEN 1 ELSE 0 END) AS decrypts,
    sum(CASE WHEN eventName = 'Encrypt' THEN 1 ELSE 0 END) AS encrypts,
    sum(CASE WHEN eventName LIKE 'GenerateDataKey%' THEN 1 ELSE 0 END) AS dataKeys,
    sum(CASE WHEN eventName <> 'Decrypt' AND eventName <> 'Encrypt' AND eventName NOT LIKE 'GenerateDataKey%'
        THEN 1 ELSE 0 END) AS otherCalls,
    sum(CASE WHEN errorCode IS NOT NULL THEN 1 ELSE 0 END) AS failed,
    count(DISTINCT userIdentity.arn) AS principals,
    sum(CASE WHEN userIdentity.type = 'AWSService' THEN 1 ELSE 0 END) AS byAwsServices,
    min(eventTime) AS firstUse,
    max(eventTime) AS lastUse
FROM {{eds}}
WHERE eventSource = 'kms.amazonaws.com'
    AND eventName IN ('Decrypt', 'Encrypt', 'ReEncrypt', 'GenerateDataKey', 'GenerateDataKeyWithoutPlaintext',
        'GenerateDataKeyPair', 'GenerateDataKeyPairWithoutPlaintext', 'Sign', 'Verify', 'GenerateMac',
        'VerifyMac')
    AND eventTime >= '{{start}}'
    AND eventTime <= '{{end}}'
GROUP BY coalesce(element_at(resources, 1).ARN, element_at(requestParameters, 'keyId'))
ORDER BY calls DESC, keyArn
