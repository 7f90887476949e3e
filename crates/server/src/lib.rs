//! `auditlake serve`: the `cloudtrail` AWS JSON 1.1 API, authenticated with SigV4, over a lake.
