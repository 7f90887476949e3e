-- name: instances-in-unusual-regions
-- title: EC2 launches in regions the account otherwise does not use
-- category: change-tracking
-- description: Account and region pairs with RunInstances calls (successful or not) but at most
--   `max_other_events` other events in the window: regions nobody in the account works in. Attackers launch
--   miners in far-away regions hoping nobody looks there. Lists the launches, failed attempts, instance
--   types, callers and the other activity seen in that region.
-- param: eds | | The event data store (id, name or ARN)
-- param: start | 1970-01-01 00:00:00 | Earliest event time (UTC)
-- param: end | 2100-01-01 00:00:00 | Latest event time (UTC)
-- param: max_other_events | 10 | Most other events the account may have in a region for it to count
SELECT
    recipientAccountId,
    awsRegion,
    sum(CASE WHEN eventName = 'RunInstances' THEN 1 ELSE 0 END) AS launchCalls,
    sum(CASE WHEN eventName = 'RunInstances' AND errorCode IS NOT NULL THEN 1 ELSE 0 END) AS failedLaunches,
    array_join(array_sort(array_agg(DISTINCT CASE WHEN eventName = 'RunInstances'
        THEN element_at(requestParameters, 'instanceType') END)), ', ') AS instanceTypes,
    array_join(array_sort(array_agg(DISTINCT CASE WHEN eventName = 'RunInstances'
        THEN userIdentity.arn END)), ', ') AS launchedBy,
    sum(CASE WHEN eventName <> 'RunInstances' THEN 1 ELSE 0 END) AS otherEvents,
    min(CASE WHEN eventName = 'RunInstances' THEN eventTime END) AS firstLaunch,
    max(CASE WHEN eventName = 'RunInstances' THEN eventTime END) AS lastLaunch
FROM {{eds}}
WHERE eventTime >= '{{start}}'
    AND eventTime <= '{{end}}'
GROUP BY recipientAccountId, awsRegion
HAVING sum(CASE WHEN eventName = 'RunInstances' THEN 1 ELSE 0 END) > 0
    AND sum(CASE WHEN eventName <> 'RunInstances' THEN 1 ELSE 0 END) <= {{max_other_events}}
ORDER BY launchCalls DESC, recipientAccountId, awsRegion
