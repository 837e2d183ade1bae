-- model: staging.itunes_albums
-- key: collection_id
-- assert: not_null(title)
-- One row per iTunes collection, from every lookup that returns wrapper objects. The
-- ids are Apple Music's catalog ids; iTunes answers carry no UPC.
with results as (
    select unnest(json_extract(body, '$.results[*]')) as r, fetched_at, raw_file
    from raw.itunes_artist_albums
    where status = 200 and json_valid(body)
    union all
    select unnest(json_extract(body, '$.results[*]')), fetched_at, raw_file
    from raw.itunes_album_songs
    where status = 200 and json_valid(body)
    union all
    select unnest(json_extract(body, '$.results[*]')), fetched_at, raw_file
    from raw.itunes_upc_lookup
    where status = 200 and json_valid(body)
),
answers as (
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
        fetched_at, raw_file
    from results
    where r ->> 'wrapperType' = 'collection'
)
-- Each field from the newest answer that has it (README: Models).
select collection_id, arg_max(columns(* exclude (collection_id)), fetched_at)
from answers
group by collection_id
