-- name: role-assumptions-by-principal
-- title: Who assumes roles, and which
-- category: identity
-- description: AssumeRole calls grouped by caller (an AWS service's name when a service assumed the role),
--   most active first: calls, failures, distinct roles and target accounts, the roles themselves, first and
--   last call. A principal that suddenly assumes many roles, or fails often, is probing what it can reach.
-- param: eds | | The event data store (id, name or ARN)
-- param: start | 1970-01-01 00:00:00 | Earliest event time (UTC)
-- param: end | 2100-01-01 00:00:00 | Latest event time (UTC)
-- param: limit | 50 | Most callers to list
SELECT
    coalesce(userIdentity.arn, userIdentity.invokedBy, userIdentity.principalId) AS caller,
    userIdentity.type AS callerType,
    count(*) AS calls,
    sum(CASE WHEN errorCode IS NOT NULL THEN 1 ELSE 0 END) AS failed,
    count(DISTINCT element_at(requestParameters, 'roleArn')) AS roles,
    count(DISTINCT regexp_extract(element_at(requestParameters, 'roleArn'), '^arn:[^:]+:iam::([0-9]+):', 1))
        AS roleAccounts,
    array_join(array_sort(array_agg(DISTINCT element_at(requestParameters, 'roleArn'))), ', ') AS roleArns,
    min(eventTime) AS firstCall,
    max(eventTime) AS lastCall
FROM {{eds}}
WHERE eventSource = 'sts.amazonaws.com'
    AND eventName = 'AssumeRole'
    AND eventTime >= '{{start}}'
    AND eventTime <= '{{end}}'
GROUP BY coalesce(userIdentity.arn, userIdentity.invokedBy, userIdentity.principalId), userIdentity.type
ORDER BY calls DESC, caller
LIMIT {{limit}}
