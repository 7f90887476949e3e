-- name: principal-changes
-- title: What one principal changed
-- category: investigation
-- description: The calls by the principals whose ARN contains `principal` that were not read-only (readOnly
--   false: creations, modifications, deletions, sign-ins, data writes), oldest first, with their request
--   parameters and whether they failed. This is the list to review, or to undo, after a compromise.
-- param: eds | | The event data store (id, name or ARN)
-- param: principal | | Text the principal's ARN contains (user name, session name or ARN)
-- param: start | 1970-01-01 00:00:00 | Earliest event time (UTC)
-- param: end | 2100-01-01 00:00:00 | Latest event time (UTC)
SELECT
    eventTime,
    userIdentity.arn AS principal,
    recipientAccountId,
    awsRegion,
    eventSource,
    eventName,
    errorCode,
    requestParameters,
    eventID
FROM {{eds}}
WHERE userIdentity.arn LIKE '%{{principal}}%'
    AND readOnly = false
    AND eventTime >= '{{start}}'
    AND eventTime <= '{{end}}'
ORDER BY eventTime, eventID
