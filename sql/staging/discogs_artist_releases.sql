-- model: staging.discogs_artist_releases
-- key: artist_id, item_type, item_id
-- merge: newest row
-- assert: not_null(title)
-- An artist's Discogs discography as listed (GET /artists/<id>/releases): releases and
-- masters mixed (`type`); a master has no format, label or status, and names its main
-- release. `role` is Main, Remix, Appearance or TrackAppearance.
with pages as (
    select params ->> 'artist_id' as artist_id, body, fetched_at
    from answers.discogs_artist_releases
),
items as (
    select try_cast(artist_id as bigint) as artist_id, unnest(json_extract(body, '$.releases[*]')) as r, fetched_at
    from pages
)
select
    artist_id,
    r ->> 'type' as item_type,
    try_cast(r ->> 'id' as bigint) as item_id,
    r ->> 'title' as title,
    r ->> 'artist' as artist_name,
    r ->> 'role' as role,
    nullif(try_cast(r ->> 'year' as integer), 0) as year,
    r ->> 'format' as format,
    r ->> 'label' as label,
    r ->> 'status' as status,
    try_cast(r ->> 'main_release' as bigint) as main_release_id,
    fetched_at
from items
where try_cast(r ->> 'id' as bigint) is not null and artist_id is not null
