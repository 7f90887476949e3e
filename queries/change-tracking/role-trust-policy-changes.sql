-- name: role-trust-policy-changes
-- title: IAM role trust policy changes
-- category: change-tracking
-- description: Every successful UpdateAssumeRolePolicy, newest first: which role's trust policy changed, who
--   changed it, whether the new policy trusts any principal ("*"), and which other AWS accounts it names. A
--   trust policy decides who may assume the role; adding an outside account is a quiet, durable backdoor.
-- param: eds | | The event data store (id, name or ARN)
-- param: start | 1970-01-01 00:00:00 | Earliest event time (UTC)
-- param: end | 2100-01-01 00:00:00 | Latest event time (UTC)
SELECT
    eventTime,
    recipientAccountId,
    element_at(requestParameters, 'roleName') AS roleName,
    regexp_like(coalesce(element_at(requestParameters, 'policyDocument'), ''),
        '"Principal"\s*:\s*("\*"|\{\s*"AWS"\s*:\s*(\[\s*)?"\*")') AS trustsAnyone,
    array_join(array_sort(array_except(array_distinct(regexp_extract_all(
        coalesce(element_at(requestParameters, 'policyDocument'), ''),
        'arn:aws[a-z-]*:iam::([0-9]{12}):', 1)), ARRAY[recipientAccountId])), ', ') AS otherAccounts,
    userIdentity.arn AS changedBy,
    sourceIPAddress,
    element_at(requestParameters, 'policyDocument') AS policyDocument
FROM {{eds}}
WHERE eventSource = 'iam.amazonaws.com'
    AND eventName = 'UpdateAssumeRolePolicy'
    AND errorCode IS NULL
    AND eventTime >= '{{start}}'
    AND eventTime <= '{{end}}'
ORDER BY eventTime DESC, roleName
