-- model: staging.musicbrainz_release_group_json
-- key: release_group_id
-- merge: newest row
-- The newest JSON of each MusicBrainz release group, from browse pages and lookups.
with pages as (
    select body, fetched_at
    from answers.musicbrainz_release_groups
),
groups as (
    select
        unnest(
            case when json_exists(body, '$."release-groups"') then json_extract(body, '$."release-groups"[*]') else [body::json] end
        ) as g,
        fetched_at
    from pages
)
select g ->> 'id' as release_group_id, g, fetched_at
from groups
where g ->> 'id' is not null
