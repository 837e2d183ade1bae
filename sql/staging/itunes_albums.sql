-- model: staging.itunes_albums
-- key: collection_id
-- assert: not_null(title)
-- One row per iTunes collection, from every lookup that returns wrapper objects. The
-- ids are Apple Music's catalog ids; iTunes answers carry no UPC.
-- merge: newest
with results as (
    select unnest(json_extract(body, '$.results[*]')) as r, fetched_at, raw_file
    from answers.itunes_artist_albums
    union all
    select unnest(json_extract(body, '$.results[*]')), fetched_at, raw_file
    from answers.itunes_album_songs
    union all
    select unnest(json_extract(body, '$.results[*]')), fetched_at, raw_file
    from answers.itunes_upc_lookup
)
select
    try_cast(r ->> 'collectionId' as bigint) as collection_id,
    r ->> 'collectionName' as title,
    r ->> 'collectionType' as collection_type,
    try_cast(r ->> 'artistId' as bigint) as artist_id,
    r ->> 'artistName' as artist_name,
    try_cast(r ->> 'trackCount' as integer) as track_count,
    try_cast(r ->> 'releaseDate' as timestamp)::date as release_date,
    r ->> 'country' as country,
    r ->> 'copyright' as copyright,
    r ->> 'primaryGenreName' as genre,
    -- `explicit`, `cleaned` (an edited version) or `notExplicit`.
    case r ->> 'collectionExplicitness' when 'explicit' then true when 'cleaned' then false when 'notExplicit' then false end as explicit,
    fetched_at, raw_file
from results
where r ->> 'wrapperType' = 'collection'
