-- name: lambda-function-changes
-- title: Lambda functions created, changed or opened up
-- category: change-tracking
-- description: Successful Lambda management calls that change what a function runs or who may call it,
--   newest first: functions created or deleted, code and configuration updates (environment, role,
--   layers), resource policy permissions added, function URLs created. New code on an existing function is
--   a way to run anything with the function's role; a permission for Principal "*" exposes it.
-- param: eds | | The event data store (id, name or ARN)
-- param: start | 1970-01-01 00:00:00 | Earliest event time (UTC)
-- param: end | 2100-01-01 00:00:00 | Latest event time (UTC)
SELECT
    eventTime,
    recipientAccountId,
    awsRegion,
    regexp_replace(eventName, '[0-9]{8}(v[0-9]+)?$', '') AS action,
    coalesce(element_at(requestParameters, 'functionName'), element_at(resources, 1).ARN) AS functionName,
    element_at(requestParameters, 'principal') AS grantedTo,
    userIdentity.arn AS changedBy,
    sourceIPAddress
FROM {{eds}}
WHERE eventSource = 'lambda.amazonaws.com'
    AND regexp_like(eventName, '^(CreateFunction|DeleteFunction|UpdateFunctionCode'
        || '|UpdateFunctionConfiguration|AddPermission|CreateFunctionUrlConfig|UpdateFunctionUrlConfig'
        || '|AddLayerVersionPermission)')
    AND errorCode IS NULL
    AND eventTime >= '{{start}}'
    AND eventTime <= '{{end}}'
ORDER BY eventTime DESC, functionName, action
