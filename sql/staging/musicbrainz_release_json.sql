-- model: staging.musicbrainz_release_json
-- key: release_id
-- The newest JSON of each MusicBrainz release, from browse pages (`releases` array)
-- and lookups (the release itself). The release and track models read it.
with pages as (
    select body, fetched_at
    from raw.musicbrainz_releases
    where status = 200 and json_valid(body)
),
releases as (
    select
        unnest(case when json_exists(body, '$.releases') then json_extract(body, '$.releases[*]') else [body::json] end) as r,
        fetched_at
    from pages
)
select r ->> 'id' as release_id, r, fetched_at
from releases
qualify row_number() over (partition by r ->> 'id' order by fetched_at desc) = 1
