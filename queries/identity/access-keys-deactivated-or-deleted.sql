-- name: access-keys-deactivated-or-deleted
-- title: Access keys deactivated, reactivated or deleted
-- category: identity
-- description: Every successful UpdateAccessKey and DeleteAccessKey call, newest first: who changed which
--   user's key and to what status (`Deleted` for deletions). Routine key rotation shows here, and so do an
--   intruder removing the owner's keys to lock them out or reactivating an old key to use it.
-- param: eds | | The event data store (id, name or ARN)
-- param: start | 1970-01-01 00:00:00 | Earliest event time (UTC)
-- param: end | 2100-01-01 00:00:00 | Latest event time (UTC)
SELECT
    eventTime,
    recipientAccountId,
    eventName,
    userIdentity.arn AS caller,
    coalesce(element_at(requestParameters, 'userName'),
        CASE WHEN userIdentity.type = 'Root' THEN 'root' ELSE userIdentity.userName END) AS forUser,
    element_at(requestParameters, 'accessKeyId') AS accessKeyId,
    CASE WHEN eventName = 'DeleteAccessKey' THEN 'Deleted' ELSE element_at(requestParameters, 'status') END
        AS newStatus,
    sourceIPAddress
FROM {{eds}}
WHERE eventSource = 'iam.amazonaws.com'
    AND eventName IN ('UpdateAccessKey', 'DeleteAccessKey')
    AND errorCode IS NULL
    AND eventTime >= '{{start}}'
    AND eventTime <= '{{end}}'
ORDER BY eventTime DESC, accessKeyId, eventName
