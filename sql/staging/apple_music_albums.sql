-- model: staging.apple_music_albums
-- key: album_id
-- assert: not_null(title)
-- One row per Apple Music album, from album lookups, UPC lookups, an artist's album
-- pages, the charts and catalog searches. All carry the attributes; only lookups carry
-- the relationships (the artist's id). `isPrerelease` appears only on albums not out
-- yet; where it is missing, a release date after the fetch says the same.
-- merge: newest
with albums as (
    select unnest(json_extract(body, '$.data[*]')) as a, fetched_at, raw_file
    from answers.apple_music_albums
    union all
    select unnest(json_extract(body, '$.data[*]')), fetched_at, raw_file
    from answers.apple_music_upc_search
    union all
    select unnest(json_extract(body, '$.data[*]')), fetched_at, raw_file
    from answers.apple_music_artist_albums
    union all
    select unnest(json_extract(body, '$.results.albums[*].data[*]')), fetched_at, raw_file
    from answers.apple_music_charts
    union all
    select unnest(json_extract(body, '$.results.albums.data[*]')), fetched_at, raw_file
    from answers.apple_music_catalog_search
)
select
    a ->> 'id' as album_id,
    json_extract_string(a, '$.attributes.name') as title,
    json_extract_string(a, '$.attributes.artistName') as artist_name,
    json_extract_string(a, '$.relationships.artists.data[0].id') as artist_id,
    json_extract_string(a, '$.attributes.releaseDate') as release_date,
    json_extract_string(a, '$.attributes.upc') as upc,
    norm_gtin(json_extract_string(a, '$.attributes.upc')) as gtin,
    json_extract_string(a, '$.attributes.recordLabel') as label,
    try_cast(json_extract_string(a, '$.attributes.trackCount') as integer) as track_count,
    try_cast(json_extract_string(a, '$.attributes.isSingle') as boolean) as is_single,
    try_cast(json_extract_string(a, '$.attributes.isCompilation') as boolean) as is_compilation,
    coalesce(
        try_cast(json_extract_string(a, '$.attributes.isPrerelease') as boolean),
        try_cast(json_extract_string(a, '$.attributes.releaseDate') as date) > fetched_at::date
    ) as is_prerelease,
    -- Apple's RIAA rating: `explicit` or `clean`; no key is no rating (null here).
    case json_extract_string(a, '$.attributes.contentRating') when 'explicit' then true when 'clean' then false end as explicit,
    json_extract_string(a, '$.attributes.url') as url,
    fetched_at, raw_file
from albums
where a ->> 'id' is not null
