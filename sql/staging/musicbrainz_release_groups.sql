-- model: staging.musicbrainz_release_groups
-- key: release_group_id
-- assert: not_null(title)
-- One row per release group, from browse pages or lookups, with its rating when
-- editors gave one.
select
    release_group_id,
    g ->> 'title' as title,
    g ->> 'primary-type' as primary_type,
    array_to_string(json_extract_string(g, '$."secondary-types"[*]'), ', ') as secondary_types,
    nullif(g ->> 'first-release-date', '') as first_release_date,
    array_to_string(
        list_transform(json_extract(g, '$."artist-credit"[*]'), lambda c: (c ->> 'name') || coalesce(c ->> 'joinphrase', '')),
        ''
    ) as artist_credit,
    try_cast(json_extract_string(g, '$.rating.value') as double) as rating,
    try_cast(json_extract_string(g, '$.rating."votes-count"') as integer) as rating_votes,
    fetched_at
from staging.musicbrainz_release_group_json
