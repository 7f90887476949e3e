-- name: failed-console-logins-by-ip
-- title: Failed console sign-ins by source IP
-- category: identity
-- description: Source IPs with at least `min_failures` failed AWS console sign-ins, with how many user names
--   they tried, which ones, and when. Many failures from one IP against one user is password guessing;
--   against many users it is password spraying. `succeeded` counts successful sign-ins from the same IP
--   in the window: failures followed by a success deserve an immediate look.
-- param: eds | | The event data store (id, name or ARN)
-- param: start | 1970-01-01 00:00:00 | Earliest event time (UTC)
-- param: end | 2100-01-01 00:00:00 | Latest event time (UTC)
-- param: min_failures | 5 | Least number of failed sign-ins for an IP to be listed
SELECT
    sourceIPAddress,
    sum(CASE WHEN element_at(responseElements, 'ConsoleLogin') = 'Failure' OR errorMessage IS NOT NULL
        THEN 1 ELSE 0 END) AS failures,
    sum(CASE WHEN element_at(responseElements, 'ConsoleLogin') = 'Success' THEN 1 ELSE 0 END) AS succeeded,
    count(DISTINCT CASE WHEN element_at(responseElements, 'ConsoleLogin') = 'Failure'
        OR errorMessage IS NOT NULL
        THEN coalesce(userIdentity.userName, userIdentity.arn, userIdentity.principalId) END) AS usersTried,
    array_join(array_sort(array_agg(DISTINCT CASE
        WHEN element_at(responseElements, 'ConsoleLogin') = 'Failure' OR errorMessage IS NOT NULL
        THEN coalesce(userIdentity.userName, userIdentity.arn, userIdentity.principalId) END)), ', ')
        AS usersTriedNames,
    min(eventTime) AS firstAttempt,
    max(eventTime) AS lastAttempt
FROM {{eds}}
WHERE eventName = 'ConsoleLogin'
    AND eventTime >= '{{start}}'
    AND eventTime <= '{{end}}'
GROUP BY sourceIPAddress
HAVING sum(CASE WHEN element_at(responseElements, 'ConsoleLogin') = 'Failure' OR errorMessage IS NOT NULL
    THEN 1 ELSE 0 END) >= {{min_failures}}
ORDER BY failures DESC, sourceIPAddress
