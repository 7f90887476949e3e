-- name: resources-deleted
-- title: Resources deleted or terminated, by API
-- category: change-tracking
-- description: Successful management calls that destroy something (Delete*, Terminate*, ScheduleKeyDeletion,
--   ...) grouped by service and API, most first: calls, distinct callers, accounts, first and last. A spike
--   of deletions (snapshots, backups, instances, keys, log groups) is sabotage or an attacker covering
--   tracks; compare against the usual churn of your deployments. Object-level S3 deletes are data events and
--   are not counted here.
-- param: eds | | The event data store (id, name or ARN)
-- param: start | 1970-01-01 00:00:00 | Earliest event time (UTC)
-- param: end | 2100-01-01 00:00:00 | Latest event time (UTC)
SELECT
    eventSource,
    eventName,
    count(*) AS calls,
    count(DISTINCT userIdentity.arn) AS callers,
    array_join(array_sort(array_agg(DISTINCT recipientAccountId)), ', ') AS accounts,
    min(eventTime) AS firstCall,
    max(eventTime) AS lastCall
FROM {{eds}}
WHERE eventCategory = 'Management'
    AND errorCode IS NULL
    AND (eventName LIKE 'Delete%' OR eventName LIKE 'Terminate%' OR eventName LIKE 'Remove%'
        OR eventName IN ('ScheduleKeyDeletion', 'DisableKey', 'DeregisterImage', 'ReleaseAddress',
            'PurgeQueue', 'LeaveOrganization', 'CloseAccount'))
    AND eventTime >= '{{start}}'
    AND eventTime <= '{{end}}'
GROUP BY eventSource, eventName
ORDER BY calls DESC, eventSource, eventName
