-- model: staging.discogs_release_json
-- key: release_id
-- merge: newest row
-- The newest JSON of each Discogs release (GET /releases/<id>); the release, label,
-- identifier and track models read it.
select try_cast(body ->> 'id' as bigint) as release_id, body::json as r, fetched_at, raw_file
from answers.discogs_releases
where try_cast(body ->> 'id' as bigint) is not null
