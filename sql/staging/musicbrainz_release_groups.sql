-- model: staging.musicbrainz_release_groups
-- key: release_group_id
-- assert: not_null(title)
-- One row per release group, from browse pages or lookups.
with pages as (
    select body, fetched_at
    from raw.musicbrainz_release_groups
    where status = 200 and json_valid(body)
),
groups as (
    select
        unnest(
            case when json_exists(body, '$."release-groups"') then json_extract(body, '$."release-groups"[*]') else [body::json] end
        ) as g,
        fetched_at
    from pages
)
select
    g ->> 'id' as release_group_id,
    g ->> 'title' as title,
    g ->> 'primary-type' as primary_type,
    array_to_string(json_extract_string(g, '$."secondary-types"[*]'), ', ') as secondary_types,
    nullif(g ->> 'first-release-date', '') as first_release_date,
    array_to_string(
        list_transform(json_extract(g, '$."artist-credit"[*]'), lambda c: (c ->> 'name') || coalesce(c ->> 'joinphrase', '')),
        ''
    ) as artist_credit,
    fetched_at
from groups
qualify row_number() over (partition by g ->> 'id' order by fetched_at desc) = 1
