-- name: cross-account-role-assumptions
-- title: Role assumptions into another account
-- category: identity
-- description: AssumeRole calls whose role lives in a different account from the caller's, grouped by caller
--   and role: how many, how many failed, from which IPs, first and last. Cross-account access is normal for
--   an organization's admins and pipelines; a new caller or a new target account is how an intruder moves
--   sideways, often into OrganizationAccountAccessRole. Calls by AWS services are left out.
-- param: eds | | The event data store (id, name or ARN)
-- param: start | 1970-01-01 00:00:00 | Earliest event time (UTC)
-- param: end | 2100-01-01 00:00:00 | Latest event time (UTC)
SELECT
    userIdentity.arn AS caller,
    userIdentity.accountId AS callerAccount,
    regexp_extract(element_at(requestParameters, 'roleArn'), '^arn:[^:]+:iam::([0-9]+):', 1) AS roleAccount,
    element_at(requestParameters, 'roleArn') AS roleArn,
    count(*) AS calls,
    sum(CASE WHEN errorCode IS NOT NULL THEN 1 ELSE 0 END) AS failed,
    array_join(array_sort(array_agg(DISTINCT sourceIPAddress)), ', ') AS sourceIps,
    min(eventTime) AS firstCall,
    max(eventTime) AS lastCall
FROM {{eds}}
WHERE eventSource = 'sts.amazonaws.com'
    AND eventName = 'AssumeRole'
    AND userIdentity.accountId IS NOT NULL
    AND regexp_extract(element_at(requestParameters, 'roleArn'), '^arn:[^:]+:iam::([0-9]+):', 1)
        <> userIdentity.accountId
    AND eventTime >= '{{start}}'
    AND eventTime <= '{{end}}'
GROUP BY userIdentity.arn, userIdentity.accountId, element_at(requestParameters, 'roleArn')
ORDER BY firstCall DESC, caller, roleArn
